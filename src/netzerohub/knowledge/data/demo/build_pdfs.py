"""Build the five sample PDFs attached to the demo knowledge resources.

Run once by a developer, from the repository root:

    .venv/bin/python src/netzerohub/knowledge/data/demo/build_pdfs.py

Each PDF is rendered from the Markdown text below with markdown-it-py and WeasyPrint,
using only locally installed fonts (DejaVu Sans, with generic fallbacks) and no remote
resources: the URL fetcher refuses every protocol except ``data:``. The output files are
committed, so the application never runs this script.

Every document starts with the line "Sample content — NetZero Hub demo" and carries a
title in its PDF metadata. Each one also contains a few distinctive terms that appear in
no resource text in ``resources.json``; they are listed in ``DISTINCTIVE`` (and in
README.md) so that tests can check that attachment text is indexed. The script checks
that each term is present and is kept on one line, and that each file stays small.
"""

# Markdown table rows in the documents below cannot be wrapped.
# ruff: noqa: E501

from __future__ import annotations

import html
import os
import re
import sys
from pathlib import Path

# Fixed timestamp for font subsetting, so that rebuilding gives byte-identical files.
os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z

from markdown_it import MarkdownIt
from weasyprint import HTML, URLFetcher

HERE = Path(__file__).resolve().parent
OUT_DIR = HERE / "files"
FIRST_LINE = "Sample content — NetZero Hub demo"
AUTHOR = "NetZero Hub sample content team"
MAX_BYTES = 60_000

CSS = """
@page {
  size: A4;
  margin: 16mm 17mm 18mm;
  @bottom-center {
    content: "NetZero Hub demo · sample content · page " counter(page) " of " counter(pages);
    font-family: "DejaVu Sans", sans-serif;
    font-size: 7.5pt;
    color: #555;
  }
}
html { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 9.2pt;
       line-height: 1.38; color: #1b1b1b; }
p.sample { margin: 0 0 4mm; padding: 1.5mm 3mm; border-left: 3px solid #2f7d4f;
           background: #eef6f0; font-weight: bold; font-size: 8.5pt; }
h1 { font-size: 15pt; line-height: 1.2; margin: 0 0 3mm; color: #1f4e37; }
h2 { font-size: 11pt; margin: 5mm 0 1.5mm; color: #1f4e37; break-after: avoid; }
p { margin: 0 0 2mm; }
ul, ol { margin: 0 0 2mm; padding-left: 6mm; }
li { margin: 0 0 0.8mm; }
li.check { list-style: none; margin-left: -4mm; }
td:empty { height: 6.5mm; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; font-size: 8.2pt; }
th, td { border: 0.6pt solid #9aa; padding: 1.2mm 1.6mm; vertical-align: top; text-align: left; }
th { background: #e4ece7; }
tr { break-inside: avoid; }
.keep { white-space: nowrap; }
"""

# file name -> (PDF title, short description, distinctive terms, Markdown body)
DOCUMENTS: dict[str, tuple[str, str, tuple[str, ...], str]] = {}

