"""User Markdown becomes safe HTML: formatting kept, anything executable dropped."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString

from netzerohub.core.markdown import ALLOWED_TAGS, render_markdown, sanitise_html


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {name: value or "" for name, value in attrs}))


def elements_of(html: str) -> list[tuple[str, dict[str, str]]]:
    """The real elements of `html` with their attributes (escaped text is not an element)."""
    parser = _Elements()
    parser.feed(html)
    return parser.found


def test_formatting_is_kept():
    html = render_markdown("Some **bold**, _emphasis_ and `code`.\n\n- one\n- two\n\n> quoted")

    assert "<strong>bold</strong>" in html
    assert "<em>emphasis</em>" in html
    assert "<code>code</code>" in html
    assert "<ul>\n<li>one</li>" in html
    assert "<blockquote>" in html
    assert isinstance(html, SafeString)


def test_headings_start_at_h2_because_the_page_owns_its_h1():
    html = render_markdown("# Our plan\n\n## Steps")

    assert "<h1>" not in html
    assert "<h2>Our plan</h2>" in html
    assert "<h2>Steps</h2>" in html


def test_tables_are_kept():
    html = render_markdown("| sector | t CO2e |\n|---|---|\n| transport | 120 |")

    assert "<table>" in html
    assert "<td>transport</td>" in html


def test_links_open_safely():
    html = render_markdown(
        "[Our portal](https://city.example/climate) and [mail](mailto:c@city.example)"
    )

    assert '<a href="https://city.example/climate" rel="noopener noreferrer nofollow">' in html
    assert 'href="mailto:c@city.example"' in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox(1))",
        '<iframe src="https://evil.example"></iframe>',
        "<b onclick=alert(1)>b</b>",
        '<div style="background:url(javascript:alert(1))">x</div>',
        "![x](https://tracker.example/pixel.png)",
        "```\n<script>alert(1)</script>\n```",
    ],
)
def test_nothing_executable_or_embedded_survives(source):
    elements = elements_of(render_markdown(source))

    assert {tag for tag, _attrs in elements} <= ALLOWED_TAGS
    for tag, attrs in elements:
        assert set(attrs) <= {"href", "title", "rel", "align"}, tag
        if "href" in attrs:
            assert attrs["href"].split(":", 1)[0] in {"http", "https", "mailto"}


def test_raw_html_is_shown_as_text():
    assert render_markdown("<b>hi</b>") == "<p>&lt;b&gt;hi&lt;/b&gt;</p>\n"


@pytest.mark.parametrize("source", ["", None])
def test_nothing_renders_nothing(source):
    assert render_markdown(source) == ""


def test_sanitise_html_strips_attributes_and_tags_it_does_not_know():
    html = sanitise_html(
        '<p onclick="x" style="color:red">a<iframe src="x"></iframe>'
        '<a href="http://city.example" target="_blank">l</a></p>'
    )

    assert html == '<p>a<a href="http://city.example" rel="noopener noreferrer nofollow">l</a></p>'


def test_the_template_filter_renders_markdown():
    rendered = Template("{% load portal %}{{ text|markdown }}").render(
        Context({"text": "**x** <script>"})
    )

    assert rendered == "<p><strong>x</strong> &lt;script&gt;</p>\n"
