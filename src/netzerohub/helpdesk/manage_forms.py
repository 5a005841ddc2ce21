"""Forms of the pages that run the helpdesk: the queue filters, the FAQ, canned replies,
absences, and the coordinators' configuration (working time, service levels, holidays, queues,
routing rules). They validate and build unsaved rows; the views hand them to the services."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from netzerohub.core.models import Term

from .models import (
    Absence,
    CannedReply,
    Category,
    FaqEntry,
    Holiday,
    Priority,
    Queue,
    RoutingRule,
    ServiceLevel,
    Ticket,
    WorkingTime,
)

S = Ticket.Status
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
EUROPEAN_ZONES = sorted(
    (zone, zone.replace("_", " "))
    for zone in zoneinfo.available_timezones()
    if zone.startswith("Europe/") or zone == "UTC"
)
WEEKDAYS = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]


def expert_choices() -> Any:
    """The people who may work in a queue: helpdesk experts and staff, active."""
    return (
        get_user_model()
        .objects.filter(Q(is_helpdesk_expert=True) | Q(is_staff=True), is_active=True)
        .order_by("name", "email")
    )


# --- the queue page's filters ----------------------------------------------------------------


class QueueFilterForm(forms.Form):
    """What a queue page shows (GET). Unknown values fall back to the defaults, so a tampered
    address shows the queue rather than an error."""

    STATUSES = [
        ("", _("Active (new, open, waiting)")),
        (S.NEW, S.NEW.label),
        (S.OPEN, S.OPEN.label),
        (S.WAITING, S.WAITING.label),
        (S.RESOLVED, S.RESOLVED.label),
        (S.CLOSED, S.CLOSED.label),
    ]
    ORDERS = [("due", _("Due soonest")), ("newest", _("Newest"))]

    status = forms.ChoiceField(label=_("Status"), choices=STATUSES, required=False)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("Any")), *Priority.choices], required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    order = forms.ChoiceField(label=_("Order"), choices=ORDERS, required=False)

    def __init__(self, *args: Any, experts: list[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("unassigned", _("Nobody (unassigned)")),
            *((str(person.pk), str(person)) for person in experts),
        ]

    def filters(self) -> dict[str, Any]:
        """The valid filters, each with its default when missing or invalid."""
        chosen = {"status": "", "assignee": "", "priority": "", "overdue": False, "order": "due"}
        if self.is_bound:
            self.is_valid()
            for name in chosen:
                if name in self.cleaned_data and name not in self.errors:
                    chosen[name] = self.cleaned_data[name] or chosen[name]
        return chosen


# --- FAQ and canned replies ------------------------------------------------------------------


class FaqForm(forms.ModelForm):
    class Meta:
        model = FaqEntry
        fields = ["question", "answer", "category", "status", "position"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 12})}
        help_texts = {
            "answer": _("Markdown: *emphasis*, **bold**, lists, [links](https://…)."),
            "status": _(
                "A published entry is on the public help page and is suggested to people "
                "typing a question; a draft is seen by the helpdesk only."
            ),
            "position": _("Lower numbers come first within the category."),
        }


class CannedReplyForm(forms.ModelForm):
    class Meta:
        model = CannedReply
        fields = ["title", "body", "queue"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}
        help_texts = {"body": _("Markdown. Experts adapt it before they send it.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        queue = self.fields["queue"]
        queue.queryset = Queue.objects.order_by("name", "id")
        queue.empty_label = gettext("Every queue")


# --- absences --------------------------------------------------------------------------------


class AbsenceForm(forms.ModelForm):
    """An absence: the expert's own, or (for coordinators, `choose_expert`) anyone's."""

    class Meta:
        model = Absence
        fields = ["expert", "starts_on", "ends_on", "note"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args: Any, choose_expert: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if choose_expert:
            self.fields["expert"].queryset = expert_choices()
        else:
            del self.fields["expert"]
        self.fields["note"].help_text = gettext("Optional, e.g. “annual leave”.")

    def clean_starts_on(self) -> dt.date:
        starts = self.cleaned_data["starts_on"]
        if starts < timezone.localdate():
            raise forms.ValidationError(gettext("The first day cannot be in the past."))
        return starts

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", gettext("The last day cannot be before the first day."))
        return data


# --- settings --------------------------------------------------------------------------------


class WorkingTimeForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=EUROPEAN_ZONES)
    days = forms.MultipleChoiceField(
        label=_("Working days"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WorkingTime
        fields = ["time_zone", "day_starts", "day_ends", "warn_hours", "auto_close_days"]
        widgets = {"day_starts": TIME, "day_ends": TIME}
        help_texts = {
            "warn_hours": _(
                "The assignee (or the queue's experts) is told this many working hours "
                "before a ticket would be late; tickets due within it are on the overdue list."
            ),
        }

    field_order = ["time_zone", "days", "day_starts", "day_ends", "warn_hours", "auto_close_days"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("days", [str(d) for d in sorted(self.instance.days)])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("day_starts"), data.get("day_ends")
        if starts and ends and ends <= starts:
            self.add_error("day_ends", gettext("The working day must end after it starts."))
        if data.get("days"):
            self.instance.work_days = ",".join(sorted(data["days"]))
        return data


class ServiceLevelForm(forms.Form):
    """The targets of one priority (both empty: no targets, no due times)."""

    first_response_hours = forms.IntegerField(
        label=_("First response within (working hours)"),
        min_value=1,
        max_value=2000,
        required=False,
    )
    resolution_hours = forms.IntegerField(
        label=_("Resolution within (working hours)"), min_value=1, max_value=2000, required=False
    )

    def __init__(self, *args: Any, priority: str, level: ServiceLevel | None, **kwargs: Any):
        kwargs.setdefault("prefix", f"level-{priority}")
        if level is not None:
            kwargs.setdefault(
                "initial",
                {
                    "first_response_hours": level.first_response_hours,
                    "resolution_hours": level.resolution_hours,
                },
            )
        super().__init__(*args, **kwargs)
        self.priority = priority
        self.label = Priority(priority).label
        self.level = level

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, resolution = data.get("first_response_hours"), data.get("resolution_hours")
        if (first is None) != (resolution is None) and not self.errors:
            raise forms.ValidationError(
                gettext("Give both targets for %(priority)s, or neither.")
                % {"priority": self.label}
            )
        if first and resolution and resolution < first:
            self.add_error(
                "resolution_hours",
                gettext("Resolution cannot be due before the first response."),
            )
        return data

    def change(self) -> tuple[ServiceLevel | None, ServiceLevel | None]:
        """(a row to save, a row to delete) — either may be None."""
        first = self.cleaned_data.get("first_response_hours")
        resolution = self.cleaned_data.get("resolution_hours")
        if first is None:
            return None, self.level
        level = self.level or ServiceLevel(priority=self.priority)
        if (level.first_response_hours, level.resolution_hours) == (first, resolution):
            return None, None
        level.first_response_hours, level.resolution_hours = first, resolution
        return level, None


class HolidayForm(forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "name"]
        widgets = {"date": DATE}
        labels = {"name": _("Name of the holiday")}


# --- queues and routing ----------------------------------------------------------------------


@dataclass
class QueueExperts:
    """The experts of a queue, set when `services.save_settings` saves it (after the queue,
    in the same transaction): `save_settings` saves objects, and this object's save is the
    many-to-many write."""

    queue: Queue
    experts: list[Any]

    def save(self) -> None:
        self.queue.experts.set(self.experts)


class QueueForm(forms.ModelForm):
    class Meta:
        model = Queue
        fields = [
            "name",
            "slug",
            "description",
            "experts",
            "auto_assign",
            "is_default",
            "is_active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "experts": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "slug": _("The queue's web address: lower-case letters, digits and hyphens."),
            "experts": _("Helpdesk experts and staff. They see and answer the queue's tickets."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = expert_choices()

    def clean_is_default(self) -> bool:
        wanted = self.cleaned_data["is_default"]
        if wanted:
            other = Queue.objects.filter(is_default=True).exclude(pk=self.instance.pk).first()
            if other is not None:
                raise forms.ValidationError(
                    gettext(
                        "“%(queue)s” is the default queue. There can be only one: untick "
                        "“default queue” there first."
                    )
                    % {"queue": other.name}
                )
        return wanted

    def rows(self) -> list[Any]:
        """What `save_settings` saves: the queue, then its experts."""
        return [self.instance, QueueExperts(self.instance, list(self.cleaned_data["experts"]))]


@dataclass
class Route:
    """One row of the routing table: a kind of ticket and its rule's queue (None: no rule)."""

    key: str
    category: str
    category_label: str
    term: Term | None
    rule: RoutingRule | None

    @property
    def label(self) -> str:
        return str(self.term.name) if self.term else str(self.category_label)


