from typing import Any

from django import template

from netzerohub.cities.policies import approved_memberships, is_coordinator

register = template.Library()


@register.filter
def reviews_resources(user: Any) -> bool:
    """Coordinators and mentors review contributions (the navigation offers "To review")."""
    if is_coordinator(user):
        return True
    return any(m.is_mentor for m in approved_memberships(user).values())
