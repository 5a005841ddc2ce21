from django.http import HttpRequest
from ninja import Router, Schema

from netzerohub.core.api import ErrorOut

from .auth import API_AUTH

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    email: str
    name: str
    is_coordinator: bool


@router.get(
    "/me",
    auth=API_AUTH,
    response={200: MeOut, 401: ErrorOut},
    summary="The signed-in person",
)
def me(request: HttpRequest) -> MeOut:
    user = request.auth
    return MeOut(id=user.pk, email=user.email, name=user.name, is_coordinator=user.is_coordinator)
