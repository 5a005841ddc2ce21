"""The product's URLs plus a bare hello-world view, the benchmark's yardstick.

Only the benchmark serves this module (see `benchsettings.py`); the product never does.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello")


urlpatterns = [
    path("bench/hello/", hello, name="bench-hello"),
    path("", include("netzerohub.config.urls")),
]
