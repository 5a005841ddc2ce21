import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from netzerohub.core.ratelimit import hit, rate_limited


def test_hit_allows_up_to_the_limit_then_refuses():
    results = [hit("test:key", limit=3, period=60) for _ in range(5)]
    assert results == [True, True, True, False, False]


def test_hit_counts_keys_separately():
    for _ in range(3):
        hit("test:a", limit=3, period=60)
    assert hit("test:a", limit=3, period=60) is False
    assert hit("test:b", limit=3, period=60) is True


@pytest.mark.django_db
def test_decorated_view_refuses_posts_beyond_the_limit(rf: RequestFactory, outsider):
    calls = []

    @rate_limited("test.view", limit=2)
    def view(request):
        calls.append(request.method)
        return HttpResponse("ok")

    def post():
        request = rf.post("/x/", HTTP_REFERER="http://testserver/cities/1/")
        request.user = outsider
        request.htmx = False
        request.session = {}
        request._messages = _Messages()
        return view(request)

    assert post().status_code == 200
    assert post().status_code == 200
    refused = post()
    assert refused.status_code == 302
    assert refused["Location"] == "http://testserver/cities/1/"
    assert len(calls) == 2
    # GETs are never limited.
    get = rf.get("/x/")
    get.user = outsider
    assert view(get).status_code == 200


class _Messages(list):
    def add(self, level, message, extra_tags=""):
        self.append(message)
