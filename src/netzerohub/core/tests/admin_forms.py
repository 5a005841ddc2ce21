"""Posting the Django admin's change forms in tests."""

from __future__ import annotations


def admin_form_data(response) -> dict:
    """What the admin's change form (with its inlines) would send back unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for formset in response.context["inline_admin_formsets"]:
        forms += [formset.formset.management_form, *formset.formset.forms]
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = value if not isinstance(value, bool) else "on"
    return data
