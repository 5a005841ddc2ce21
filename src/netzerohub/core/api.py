"""Shared API schemas."""

from ninja import Schema


class ErrorOut(Schema):
    """Every error answer: a human-readable explanation."""

    detail: str


class ValidationErrorOut(Schema):
    """422: the parameters or body failed validation; one entry per problem."""

    detail: list[dict]


class FacetCountOut(Schema):
    """One value of a search facet: how many results have it, and whether it is chosen."""

    value: str
    label: str
    count: int
    selected: bool
