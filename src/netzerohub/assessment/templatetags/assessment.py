from django import template

from netzerohub.assessment.scoring import shown

register = template.Library()


@register.filter(name="score")
def score_filter(value) -> str:
    """A score as displayed: rounded half up to a whole number (62.5 → 63), "—" for none."""
    rounded = shown(value)
    return "—" if rounded is None else str(rounded)


@register.filter(name="signed")
def signed(value) -> str:
    """A change of score: "+5", "−3", "±0"; "—" when there is nothing to compare."""
    if value is None:
        return "—"
    if value > 0:
        return f"+{value}"
    return f"−{-value}" if value < 0 else "±0"
