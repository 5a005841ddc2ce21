"""What each kind of eligibility rule checks, in plain words with how to fix a failure.

A call's rules are data (`EligibilityRule`); this module is the fixed rule set they pick from.
Rules about the city (country, status, target year, pledge, population, meetings attended) are
checked against the city as it is now, so a city sees before applying which rules it meets.
Rules about what the applicant declares (hours a month, representatives) are checked against
the application; before an application exists they are "to declare". The server checks every
rule again when an application is submitted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from netzerohub.cities.eligibility import country_verdict
from netzerohub.cities.models import City
from netzerohub.events.models import Registration

from .models import Application, EligibilityRule

Kind = EligibilityRule.Kind
MET, FAILED, TO_DECLARE = "met", "failed", "to-declare"
B2_OR_ABOVE = ("B2", "C1", "C2")


@dataclass(frozen=True)
class Check:
    rule: EligibilityRule
    outcome: str  # met | failed | to-declare
    says: str  # the rule in plain words
    why: str = ""  # what is wrong, when failed
    fix: str = ""  # how to put it right
    fix_url: str = ""

    @property
    def failed(self) -> bool:
        return self.outcome == FAILED


def describe(rule: EligibilityRule) -> str:
    """The rule as the call's page states it."""
    if rule.kind == Kind.TARGET_YEAR:
        return _("A climate-neutrality target year of %(year)s or earlier.") % {
            "year": rule.year or 2050
        }
    if rule.kind == Kind.POPULATION:
        if rule.minimum and rule.maximum:
            return _("A population between %(low)s and %(high)s.") % {
                "low": f"{rule.minimum:,}",
                "high": f"{rule.maximum:,}",
            }
        if rule.minimum:
            return _("A population of at least %(low)s.") % {"low": f"{rule.minimum:,}"}
        return _("A population of at most %(high)s.") % {"high": f"{rule.maximum or 0:,}"}
    if rule.kind == Kind.MEETINGS:
        return _("Attended at least %(count)s meetings of the peer group “%(group)s”.") % {
            "count": rule.minimum or 1,
            "group": rule.group.title if rule.group_id else _("(no group chosen)"),
        }
    if rule.kind == Kind.HOURS:
        return _("Commits at least %(hours)s hours a month to the exchange.") % {
            "hours": rule.minimum or 12
        }
    return str(rule.get_kind_display()) + "."


def _profile_url(city: City) -> str:
    return reverse("cities:edit-profile", args=[city.pk])


def _country(rule: EligibilityRule, city: City, application: Application | None) -> Check:
    verdict = country_verdict(city.country)
    if verdict.eligible:
        return Check(rule, MET, describe(rule))
    return Check(
        rule,
        FAILED,
        describe(rule),
        why=" ".join(verdict.reasons),
        fix=_("This cannot be changed by the city: the programme's rule decides."),
    )


def _not_participating(rule: EligibilityRule, city: City, application: Application | None):
    taken = (City.Status.MISSION, City.Status.PILOT, City.Status.TWIN)
    if city.status not in taken:
        return Check(rule, MET, describe(rule))
    return Check(
        rule,
        FAILED,
        describe(rule),
        why=_("%(city)s is already a %(status)s.")
        % {"city": city.name, "status": city.get_status_display()},
        fix=_("This call is for cities that do not take part in the programme in that role yet."),
    )


def _target_year(rule: EligibilityRule, city: City, application: Application | None) -> Check:
    year = rule.year or 2050
    if city.target_year is None:
        return Check(
            rule,
            FAILED,
            describe(rule),
            why=_("%(city)s has not set a climate-neutrality target year.") % {"city": city.name},
            fix=_("Set your target year on the city profile."),
            fix_url=_profile_url(city),
        )
    if city.target_year > year:
        return Check(
            rule,
            FAILED,
            describe(rule),
            why=_("%(city)s's target year is %(target)s.")
            % {"city": city.name, "target": city.target_year},
            fix=_("If the city has adopted an earlier target, update it on the city profile."),
            fix_url=_profile_url(city),
        )
    return Check(rule, MET, describe(rule))


