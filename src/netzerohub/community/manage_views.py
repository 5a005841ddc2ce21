"""Coordinators' pages for peer groups: create and edit a group, its facilitators and its
phases. Every page answers 404 to anyone who is not a coordinator."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from netzerohub.core.forms import rows_in_order
from netzerohub.core.policies import coordinator_only

from . import services
from .forms import GroupForm, PhaseFormSet
from .models import Group


@coordinator_only
def group_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    group = None
    if slug is not None:
        group = Group.objects.filter(slug=slug).first()
        if group is None:
            raise Http404
    # The page's title and links name the group as saved, not as typed (a form refused keeps
    # the typed values in its instance).
    saved_as = {"title": group.title, "url": group.get_absolute_url()} if group else None
    data = request.POST if request.method == "POST" else None
    form = GroupForm(data, instance=group)
    phases = PhaseFormSet(data, instance=group or Group(), prefix="phases")
    if data is not None and all([form.is_valid(), phases.is_valid()]):
        try:
            saved = services.save_group(
                form.save(commit=False),
                actor=request.user,
                facilitators=form.cleaned_data["facilitator_emails"],
                phases=rows_in_order(phases),
            )
        except services.CommunityError as error:
            form.add_error(None, str(error))
        else:
            not_mentors = form.facilitators_not_mentors()
            if not_mentors:
                messages.warning(
                    request,
                    _(
                        "Not a mentor of a Mission or Pilot City: %(people)s. Facilitators are "
                        "normally mentors; check that this is intended."
                    )
                    % {"people": ", ".join(str(person) for person in not_mentors)},
                )
            messages.success(request, _("Group saved."))
            return redirect(saved)
    context = {"form": form, "phases": phases, "group": saved_as}
    return render(request, "community/group_form.html", context)
