"""The workspace's storage: one contract per city, one row per sub-sector and scope, the
trajectory's settings read from the commitments."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction

from netzerohub.contracts.models import Contract, Emission, InventoryYear
from netzerohub.contracts.trajectory import Settings

pytestmark = pytest.mark.django_db


def test_the_trajectory_needs_a_baseline_and_a_target_year(city):
    contract = Contract.objects.create(city=city)
    assert contract.trajectory_settings() is None
    contract.baseline_year, contract.target_year = 2019, 2030
    assert contract.trajectory_settings() == Settings(2019, 2030, D("0.200"), D(0))


def test_a_city_has_one_workspace(city):
    Contract.objects.create(city=city)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(city=city)


def test_an_inventory_year_has_one_row_per_subsector_scope_and_kind(city):
    year = InventoryYear.objects.create(contract=Contract.objects.create(city=city), year=2019)
    Emission.objects.create(inventory_year=year, subsector="on-road", scope=1, tco2e=D(10))
    sink = Emission.objects.create(
        inventory_year=year, subsector="afolu", scope=1, tco2e=D(3), removal=True
    )
    Emission.objects.create(inventory_year=year, subsector="afolu", scope=1, tco2e=D(5))
    assert sink.sector == "afolu"
    with pytest.raises(IntegrityError), transaction.atomic():
        Emission.objects.create(inventory_year=year, subsector="on-road", scope=1, tco2e=D(1))
