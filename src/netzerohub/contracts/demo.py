"""The demo's sample Climate City Contract workspace of the demo city (Gent).

Built through the workspace's services (`workspace`, `save_commitments`, `save_narratives`,
`save_inventory_year`, `save_action`, `save_publishing`, `submit`, `review`, and
`commitments.save_interim_targets` and `save_signatories`, `portfolio.save_indicators`,
`save_measurements`, `save_capital_needs` and `save_funding`), so it is exactly what a city team
would have made, and audited. The workspace is marked `is_sample` (no service sets it: the
demo's own mark, saved with the commitments): the pages show a "Sample workspace" notice, and
every text says the figures are invented. **None of the figures is the demo city's real
data.**

- **Commitments**: climate neutrality by 2045 from a 2019 baseline, 15 % residual emissions
  offset, business as usual +0.3 % a year, every sector and scope covered; interim targets for
  2030, 2035 and 2040; four invented signatories.
- **Inventory**: the baseline year 2019 and the years 2021 and 2023 (t CO2e by sub-sector and
  scope, one removal line of AFOLU), falling a little each time.
- **Portfolio**: 13 actions across the seven fields of action and the six levers, with every
  status, expected annual reductions per sector (one enabling action with none), costs,
  co-benefits, 1–2 indicators with 2025/2027/2030 targets and measured values, capital needs
  over 3–5 years and 2–3 funding rows (secured, expected, and some not found yet).
- **The gap** is partly closed: the portfolio covers about two thirds of the required reduction
  (`GAP_SHARE_RANGE`, checked by the tests); the "gap" section text says how the rest will be
  closed.
- **Versions**: version 1 (the 2019 and 2021 inventories and the first 11 actions) submitted by
  the demo lead and returned by the coordinator with comments on two sections; then the member
  adds the 2023 inventory and two actions (a wind and solar park, carbon farming), and the
  lead submits version 2, which waits for review. The history shows what changed in the key figures.
- **Publishing**: the summary, the trajectory and the portfolio are published.

Loading is idempotent: nothing is written when the demo city's workspace already has content
(a sample, inventory rows, actions or versions).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction

from netzerohub.cities.models import City
from netzerohub.core.models import Term
from netzerohub.events.demo import DemoError, _city_of, _person

from . import commitments as lists
from . import portfolio, services
from .models import Action, Contract, Indicator
from .services import Row

__all__ = ["DemoError", "load_contract", "summary"]

LEAD = "lead@example.org"
MEMBER = "member@example.org"
COORDINATOR = "coordinator@example.org"

SAMPLE_NOTE = (
    "*Sample content written for the NetZero Hub demo: every figure in this workspace is "
    "invented to show how the workspace works. None of it is the city's real data.*"
)

BASELINE_YEAR, TARGET_YEAR = 2019, 2045
RESIDUAL_SHARE = Decimal("0.150")
BAU_ANNUAL_CHANGE = Decimal("0.0030")
# The portfolio covers this share of the required reduction (the tests check it).
GAP_SHARE_RANGE = (Decimal("0.55"), Decimal("0.80"))

# The baseline inventory: (sub-sector, scope, t CO2e, removal).
BASELINE: list[tuple[str, int, int, bool]] = [
    ("residential", 1, 540_000, False),
    ("residential", 2, 160_000, False),
    ("commercial", 1, 260_000, False),
    ("commercial", 2, 150_000, False),
    ("manufacturing", 1, 380_000, False),
    ("manufacturing", 2, 120_000, False),
    ("energy-industries", 1, 150_000, False),
    ("non-specified", 1, 15_000, False),
    ("fugitive", 1, 10_000, False),
    ("on-road", 1, 480_000, False),
    ("on-road", 3, 40_000, False),
    ("rail", 2, 7_000, False),
    ("waterborne", 1, 42_000, False),
    ("off-road", 1, 16_000, False),
    ("waste", 1, 70_000, False),
    ("waste", 3, 25_000, False),
    ("ippu", 1, 55_000, False),
    ("afolu", 1, 8_000, False),
    ("afolu", 1, 12_000, True),
]
# Later years: the baseline's rows scaled per sector (removals grow as the trees do).
LATER_YEARS: dict[int, dict[str, Decimal]] = {
    2021: {"stationary": Decimal("0.95"), "transportation": Decimal("0.90"),
           "waste": Decimal("0.97"), "ippu": Decimal("0.98"), "afolu": Decimal("1.00"),
           "removal": Decimal("1.05")},
    2023: {"stationary": Decimal("0.89"), "transportation": Decimal("0.86"),
           "waste": Decimal("0.93"), "ippu": Decimal("0.95"), "afolu": Decimal("0.98"),
           "removal": Decimal("1.10")},
}  # fmt: skip
SOURCES = {
    2019: "Sample baseline inventory (invented figures, GPC BASIC+ style).",
    2021: "Sample inventory update (invented figures).",
    2023: "Sample inventory update (invented figures).",
}

INTERIM_TARGETS = [
    (2030, Decimal("0.450"), "Sample interim target."),
    (2035, Decimal("0.650"), "Sample interim target."),
    (2040, Decimal("0.780"), "Sample interim target."),
]
SIGNATORIES = [
    ("Sample city council (demo)", "We adopt the contract's targets and budget its actions."),
    ("Sample port company (demo)", "We electrify our quays and host a wind and solar park."),
    ("Sample housing association (demo)", "We renovate 1,000 homes a year to a low-energy level."),
    ("Sample university (demo)", "We monitor the indicators and train the city's staff."),
]

# An action: title, field slug, lever slug, status, (start, end), responsible, stakeholders,
# reductions {sector: t CO2e a year}, (capital, operating a year) in EUR, co-benefits,
# indicators [(name, unit, 2025, 2027, 2030, {year: measured})], capital needs {year: EUR},
# funding [(year, source, status, EUR)], whether it comes after version 1.
ACTIONS: list[dict[str, Any]] = [
    {"title": "Extend the district heating network", "field": "energy-systems",
     "lever": "technology-infrastructure", "status": "in_progress",
     "dates": ("2021-03-01", "2032-12-31"), "responsible": "City energy department (sample)",
     "stakeholders": "Sample grid operator, housing associations, residents of the districts",
     "reductions": {"stationary": 320_000}, "costs": (180_000_000, 2_500_000),
     "co_benefits": ["mitigation", "economic", "health"],
     "indicators": [("Homes connected to district heating", "homes", 8_000, 14_000, 25_000,
                     {2021: 3_100, 2023: 6_400}),
                    ("Heat delivered from residual heat", "GWh", 120, 210, 380,
                     {2021: 40, 2023: 95})],
     "capital": {2024: 30_000_000, 2025: 40_000_000, 2026: 40_000_000, 2027: 35_000_000,
                 2028: 35_000_000},
     "funding": [(2024, "municipal", "secured", 12_000_000), (2025, "eu", "secured", 25_000_000),
                 (2026, "loans", "expected", 30_000_000)]},
    {"title": "Deep renovation of social housing", "field": "built-environment",
     "lever": "finance-funding", "status": "in_progress", "dates": ("2022-01-01", "2035-12-31"),
     "responsible": "Sample housing association", "stakeholders": "Tenants, building trades",
     "reductions": {"stationary": 180_000}, "costs": (240_000_000, 0),
     "co_benefits": ["mitigation", "social", "health"],
     "indicators": [("Social homes renovated", "homes", 2_500, 5_000, 9_000,
                     {2022: 400, 2023: 1_150})],
     "capital": {2024: 45_000_000, 2025: 50_000_000, 2026: 50_000_000, 2027: 50_000_000},
     "funding": [(2024, "national", "secured", 20_000_000), (2025, "eu", "expected", 15_000_000),
                 (2026, "municipal", "gap", 25_000_000)]},
    {"title": "One-stop shop for home renovation", "field": "built-environment",
     "lever": "social-innovation", "status": "in_progress", "dates": ("2021-09-01", "2030-12-31"),
     "responsible": "City housing department (sample)",
     "stakeholders": "Homeowners, energy advisers, banks",
     "reductions": {"stationary": 150_000}, "costs": (6_000_000, 1_800_000),
     "co_benefits": ["mitigation", "economic", "social"],
     "indicators": [("Households advised", "households", 6_000, 12_000, 20_000,
                     {2022: 1_800, 2023: 3_900})],
     "capital": {2024: 1_500_000, 2025: 1_500_000, 2026: 1_500_000},
     "funding": [(2024, "municipal", "secured", 1_500_000), (2025, "municipal", "expected",
                                                            1_500_000)]},
    {"title": "Solar roofs on schools and public buildings", "field": "energy-systems",
     "lever": "governance-policy", "status": "done", "dates": ("2020-01-01", "2023-12-31"),
     "responsible": "City facilities department (sample)", "stakeholders": "Schools",
     "reductions": {"stationary": 45_000}, "costs": (9_000_000, 150_000),
     "co_benefits": ["mitigation", "economic"],
     "indicators": [("Solar capacity on public roofs", "MWp", 18, 18, 18, {2021: 9, 2023: 18})],
     "capital": {2021: 3_000_000, 2022: 3_000_000, 2023: 3_000_000},
     "funding": [(2021, "municipal", "secured", 3_000_000), (2022, "municipal", "secured",
                 3_000_000)]},
    {"title": "Industrial heat and electrification covenant", "field": "industrial-processes",
     "lever": "governance-policy", "status": "planned", "dates": ("2025-01-01", "2035-12-31"),
     "responsible": "City economy department (sample)",
     "stakeholders": "Sample chamber of commerce, large industrial sites",
     "reductions": {"stationary": 280_000, "ippu": 20_000}, "costs": (350_000_000, 0),
     "co_benefits": ["mitigation", "economic", "environmental"],
     "indicators": [("Companies in the covenant", "companies", 10, 25, 40, {})],
     "capital": {2025: 50_000_000, 2026: 80_000_000, 2027: 100_000_000, 2028: 120_000_000},
     "funding": [(2026, "private", "expected", 60_000_000), (2027, "private", "gap",
                                                            100_000_000)]},
    {"title": "Extend the low-emission zone and the circulation plan",
     "field": "mobility-transport", "lever": "governance-policy", "status": "done",
     "dates": ("2020-01-01", "2022-12-31"), "responsible": "City mobility department (sample)",
     "stakeholders": "Residents, shopkeepers, delivery companies",
     "reductions": {"transportation": 90_000}, "costs": (4_000_000, 600_000),
     "co_benefits": ["mitigation", "health", "environmental"],
     "indicators": [("Car trips in the centre", "% of 2019", 70, 65, 55,
                     {2021: 78, 2023: 71})],
     "capital": {2020: 2_000_000, 2021: 1_000_000, 2022: 1_000_000},
     "funding": [(2020, "municipal", "secured", 2_000_000), (2021, "municipal", "secured",
                 2_000_000)]},
    {"title": "Electric buses and charging depots", "field": "mobility-transport",
     "lever": "technology-infrastructure", "status": "delayed",
     "dates": ("2022-06-01", "2030-12-31"), "responsible": "Sample public transport company",
     "stakeholders": "Regional transport authority, bus drivers",
     "reductions": {"transportation": 60_000}, "costs": (120_000_000, 3_000_000),
     "co_benefits": ["mitigation", "health"],
     "indicators": [("Electric buses in service", "buses", 60, 140, 300, {2023: 22})],
     "capital": {2025: 25_000_000, 2026: 30_000_000, 2027: 35_000_000},
     "funding": [(2025, "national", "secured", 10_000_000), (2026, "eu", "expected",
                 12_000_000), (2027, "loans", "gap", 35_000_000)]},
    {"title": "A connected cycling network", "field": "mobility-transport",
     "lever": "democracy-participation", "status": "in_progress",
     "dates": ("2021-01-01", "2030-12-31"), "responsible": "City mobility department (sample)",
     "stakeholders": "Cyclists' association, neighbourhood committees",
     "reductions": {"transportation": 70_000}, "costs": (60_000_000, 1_000_000),
     "co_benefits": ["mitigation", "health", "social"],
     "indicators": [("Share of trips by bicycle", "%", 30, 33, 38, {2021: 26, 2023: 29}),
                    ("Separated cycle lanes", "km", 120, 160, 220, {2021: 85, 2023: 104})],
     "capital": {2024: 8_000_000, 2025: 10_000_000, 2026: 10_000_000, 2027: 12_000_000},
     "funding": [(2024, "municipal", "secured", 8_000_000), (2025, "national", "expected",
                 6_000_000)]},
    {"title": "Waste prevention and a circular economy programme",
     "field": "waste-circular-economy", "lever": "social-innovation", "status": "in_progress",
     "dates": ("2022-01-01", "2030-12-31"), "responsible": "Sample waste company",
     "stakeholders": "Repair cafés, shops, schools",
     "reductions": {"waste": 40_000}, "costs": (15_000_000, 900_000),
     "co_benefits": ["mitigation", "economic", "environmental"],
     "indicators": [("Residual waste per resident", "kg", 120, 110, 95,
                     {2021: 138, 2023: 129})],
     "capital": {2024: 5_000_000, 2025: 5_000_000, 2026: 5_000_000},
     "funding": [(2024, "municipal", "secured", 5_000_000), (2025, "eu", "secured", 3_000_000),
                 (2026, "other", "gap", 5_000_000)]},
    {"title": "An urban forest and green corridors", "field": "green-infrastructure-nbs",
     "lever": "democracy-participation", "status": "planned",
     "dates": ("2025-03-01", "2040-12-31"), "responsible": "City green department (sample)",
     "stakeholders": "Nature associations, farmers at the city's edge",
     "reductions": {"afolu": 5_000}, "costs": (12_000_000, 400_000),
     "co_benefits": ["adaptation", "health", "environmental"],
     "indicators": [("Trees planted", "trees", 20_000, 60_000, 120_000, {})],
     "capital": {2025: 3_000_000, 2026: 3_000_000, 2027: 3_000_000},
     "funding": [(2025, "eu", "expected", 3_000_000), (2026, "municipal", "expected",
                 2_000_000)]},
    {"title": "Climate skills programme for the city's staff", "field": "energy-systems",
     "lever": "learning-capabilities", "status": "in_progress",
     "dates": ("2023-01-01", "2027-12-31"), "responsible": "City HR department (sample)",
     "stakeholders": "Sample university",
     "reductions": {}, "costs": (500_000, 200_000), "co_benefits": ["social", "economic"],
     "indicators": [("Staff trained", "people", 300, 800, 1_500, {2023: 140})],
     "capital": {2024: 200_000, 2025: 150_000, 2026: 150_000},
     "funding": [(2024, "municipal", "secured", 200_000), (2025, "municipal", "secured",
                 150_000)]},
    # added after version 1 was returned
    {"title": "Wind and solar park in the port area", "field": "energy-systems",
     "lever": "finance-funding", "status": "planned", "dates": ("2025-06-01", "2030-12-31"),
     "responsible": "Sample port company", "stakeholders": "Energy cooperative, residents",
     "reductions": {"stationary": 310_000}, "costs": (210_000_000, 4_000_000),
     "co_benefits": ["mitigation", "economic"],
     "indicators": [("Renewable power installed", "MW", 40, 120, 250, {})],
     "capital": {2026: 60_000_000, 2027: 80_000_000, 2028: 70_000_000},
     "funding": [(2026, "private", "expected", 60_000_000), (2027, "loans", "expected",
                 40_000_000), (2028, "eu", "gap", 30_000_000)], "later": True},
    {"title": "Farming with carbon-rich soils at the city's edge",
     "field": "agriculture-forestry-land-use", "lever": "social-innovation",
     "status": "planned", "dates": ("2025-09-01", "2032-12-31"),
     "responsible": "City green department (sample)",
     "stakeholders": "Farmers, a local food council, the sample university",
     "reductions": {"afolu": 3_000}, "costs": (3_000_000, 500_000),
     "co_benefits": ["mitigation", "adaptation", "environmental"],
     "indicators": [("Farmland under carbon-farming contracts", "ha", 100, 400, 900, {})],
     "capital": {2026: 1_000_000, 2027: 1_000_000, 2028: 1_000_000},
     "funding": [(2026, "municipal", "secured", 1_000_000), (2027, "national", "expected",
                 1_000_000)], "later": True},
]  # fmt: skip

AMBITION = (
    "The city aims to be climate neutral by 2045: at least 85 % less greenhouse gas than in "
    "2019, the rest offset in the city's own green areas and through certified projects.\n\n"
    + SAMPLE_NOTE
)
PRIORITIES = (
    "1. Heat without fossil fuels: district heating and renovated homes.\n"
    "2. A city of short trips: walking, cycling and clean public transport.\n"
    "3. An industry that runs on renewable power and residual heat.\n\n" + SAMPLE_NOTE
)
PRINCIPLES = (
    "Every neighbourhood is involved before decisions are taken; the poorest households are "
    "helped first; progress is reported every year in public.\n\n" + SAMPLE_NOTE
)
NARRATIVES = {
    "A-2": "The sample city's climate plan of 2020 and its mobility and housing plans are the "
    "starting point; this contract brings them together.",
    "A-3": "Barriers: the pace of renovation, grid capacity, skilled workers. Opportunities: "
    "the port's space for renewables, an active cycling culture.",
    "B-1": "Two scenarios were compared; the chosen one relies on heat networks and "
    "electrification, with the actions grouped into three impact pathways.",
    "B-2": "At most 15 % of the baseline emissions remain in 2045; they are offset by the "
    "urban forest and certified removals.",
    "C-1": "A transition team reports to the mayor; every department has a climate budget.",
    "C-2": "Energy cooperatives, repair cafés and farmers at the city's edge take part in "
    "the actions; a citizens' panel follows the contract.",
    "C-3": "The municipal budget, national and EU funds are combined; private investment "
    "covers the port and industry.",
    "gap": "The portfolio covers about two thirds of the required reduction. The rest will "
    "come from actions still being prepared with the region (a heat pump programme for "
    "private homes, freight logistics) and will be added to the next version.",
}
# Version 1's section text for the gap, before the port park and the energy communities.
FIRST_GAP_TEXT = "The portfolio does not cover the required reduction yet."
# ("gap" is no review section: the emissions gap is the template's)
RETURN_COMMENTS = {
    "A-2": "A-2.3: please explain how the remaining gap will be closed and by when "
    "(sample comment).",
    "B-1": "The port area's renewable potential is not in the portfolio yet (sample comment).",
}


def _sample(text: str) -> str:
    return f"{text}\n\n{SAMPLE_NOTE}"


def baseline_rows() -> list[Row]:
    return [Row(sub, scope, Decimal(t), removal) for sub, scope, t, removal in BASELINE]


def year_rows(year: int) -> list[Row]:
    """The rows of a later inventory year: the baseline's scaled per sector."""
    from .sectors import sector_of

    factors = LATER_YEARS[year]
    return [
        Row(
            row.subsector,
            row.scope,
            (row.tco2e * factors["removal" if row.removal else sector_of(row.subsector)]).quantize(
                Decimal(1)
            ),
            row.removal,
        )
        for row in baseline_rows()
    ]