DOCUMENTS["baseline-inventory-checklist.pdf"] = (
    "Baseline emission inventory checklist: data requests by sector",
    "Printable companion to the baseline inventory checklist: what to ask each data holder.",
    ("refrigerant leakage", "landfill methane", "enteric fermentation"),
    """
# Baseline emission inventory checklist: data requests by sector

Use this sheet when you write to data holders. Send requests early: some data holders
need a data-sharing agreement before they can answer, and national statistics are often
published a year or more after the period they describe.

## Data requests

| Data holder | What to ask for | Sector and scope |
| --- | --- | --- |
| Electricity grid operator | metered consumption per customer category; local generation fed into the grid | stationary energy, scope 2 (and scope 1 for local plants) |
| Gas network operator | deliveries per customer category, temperature-corrected if available | stationary energy, scope 1 |
| Heat network company | heat delivered per customer category; fuel input and efficiency of each plant | stationary energy, scopes 1 and 2 |
| Fuel suppliers or national statistics | heating oil, LPG and solid fuel sales in the area | stationary energy, scope 1 |
| Traffic and transport authority | vehicle-kilometres per vehicle type from the traffic model; bus fleet energy use | transportation, scope 1 |
| Port, airport, rail operator | fuel or electricity used by ships, aircraft and trains linked to the city | transportation, scopes 1 to 3 |
| Waste operator | tonnes per treatment route; landfill methane captured, flared or used for energy; share of fossil carbon in incinerated waste | waste, scopes 1 and 3 |
| Wastewater utility | population served, treatment type, sludge handling, biogas use | waste, scope 1 |
| Large industrial sites | process emissions (for example cement clinker or lime production); refrigerant leakage from cooling plants | IPPU, scope 1 |
| Property managers and supermarkets | refill quantities for cooling and freezing equipment | IPPU, scope 1 |
| Agricultural statistics office | livestock numbers by type, for enteric fermentation and manure management; fertiliser use | AFOLU, scope 1 |
| Forestry and mapping agency | land-cover maps for two dates; forest inventory plots | AFOLU, scope 1 |

## Quality flags to record for every value

- **M** measured (meters, weighbridges, invoices)
- **C** calculated from measured data with a documented method
- **E** estimated or scaled down from regional or national figures

## Before you send the requests

- [ ] One named contact person per data holder.
- [ ] Confidentiality handled: aggregate small customer groups so that no single company can be identified.
- [ ] Units, year and boundary stated in every request.
- [ ] A reply date agreed, with a reminder in the calendar.
- [ ] Answers stored in the shared inventory folder with the date received.
""",
)

DOCUMENTS["transition-team-terms-of-reference.pdf"] = (
    "Terms of reference for a transition team: printable template",
    "Printable terms-of-reference template for a city transition team, with additional clauses.",
    ("quorum", "rotating secretariat", "escalation ladder"),
    """
# Terms of reference for a transition team

Printable template. Replace everything in square brackets. Clauses 1 to 9 match the online
template; clauses 10 to 14 are additional clauses that many teams find useful.

## 1. Purpose
The transition team of [City] coordinates the city's work towards climate neutrality by
[target year] and connects the administration with partners in the local ecosystem.

## 2. Mandate
Established by [decision, body] on [date]. Reports to [executive sponsor, role].

## 3. Membership
Chair: [name, role]. Deputy: [name, role]. Core members: [departments].
Associated members: [utility, university, business association, citizen organisation].

## 4. Responsibilities
Prepare and update the climate contract or action plan; coordinate the baseline inventory
and yearly monitoring; propose the portfolio of actions and investment needs; organise
engagement; report progress and lessons learned.

## 5. Decision rights
The team may [decide on its work plan, commission studies up to EUR ...]. Larger items go
to [body].

## 6. Time and resources
Each core member dedicates [hours per week]. Yearly budget: [EUR ...].

## 7. Meetings
Core team every [week/fortnight]; wider circle every [quarter]. Notes within [n] working days.

## 8. Reporting
To [executive sponsor] every [quarter]; yearly public progress summary.

## 9. Review
After [12] months and whenever the mandate changes.

## 10. Quorum and decisions
A meeting can take decisions when a quorum of at least half of the core members is
present, including the chair or the deputy. Decisions are taken by consensus where
possible and otherwise by simple majority of those present.

## 11. Meeting support
Agendas, notes and the action log are kept by a rotating secretariat: each department
takes the role for [three months] in an agreed order, so that the work is shared and every
department learns how the team operates.

## 12. Resolving disagreements
Disagreements that the team cannot settle follow an escalation ladder: (1) the members
concerned, (2) their heads of department, (3) the executive sponsor, (4) [executive board].
Each step has [ten] working days.

## 13. Conflicts of interest
Members declare any personal or organisational interest in a decision and do not take part
in it.

## 14. Data and confidentiality
Information shared by partners is used only for the team's work and stored in [location].

Adopted by [body] on [date]. Signature: ______________________
""",
)

