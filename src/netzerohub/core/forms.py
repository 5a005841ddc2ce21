"""Form helpers shared by the apps' forms."""

from __future__ import annotations

from typing import Any


def email_list(text: str) -> list[str]:
    """The addresses of `text`, one per line or separated by commas or spaces, lower-cased and
    in order, each once (people named by email in a form: facilitators, reviewers)."""
    found = [part.strip().lower() for part in text.replace(",", " ").split()]
    return list(dict.fromkeys(part for part in found if part))


def rows_in_order(formset: Any) -> list[Any]:
    """The instances a valid formset keeps, in the order of its forms (deleted rows and empty
    extra rows left out): the ordered rows a service saves (phases, rules, questions)."""
    kept = []
    for form in formset.forms:
        if not form.has_changed() and form.instance.pk is None:
            continue
        if formset.can_delete and formset._should_delete_form(form):
            continue
        kept.append(form.instance)
    return kept
