"""The REST API: one NinjaAPI, one router per app, every response documented."""

from ninja import NinjaAPI

from netzerohub.accounts.api import router as accounts_router
from netzerohub.assessment.api import router as assessment_router
from netzerohub.cities.api import router as cities_router
from netzerohub.community.api import router as community_router
from netzerohub.contracts.api import router as contracts_router
from netzerohub.events.api import router as events_router
from netzerohub.exchanges.api import router as exchanges_router
from netzerohub.helpdesk.api import router as helpdesk_router
from netzerohub.knowledge.api import router as knowledge_router
from netzerohub.learning.api import router as learning_router
from netzerohub.surveys.api import router as surveys_router

api = NinjaAPI(
    title="NetZero Hub API",
    version="1",
    description=(
        "Read and act on the programme's data. Browser sessions are accepted (with the CSRF "
        "token for writes); scripts send a personal API token as `Authorization: Bearer <token>` "
        '(create one on your profile page). Errors answer `{"detail": "…"}`.'
    ),
    urls_namespace="api",
)
api.add_router("/", cities_router)
api.add_router("/", accounts_router)
api.add_router("/", knowledge_router)
api.add_router("/", learning_router)
api.add_router("/", assessment_router)
api.add_router("/", community_router)
api.add_router("/", events_router)
api.add_router("/", exchanges_router)
api.add_router("/", helpdesk_router)
api.add_router("/", surveys_router)
api.add_router("/", contracts_router)
