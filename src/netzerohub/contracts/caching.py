"""A version per contract, for the cache keys of its workspace's rendered parts.

`contracts:version:<contract id>` names everything stored under the contract: the contract's
own fields, its interim targets, signatories, inventory years and their emission rows, actions
with their expected reductions, indicators, measured values, capital needs and funding, its
versions and their review comments. Every write bumps it once its transaction commits
(`core.versions.bump`, also at once: the rest of the transaction, and a test inside one, reads
afresh), so a cached overview, trajectory or portfolio table is never served after a change:

- a `post_save` and a `post_delete` receiver for every model of the app (connected in
  `apps.ContractsConfig.ready`), so the services, the Django admin and a shell all bump it; a
  cascade (an action deleted with its indicators) resolves the contract from the deletion's
  origin without a query, a child saved or deleted alone from its cached parent, else with one
  query;
- explicit `contract_changed` calls where a write bypasses the signals (`bulk_create`,
  `bulk_update`): `services.save_inventory_year`, `commitments.save_interim_targets` and
  `save_signatories`, `portfolio._apply` (indicators, measured values, capital needs, funding),
  `inventory_io.import_inventory`. `QuerySet.delete()` sends the signals while receivers are
  connected. Writes in raw SQL (none in the app) are seen when the fragments expire.

Not in the version: the taxonomy's terms (the names of the fields of action and levers shown in
the portfolio). The core keeps no version for them and caches them itself for 600 s
(`portfolio.terms`, `core:term-labels`); their rare renames show when the fragments expire,
after `FRAGMENT_SECONDS` (600 s). The city's name is part of the overview's key.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from netzerohub.core import versions

FRAGMENT_SECONDS = 600


def version_name(contract_id: int) -> str:
    return f"contracts:version:{contract_id}"


def contract_version(contract_id: int) -> str:
    """The current version of the contract `contract_id` (created when missing)."""
    return versions.current(version_name(contract_id))


def contract_changed(contract_id: int | None) -> None:
    """Something of the contract `contract_id` changed: bump its version after commit."""
    if contract_id is not None:
        versions.bump(version_name(contract_id), now=True)


# How a row of each model reaches its contract: the parent's field and, from the parent's
# model, the lookup of the contract's id. Models with a `contract_id` need none.
_PARENTS: dict[str, tuple[str, str]] = {
    "emission": ("inventory_year", "contract_id"),
    "actionreduction": ("action", "contract_id"),
    "indicator": ("action", "contract_id"),
    "capitalneed": ("action", "contract_id"),
    "funding": ("action", "contract_id"),
    "measurement": ("indicator", "action__contract_id"),
    "reviewcomment": ("version", "contract_id"),
}
_MEMO = "_contracts_contract_id"


def contract_id_of(instance: models.Model) -> int | None:
    """The id of the contract `instance` belongs to (None when its parent is gone)."""
    name = instance._meta.model_name
    if name == "contract":
        return instance.pk
    if name not in _PARENTS:
        try:
            return instance.contract_id  # a deferred field is read (the row still exists)
        except instance.DoesNotExist:
            return None
    parent_field, lookup = _PARENTS[name]
    parent = instance._state.fields_cache.get(parent_field)
    if parent is not None:
        return contract_id_of(parent)
    field = instance._meta.get_field(parent_field)
    parent_id = getattr(instance, field.attname)
    return (
        field.related_model._base_manager.filter(pk=parent_id)
        .values_list(lookup, flat=True)
        .first()
    )


def _from_origin(origin: Any, instance: models.Model) -> int | None:
    """On a deletion: the contract of the deletion's origin (a row of the app: no query; a
    queryset: the first row's contract, remembered on the queryset for the others)."""
    if isinstance(origin, models.Model) and origin._meta.app_label == "contracts":
        return contract_id_of(origin)
    if isinstance(origin, models.QuerySet) and origin.model._meta.app_label == "contracts":
        found = getattr(origin, _MEMO, {})
        key = (type(instance), _parent_id(instance))
        if key not in found:
            found[key] = contract_id_of(instance)
            setattr(origin, _MEMO, found)
        return found[key]
    return contract_id_of(instance)


def _parent_id(instance: models.Model) -> Any:
    if instance._meta.model_name in _PARENTS:
        parent_field, _lookup = _PARENTS[instance._meta.model_name]
        return getattr(instance, instance._meta.get_field(parent_field).attname)
    return instance.pk


def saved(sender: Any, instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    """post_save receiver of every model of the app."""
    contract_changed(contract_id_of(instance))


def deleted(sender: Any, instance: models.Model, origin: Any = None, **kwargs: Any) -> None:
    """post_delete receiver of every model of the app."""
    contract_changed(_from_origin(origin, instance))


def connect() -> None:
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    for model in apps.get_app_config("contracts").get_models():
        post_save.connect(saved, sender=model, dispatch_uid=f"contracts-saved-{model.__name__}")
        post_delete.connect(
            deleted, sender=model, dispatch_uid=f"contracts-deleted-{model.__name__}"
        )
