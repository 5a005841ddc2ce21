from django import template
from django.utils.safestring import SafeString

from netzerohub.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value: str) -> SafeString:
    """Render user Markdown as sanitised HTML."""
    return render_markdown(value)
