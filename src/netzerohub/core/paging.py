"""Pagination whose total comes from the cache (see `cached_count`)."""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from .querysets import cached_count

PER_PAGE = 25


class CachedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            return cached_count(self.object_list)
        return len(self.object_list)


def paginate(queryset: QuerySet, page_number: object, per_page: int = PER_PAGE) -> Page:
    """A page of `queryset`; a bad or too-large page number gives the nearest valid page."""
    return CachedCountPaginator(queryset, per_page).get_page(page_number)