def _pledge(rule: EligibilityRule, city: City, application: Application | None) -> Check:
    if city.com_signatory:
        return Check(rule, MET, describe(rule))
    return Check(
        rule,
        FAILED,
        describe(rule),
        why=_("The city profile does not say that %(city)s has signed the Covenant of Mayors.")
        % {"city": city.name},
        fix=_("If the city is a signatory, say so on the city profile."),
        fix_url=_profile_url(city),
    )


def _population(rule: EligibilityRule, city: City, application: Application | None) -> Check:
    people = city.population
    low, high = rule.minimum, rule.maximum
    if people is not None and (low is None or people >= low) and (high is None or people <= high):
        return Check(rule, MET, describe(rule))
    if people is None:
        why = _("The city's population is not known.")
        fix = _("Give the population on the city profile.")
    else:
        why = _("%(city)s has %(people)s inhabitants.") % {
            "city": city.name,
            "people": f"{people:,}",
        }
        fix = _("If the figure is out of date, correct it on the city profile.")
    return Check(rule, FAILED, describe(rule), why=why, fix=fix, fix_url=_profile_url(city))


def _meetings(rule: EligibilityRule, city: City, application: Application | None) -> Check:
    needed = rule.minimum or 1
    if rule.group_id is None:
        attended = 0
    else:
        attended = Registration.objects.for_group(rule.group).for_city(city).meetings_attended()
    if attended >= needed:
        return Check(rule, MET, describe(rule))
    return Check(
        rule,
        FAILED,
        describe(rule),
        why=_("People of %(city)s attended %(count)s of its meetings so far.")
        % {"city": city.name, "count": attended},
        fix=_("Join the group and take part in its next meetings."),
        fix_url=rule.group.get_absolute_url() if rule.group_id else "",
    )


def _hours(rule: EligibilityRule, city: City, application: Application | None) -> Check:
    needed = rule.minimum or 12
    if application is None or application.hours_per_month is None:
        return Check(
            rule,
            TO_DECLARE,
            describe(rule),
            fix=_("Declare the hours a month in the application."),
        )
    if application.hours_per_month >= needed:
        return Check(rule, MET, describe(rule))
    return Check(
        rule,
        FAILED,
        describe(rule),
        why=_("The application declares %(hours)s hours a month.")
        % {"hours": application.hours_per_month},
        fix=_("The exchange needs at least %(hours)s hours a month.") % {"hours": needed},
    )


def _representatives(rule: EligibilityRule, city: City, application: Application | None):
    if application is None or not application.representatives:
        return Check(
            rule,
            TO_DECLARE,
            describe(rule),
            fix=_("Name one or two representatives in the application."),
        )
    people = application.representatives
    with_b2 = [p for p in people if str(p.get("english", "")).upper() in B2_OR_ABOVE]
    if 1 <= len(people) <= 2 and len(with_b2) == len(people):
        return Check(rule, MET, describe(rule))
    if len(people) > 2:
        why = _("The application names %(count)s representatives.") % {"count": len(people)}
    else:
        why = _("Not every representative has English at level B2 or above.")
    return Check(
        rule,
        FAILED,
        describe(rule),
        why=why,
        fix=_("Name one or two representatives, each with English at B2 or above."),
    )


CHECKS: dict[str, Callable[[EligibilityRule, City, Application | None], Check]] = {
    Kind.COUNTRY_ELIGIBLE: _country,
    Kind.NOT_PARTICIPATING: _not_participating,
    Kind.TARGET_YEAR: _target_year,
    Kind.PLEDGE: _pledge,
    Kind.POPULATION: _population,
    Kind.MEETINGS: _meetings,
    Kind.HOURS: _hours,
    Kind.REPRESENTATIVES: _representatives,
}


def check(
    rules: Iterable[EligibilityRule], city: City, application: Application | None = None
) -> list[Check]:
    """Every rule of a call checked for `city` (and its application, when given)."""
    return [CHECKS[r.kind](r, city, application) for r in rules]


def is_eligible(checks: Iterable[Check]) -> bool:
    """No rule failed (rules still to declare do not count against the city yet)."""
    return not any(c.failed for c in checks)


def failures(checks: Iterable[Check]) -> list[Check]:
    return [c for c in checks if c.failed]


def rules_of(call: Any) -> list[EligibilityRule]:
    return list(call.rules.select_related("group").order_by("position", "id"))