def load_contract(people: Mapping[str, Any]) -> Counter:
    """Create the demo city's sample workspace unless it already has content. `people` maps the
    demo emails to users: the member enters, the lead submits, the coordinator reviews. Returns
    what was created, counted by kind."""
    member, lead = _person(people, MEMBER), _person(people, LEAD)
    coordinator = _person(people, COORDINATOR)
    city = _city_of(lead)
    report: Counter = Counter()
    with transaction.atomic():
        existing = Contract.objects.filter(city=city).first()
        if existing is not None and _has_content(existing):
            return report
        terms = {
            (t.kind, t.slug): t for t in Term.objects.filter(kind__in=[Term.Kind.FIELD,
                                                                       Term.Kind.LEVER])
        }  # fmt: skip
        wanted = {("field", a["field"]) for a in ACTIONS} | {("lever", a["lever"]) for a in ACTIONS}
        if missing := wanted - set(terms):
            raise DemoError(f"Missing fields of action or levers: {sorted(missing)}.")
        contract = _commitments(city, member)
        report["sample workspaces"] += 1
        services.save_narratives(
            contract,
            {**{k: _sample(v) for k, v in NARRATIVES.items()}, "gap": _sample(FIRST_GAP_TEXT)},
            actor=member,
        )
        for year, rows in ((BASELINE_YEAR, baseline_rows()), (2021, year_rows(2021))):
            services.save_inventory_year(contract, year, rows, actor=member, source=SOURCES[year])
            report["inventory years"] += 1
        for spec in ACTIONS:
            if not spec.get("later"):
                _action(contract, spec, terms, member)
                report["actions"] += 1
        services.save_publishing(
            contract,
            {"publish_summary": True, "publish_trajectory": True, "publish_portfolio": True},
            actor=lead,
        )
        first = services.submit(contract, actor=lead)
        services.review(first, accept=False, comments=RETURN_COMMENTS, actor=coordinator)
        report["versions"] += 1
        # after the return: the latest inventory, two more actions, the gap explained
        services.save_inventory_year(contract, 2023, year_rows(2023), actor=member,
                                     source=SOURCES[2023])  # fmt: skip
        report["inventory years"] += 1
        for spec in ACTIONS:
            if spec.get("later"):
                _action(contract, spec, terms, member)
                report["actions"] += 1
        services.save_narratives(contract, {"gap": _sample(NARRATIVES["gap"])}, actor=member)
        services.submit(contract, actor=lead)
        report["versions"] += 1
    return report


