from django import template
from django.utils.safestring import SafeString

from netzerohub.core.audit import describe
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
