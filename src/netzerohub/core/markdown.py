"""Markdown for user content: rendered by markdown-it (raw HTML off) and then sanitised by nh3."""

from functools import lru_cache
from html import unescape

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def sanitise_html(html: str) -> SafeString:
    """Strip everything but a small set of formatting tags; links get rel=noopener nofollow."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3 output is safe by construction


def render_markdown(text: str) -> SafeString:
    """Render user Markdown to safe HTML. Headings start at h2: pages own their h1."""
    html = _renderer().render(text or "")
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return sanitise_html(html)


def plain_text(text: str) -> str:
    """The words of user Markdown without markup (for search snippets and the index)."""
    html_text = _renderer().render(text or "")
    return " ".join(unescape(nh3.clean(html_text, tags=set())).split())