def _has_content(contract: Contract) -> bool:
    return (
        contract.is_sample
        or contract.inventory.exists()
        or contract.actions.exists()
        or contract.versions.exists()
    )


def _commitments(city: City, actor: Any) -> Contract:
    contract = services.workspace(city)
    contract.baseline_year, contract.target_year = BASELINE_YEAR, TARGET_YEAR
    contract.residual_share, contract.bau_annual_change = RESIDUAL_SHARE, BAU_ANNUAL_CHANGE
    contract.covered_sectors = ["stationary", "transportation", "waste", "ippu", "afolu"]
    contract.covered_scopes = [1, 2, 3]
    contract.ambition, contract.priorities, contract.principles = AMBITION, PRIORITIES, PRINCIPLES
    contract.is_sample = True  # no service sets it: the demo's own mark
    services.save_commitments(contract, actor=actor)
    lists.save_interim_targets(
        contract, [lists.Target(*target) for target in INTERIM_TARGETS], actor=actor
    )
    lists.save_signatories(
        contract,
        [lists.Signer(name, _sample(text), dt.date(2024, 6, 5)) for name, text in SIGNATORIES],
        actor=actor,
    )
    return contract


def _action(contract: Contract, spec: Mapping[str, Any], terms: Mapping, actor: Any) -> Action:
    starts, ends = (dt.date.fromisoformat(d) for d in spec["dates"])
    capital, operating = spec["costs"]
    action = services.save_action(
        Action(
            contract=contract,
            title=spec["title"],
            field=terms[("field", spec["field"])],
            lever=terms[("lever", spec["lever"])],
            description=_sample(f"{spec['title']}: a sample action of the demo workspace."),
            responsible=spec["responsible"],
            stakeholders=spec["stakeholders"],
            starts=starts,
            ends=ends,
            status=spec["status"],
            capital_cost=Decimal(capital),
            operating_cost=Decimal(operating),
            co_benefits=list(spec["co_benefits"]),
        ),
        actor=actor,
        reductions={sector: Decimal(t) for sector, t in spec["reductions"].items()},
    )
    Change = portfolio.Change
    portfolio.save_indicators(
        action,
        [
            Change(None, {"name": name, "unit": unit, "target_2025": Decimal(t2025),
                          "target_2027": Decimal(t2027), "target_2030": Decimal(t2030)})
            for name, unit, t2025, t2027, t2030, _measured in spec["indicators"]
        ],
        actor=actor,
    )  # fmt: skip
    indicators = {i.name: i.pk for i in Indicator.objects.filter(action=action)}
    portfolio.save_measurements(
        action,
        [
            Change(None, {"indicator_id": indicators[name], "year": year, "value": Decimal(value)})
            for name, _unit, _a, _b, _c, measured in spec["indicators"]
            for year, value in measured.items()
        ],
        actor=actor,
    )
    portfolio.save_capital_needs(
        action,
        [
            Change(None, {"year": year, "amount": Decimal(amount)})
            for year, amount in spec["capital"].items()
        ],
        actor=actor,
    )
    portfolio.save_funding(
        action,
        [
            Change(None, {"year": year, "source": source, "status": status,
                          "amount": Decimal(amount), "note": "Sample funding row (invented)."})
            for year, source, status, amount in spec["funding"]
        ],
        actor=actor,
    )  # fmt: skip
    return action


def summary(report: Counter) -> list[str]:
    if not report:
        return ["Sample Climate City Contract workspace: already there."]
    parts = ", ".join(f"{count} {kind}" for kind, count in sorted(report.items()))
    return [f"Sample Climate City Contract workspace: {parts}."]
