"""Shared API schemas."""

from ninja import Schema


class ErrorOut(Schema):
    """Every error answer: a human-readable explanation."""

    detail: str


ERRORS_404 = {404: ErrorOut}
