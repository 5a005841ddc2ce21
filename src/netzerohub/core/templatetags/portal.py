from django import template
from django.utils.safestring import SafeString

from netzerohub.core.audit import describe
from netzerohub.core.languages import LANGUAGE_NAMES
from netzerohub.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value: str) -> SafeString:
    """Render user Markdown as sanitised HTML."""
    return render_markdown(value)


@register.filter(name="audit_label")
def audit_label(entry) -> str:
    """A readable description of an audit log entry."""
    return describe(entry)


@register.filter(name="language_names")
def language_names(codes: list[str]) -> str:
    """'en, fr' -> 'English, French' (unknown codes are shown as they are)."""
    return ", ".join(str(LANGUAGE_NAMES.get(code, code)) for code in codes or [])