DOCUMENTS["citizen-assembly-planning-checklist.pdf"] = (
    "Citizen assembly planning checklist: printable version",
    "Printable planning checklist for a citizen assembly, with items on inclusion and reporting.",
    ("sortition", "childcare stipend", "minority report"),
    """
# Citizen assembly planning checklist

Printable version. The first part repeats the online checklist in short form; the last two
sections add items on inclusion and on reporting.

## Commitment and question
- [ ] Council decision to hold the assembly and written promise to respond by [date]
- [ ] Question agreed, open, within the city's powers, tested with residents
- [ ] Out-of-scope topics listed

## Organisation
- [ ] Independent organiser and facilitators contracted
- [ ] Oversight group with different viewpoints in place
- [ ] Budget approved; accessible venues and dates booked

## Recruitment
- [ ] Invitation letters sent to a large random sample of households
- [ ] Members chosen by sortition: a stratified lottery on age, gender, area and education
- [ ] Reserve members selected
- [ ] Payment for members' time confirmed

## Evidence and sessions
- [ ] Balanced speaker list checked by the oversight group
- [ ] Learning, deliberation and decision phases in the programme
- [ ] Voting method agreed in advance

## Inclusion (additional items)
- [ ] A childcare stipend or on-site childcare for members with young children
- [ ] Carer support and travel costs paid in advance, not only reimbursed
- [ ] Interpretation and sign language where needed; easy-read versions of materials
- [ ] Quiet room and regular breaks
- [ ] Follow-up call to members who miss a session

## Reporting (additional items)
- [ ] Recommendations published unchanged, with voting results
- [ ] Members who disagree with a recommendation may publish a minority report alongside it
- [ ] Council response to each recommendation: accepted, accepted with changes, or rejected with reasons
- [ ] Accepted recommendations linked to actions and indicators
- [ ] Follow-up meeting with members after about a year

## Timeline at a glance

| When | What |
| --- | --- |
| 20 weeks before | decision, budget, organiser contracted |
| 14 weeks before | question agreed, oversight group set up |
| 10 weeks before | invitations sent |
| 6 weeks before | members selected, materials drafted |
| Sessions | usually over 6 to 10 weeks |
| 12 weeks after | council response |
| About 1 year after | follow-up meeting |
""",
)

DOCUMENTS["ccc-commitments-drafting-checklist.pdf"] = (
    "Climate City Contract Commitments: drafting checklist",
    "Printable drafting checklist for the Commitments of a Climate City Contract, with sign-off items.",
    ("countersignature", "signing ceremony", "pledge wording"),
    """
# Climate City Contract Commitments: drafting checklist

Printable version. Sections 1 to 5 follow the usual structure of the Commitments; the last
part adds items for partner sign-off.

## 1. Introduction
- [ ] Why the city works towards climate neutrality by 2030
- [ ] Existing commitments listed
- [ ] Purpose and audience of the contract stated

## 2. Goal
- [ ] 2030 ambition for the whole city
- [ ] Baseline year and inventory scope named
- [ ] Co-benefits for residents and businesses
- [ ] Offsetting of residual emissions limited to at most 20 %

## 3. Key priorities and strategic interventions
- [ ] Five to seven priorities, each linked to an impact pathway and indicators
- [ ] Several fields of action and levers covered

## 4. Principles and process
- [ ] How co-creation took place
- [ ] How the contract is monitored and updated as a living document
- [ ] Who coordinates

## 5. Signatories
- [ ] City and key partners from business, research, civil society and other levels of government
- [ ] Individual commitments in the appendix: what, by when, how reported

## Partner sign-off (additional items)
- [ ] Each partner's pledge wording checked by that partner's own legal or communications team
- [ ] Each individual commitment carries the partner's signature and the mayor's countersignature
- [ ] One version number and date on every copy; earlier drafts marked as superseded
- [ ] A public signing ceremony planned, with press and partners invited
- [ ] Contact person per partner for the yearly progress report
- [ ] Agreed procedure for partners who want to change or withdraw a commitment

## Final checks
- [ ] Numbers match the Action Plan and Investment Plan
- [ ] Plain language, technical terms explained
- [ ] Council endorsement date fixed before signing
""",
)

