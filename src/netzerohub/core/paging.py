"""Pagination whose total comes from the cache (see `cached_count`)."""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from .querysets import cached_count

PER_PAGE = 25


class CachedCountPaginator(Paginator):
    """A paginator whose total is counted through the cache, under `count_key` when given.

    With `cap`, counting stops there: `is_capped` tells the page to say "more than N" (a broad
    search then costs a bounded count, and pages beyond the cap are not offered).
    """

    def __init__(
        self, *args, count_key: str | None = None, cap: int | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.count_key = count_key
        self.cap = cap

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            cap = self.cap + 1 if self.cap is not None else None  # one more tells "more than"
            return cached_count(self.object_list, key=self.count_key, cap=cap)
        return len(self.object_list)

    @property
    def is_capped(self) -> bool:
        return self.cap is not None and self.count > self.cap


def paginate(
    queryset: QuerySet,
    page_number: object,
    per_page: int = PER_PAGE,
    *,
    count_key: str | None = None,
    cap: int | None = None,
) -> Page:
    """A page of `queryset`; a bad or too-large page number gives the nearest valid page."""
    paginator = CachedCountPaginator(queryset, per_page, count_key=count_key, cap=cap)
    return paginator.get_page(page_number)
