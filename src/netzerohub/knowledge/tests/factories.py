"""Factories for resources, attachments, versions, bookmarks and collections.

`ResourceFactory` makes a *published, public* resource and puts it in the search index, as the
services would (pass `indexed=False` to skip that); traits make the other states:
`ResourceFactory(draft=True)`, `(submitted=True)`, `(members_only=True)`. Fields, levers and
countries (and the step) are given as slugs and codes: `ResourceFactory(fields=["energy-systems"])`.
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from netzerohub.accounts.tests.factories import UserFactory
from netzerohub.cities.models import Country
from netzerohub.core.models import Term
from netzerohub.knowledge.indexing import reindex_resource
from netzerohub.knowledge.models import (
    Attachment,
    Bookmark,
    Collection,
    CollectionItem,
    Resource,
)

S = Resource.Status


def term(kind: str, slug: str) -> Term:
    """A term of the taxonomy loaded by the core migrations."""
    return Term.objects.get(kind=kind, slug=slug)


def _terms(kind: str, values: list[Any]) -> list[Term]:
    return [v if isinstance(v, Term) else term(kind, v) for v in values]


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource
        skip_postgeneration_save = True

    class Params:
        draft = factory.Trait(status=S.DRAFT, published_on=None)
        submitted = factory.Trait(status=S.SUBMITTED, published_on=None)
        changes_requested = factory.Trait(
            status=S.CHANGES_REQUESTED, published_on=None, review_comment="Add a source."
        )
        archived = factory.Trait(status=S.ARCHIVED)
        members_only = factory.Trait(visibility=Resource.Visibility.MEMBERS)

    key = factory.Sequence(lambda n: f"resource-{n}")
    title = factory.Sequence(lambda n: f"Resource {n}")
    summary = "How a city organised its work on climate neutrality."
    body = ""
    type = Resource.Type.GUIDE
    status = S.PUBLISHED
    visibility = Resource.Visibility.PUBLIC
    published_on = dt.date(2025, 3, 1)
    languages = factory.LazyFunction(lambda: ["en"])

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        if isinstance(kwargs.get("step"), str):
            kwargs["step"] = term("step", kwargs["step"])
        return kwargs

    @factory.post_generation
    def fields(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.fields.set(_terms("field", extracted))

    @factory.post_generation
    def levers(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.levers.set(_terms("lever", extracted))

    @factory.post_generation
    def countries(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.countries.set(
                [c if isinstance(c, Country) else Country.objects.get(code=c) for c in extracted]
            )

    @factory.post_generation
    def indexed(obj, create, extracted, **kwargs):  # noqa: N805
        # Last, so that the index sees the terms and countries set above.
        if create and extracted is not False:
            reindex_resource(obj)


# --- files ---------------------------------------------------------------------------------------

# A minimal, valid one-page PDF without text: enough for the upload checks and downloads.
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
# The first bytes of a Windows executable.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def pdf_bytes(html: str = "<p>Heat pumps in Växjö</p>") -> bytes:
    """A real PDF holding `html`'s text (WeasyPrint, as in test_extraction)."""
    with warnings.catch_warnings():
        # WeasyPrint warns at import when the system lacks HarfBuzz-Subset; irrelevant here.
        warnings.simplefilter("ignore", DeprecationWarning)
        import weasyprint

    return weasyprint.HTML(string=html).write_pdf()


def upload(name: str = "plan.pdf", content: bytes = TINY_PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A stored PDF of a resource (text extraction done: `text` as given)."""

    class Meta:
        model = Attachment

    resource = factory.SubFactory(ResourceFactory)
    name = "plan.pdf"
    kind = "pdf"
    file = factory.LazyAttribute(lambda o: ContentFile(TINY_PDF, name=o.name))
    size = len(TINY_PDF)
    extraction = Attachment.Extraction.DONE


def stored_files(path: str = "") -> set[str]:
    """Every file in the (in-memory) default storage under `path`."""
    if path and not default_storage.exists(path):
        return set()
    directories, files = default_storage.listdir(path)
    found = {f"{path}/{name}".lstrip("/") for name in files}
    for directory in directories:
        found |= stored_files(f"{path}/{directory}".lstrip("/"))
    return found


# --- library and collections ---------------------------------------------------------------------


class BookmarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bookmark

    user = factory.SubFactory(UserFactory)
    resource = factory.SubFactory(ResourceFactory)


class CollectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collection

    title = factory.Sequence(lambda n: f"Collection {n}")
    slug = factory.Sequence(lambda n: f"collection-{n}")
    description = "Resources chosen around one theme."
    is_published = True


class CollectionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CollectionItem

    collection = factory.SubFactory(CollectionFactory)
    resource = factory.SubFactory(ResourceFactory)
    position = factory.Sequence(lambda n: n + 1)