def routes() -> list[Route]:
    """Every kind of ticket, in order: each category, and under expert guidance each field of
    action and lever; with its rule when there is one (two queries)."""
    rules = {
        (rule.category, rule.term_id): rule for rule in RoutingRule.objects.select_related("queue")
    }
    found = []
    for value, label in Category.choices:
        found.append(Route(value, value, label, None, rules.get((value, None))))
        if value == Category.EXPERT:
            for term in Term.objects.filter(kind__in=["field", "lever"]).order_by(
                "kind", "position", "name"
            ):
                key = f"{value}-{term.pk}"
                found.append(Route(key, value, label, term, rules.get((value, term.pk))))
    return found


class RulesForm(forms.Form):
    """A queue select per kind of ticket: empty removes the rule (the category's rule, or the
    default queue, then applies)."""

    def __init__(self, *args: Any, table: list[Route], queues: list[Queue], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.table = table
        choices = [
            (str(q.pk), q.name if q.is_active else f"{q.name} ({gettext('inactive')})")
            for q in queues
        ]
        self.queues = {str(q.pk): q for q in queues}
        for route in table:
            empty = (
                gettext("As the category") if route.term else gettext("No rule (the default queue)")
            )
            self.fields[route.key] = forms.ChoiceField(
                label=route.label,
                choices=[("", empty), *choices],
                required=False,
                initial=str(route.rule.queue_id) if route.rule else "",
            )
            route.field = self[route.key]

    def changes(self) -> tuple[list[RoutingRule], list[RoutingRule]]:
        """(rules to save, rules to delete)."""
        save, delete = [], []
        for route in self.table:
            chosen = self.cleaned_data.get(route.key) or ""
            if not chosen:
                if route.rule is not None:
                    delete.append(route.rule)
                continue
            queue = self.queues[chosen]
            if route.rule is None:
                save.append(RoutingRule(category=route.category, term=route.term, queue=queue))
            elif route.rule.queue_id != queue.pk:
                route.rule.queue = queue
                save.append(route.rule)
        return save, delete