DOCUMENTS["indicator-target-sheet.pdf"] = (
    "Indicator target sheet: 2025, 2027 and 2030",
    "Printable indicator target sheet with milestone targets and review guidance.",
    ("traffic-light", "data steward", "proxy indicator"),
    """
# Indicator target sheet: 2025, 2027 and 2030

Printable sheet. One row per indicator, grouped by outcome from the impact pathways.

| ID | Indicator | Unit | Baseline (year) | 2025 | 2027 | 2030 | Rating |
| --- | --- | --- | --- | --- | --- | --- | --- |
| | | | | | | | |
| | | | | | | | |
| | | | | | | | |
| | | | | | | | |
| | | | | | | | |
| | | | | | | | |

## Rating each indicator at the yearly review

Give every indicator a traffic-light rating against its next milestone:

- **Green:** on track, or the milestone is already met.
- **Amber:** behind, but the gap can be closed with the actions planned.
- **Red:** off track; the team must change the action or the assumption behind it.
- **Grey:** no new data this year.

Write one sentence explaining every amber or red rating.

## Roles

- Each indicator has a data steward: the person who collects the value, checks it and
  records changes of method.
- The transition team agrees the ratings and decides on follow-up.

## When data is missing

If the preferred indicator cannot yet be measured, use a proxy indicator for the time
being, say so in the sheet, and plan when the preferred data will be available. For
example, the number of building permits for heat pumps can stand in for installed heat
pumps until grid or registry data arrives.

## Checks before publishing

- [ ] Baseline year matches the emission inventory, or the difference is explained
- [ ] Milestones for 2025 and 2027 show a plausible ramp-up to 2030
- [ ] Units are understandable without explanation
- [ ] Earlier versions of the sheet kept for comparison
""",
)

DISTINCTIVE = {name: doc[2] for name, doc in DOCUMENTS.items()}

_md = MarkdownIt("commonmark", {"html": False}).enable("table")


def _to_html(title: str, description: str, terms: tuple[str, ...], markdown: str) -> str:
    text = re.sub(r"^(\s*)- \[ \] ", r"\1- ☐ ", markdown, flags=re.MULTILINE)
    body = _md.render(text).replace("<li>☐ ", '<li class="check">☐ ')
    for term in terms:
        body, count = re.subn(
            re.escape(html.escape(term)),
            lambda m: f'<span class="keep">{m.group(0)}</span>',
            body,
            flags=re.IGNORECASE,
        )
        if not count:
            raise SystemExit(f"distinctive term {term!r} missing from {title!r}")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        f'<meta name="author" content="{html.escape(AUTHOR)}">'
        f'<meta name="description" content="{html.escape(description)}">'
        '<meta name="keywords" content="NetZero Hub, sample content, demo">'
        '<meta name="generator" content="NetZero Hub build_pdfs.py (WeasyPrint)">'
        f"<style>{CSS}</style></head><body>"
        f'<p class="sample">{html.escape(FIRST_LINE)}</p>{body}</body></html>'
    )


def build() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    fetcher = URLFetcher(allowed_protocols={"data"})  # no network, no local files
    for name, (title, description, terms, markdown) in DOCUMENTS.items():
        document = HTML(string=_to_html(title, description, terms, markdown), url_fetcher=fetcher)
        target = OUT_DIR / name
        document.write_pdf(target)
        size = target.stat().st_size
        if size > MAX_BYTES:
            raise SystemExit(f"{name} is {size} bytes, above {MAX_BYTES}")
        print(f"{name}: {size} bytes; distinctive terms: {', '.join(terms)}")


if __name__ == "__main__":
    build()
    sys.exit(0)
