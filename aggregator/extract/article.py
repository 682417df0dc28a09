"""What extraction returns: the article text and metadata, or the reason a page is not one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Attribution:
    """A repost's credit line, as structured data ("Source: Council on Foreign Relations")."""

    text: str  # the line as printed
    outlet: str | None = None  # the credited outlet
    author: str | None = None  # the credited author, where named
    url: str | None = None  # the link the line carries, if any


@dataclass(frozen=True)
class Article:
    """The article a page carries, chrome removed."""

    url: str | None
    title: str | None
    text: str
    author: str | None = None  # the byline as one string: "A", "A and B", "A, B and C"
    published: datetime | None = None  # aware, UTC
    updated: datetime | None = None
    date_source: str | None = (
        None  # where the date came from: meta, json-ld, time, byline, url, ...
    )
    attribution: Attribution | None = None
    language: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()  # each author named by the page, in byline order

    @property
    def word_count(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class Extraction:
    """An article, or why the page is not one (``reason`` is a short stat-friendly slug)."""

    article: Article | None
    reason: str | None = None
    detail: str = field(default="", compare=False)
