"""The history's comparison of two versions' stored JSON: changed key figures with their
difference, actions added, removed and renamed (matched by id)."""

from __future__ import annotations

from decimal import Decimal

from netzerohub.contracts import history


def _figures(**overrides):
    base = {
        "baseline_year": 2020,
        "target_year": 2030,
        "years": {"2020": {"gross": "1000", "removals": "0", "by_sector": {}}},
        "expected": "500",
        "required": "800",
        "gap": "300",
        "capital": "0",
        "funding_gap": "0",
    }
    return {**base, **overrides}


def _snapshot(*actions):
    return {"actions": [{"id": pk, "title": title} for pk, title in actions]}


def test_nothing_changed():
    same = (_snapshot((1, "Trams")), _figures())
    assert history.compare(same, same).empty


def test_changed_figures_and_actions():
    before = (_snapshot((1, "Trams"), (2, "Heat pumps")), _figures())
    after = (
        _snapshot((1, "Tram line"), (3, "Bike lanes")),
        _figures(
            years={
                "2020": {"gross": "1000", "removals": "0", "by_sector": {}},
                "2023": {"gross": "900", "removals": "0", "by_sector": {}},
            },
            expected="650",
            gap="150",
        ),
    )
    result = history.compare(before, after)
    changes = {c.key: (c.before, c.after, c.delta) for c in result.changes}
    assert changes == {
        "latest_year": (2020, 2023, 3),
        "latest": (Decimal(1000), Decimal(900), Decimal(-100)),
        "expected": (Decimal(500), Decimal(650), Decimal(150)),
        "gap": (Decimal(300), Decimal(150), Decimal(-150)),
    }
    assert result.added == ["Bike lanes"] and result.removed == ["Heat pumps"]
    assert result.renamed == [("Trams", "Tram line")]


def test_a_figure_appearing_has_no_delta():
    before = (_snapshot(), _figures(gap=None, required=None, baseline_year=None, years={}))
    after = (_snapshot(), _figures())
    changes = {c.key: c for c in history.compare(before, after).changes}
    assert changes["gap"].before is None and changes["gap"].delta is None
    assert changes["baseline"].after == Decimal(1000)


class _Version:
    def __init__(self, number, actions):
        self.number, self.snapshot, self.figures = number, _snapshot(*actions), _figures()


def test_history_is_newest_first_and_compares_each_with_the_one_before():
    versions = [_Version(2, [(1, "A"), (2, "B")]), _Version(1, [(1, "A")])]
    rows = history.history(versions)
    assert [v.number for v, _c in rows] == [2, 1]
    assert rows[0][1].added == ["B"] and rows[1][1] is None
