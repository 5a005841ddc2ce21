"""The site header is cached for visitors only; signed-in people always get their own."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _current(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" aria-current="page"', html)


def test_the_visitor_header_marks_the_current_page_on_each_page(client):
    directory = client.get(reverse("cities:directory")).content.decode()
    eligibility = client.get(reverse("cities:eligibility")).content.decode()
    assert _current(directory) == [reverse("cities:directory")]
    assert _current(eligibility) == [reverse("cities:eligibility")]


def test_a_signed_in_person_never_gets_the_cached_visitor_header(client, outsider):
    client.get(reverse("cities:directory"))  # caches the visitor header
    client.force_login(outsider)
    html = client.get(reverse("cities:directory")).content.decode()
    assert "Sign out" in html
    assert 'name="csrfmiddlewaretoken"' in html.split("</header>")[0]
    assert reverse("account_signup") not in html.split("</header>")[0]


def test_favicon_ico_redirects_to_the_svg_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
