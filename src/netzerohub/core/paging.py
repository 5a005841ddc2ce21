"""Pagination whose total comes from the cache (see `cached_count`)."""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from .querysets import cached_count

PER_PAGE = 25


class CachedCountPaginator(Paginator):
    """A paginator whose total is counted through the cache, under `count_key` when given."""

    def __init__(self, *args, count_key: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            return cached_count(self.object_list, key=self.count_key)
        return len(self.object_list)


def paginate(
    queryset: QuerySet,
    page_number: object,
    per_page: int = PER_PAGE,
    *,
    count_key: str | None = None,
) -> Page:
    """A page of `queryset`; a bad or too-large page number gives the nearest valid page."""
    return CachedCountPaginator(queryset, per_page, count_key=count_key).get_page(page_number)
