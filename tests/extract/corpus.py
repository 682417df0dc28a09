"""The golden-file corpus (bench/corpus/extraction): each page.html beside its expected page.json."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aggregator.extract import Extraction, ExtractOptions, extract_page

CORPUS = Path(__file__).resolve().parents[2] / "bench" / "corpus" / "extraction"


@dataclass(frozen=True)
class GoldenPage:
    name: str
    html: str
    expected: dict[str, Any]

    @property
    def options(self) -> ExtractOptions:
        zone = self.expected.get("timezone")
        return ExtractOptions(timezone=ZoneInfo(zone)) if zone else ExtractOptions()

    def extract(self) -> Extraction:
        return extract_page(self.html, self.expected["url"], self.options)


def golden_pages() -> list[GoldenPage]:
    return [
        GoldenPage(
            directory.name,
            (directory / "page.html").read_text(encoding="utf-8"),
            json.loads((directory / "page.json").read_text(encoding="utf-8")),
        )
        for directory in sorted(CORPUS.iterdir())
        if (directory / "page.json").exists()
    ]


# The Article fields a golden file pins down, in page.json's order (not url and author:
# the page's own address, and the byline that ``authors`` splits).
GOLDEN_FIELDS = (
    "title",
    "authors",
    "published",
    "updated",
    "date_source",
    "language",
    "site_name",
    "canonical_url",
    "categories",
    "tags",
    "attribution",
    "text",
)


def as_golden(extraction: Extraction) -> dict[str, Any]:
    """An extraction in page.json's shape, each field as the Article dataclass holds it."""
    article = extraction.article
    if article is None:
        return {"kind": extraction.reason, "detail": extraction.detail}
    return {"kind": "article", **{name: _json(getattr(article, name)) for name in GOLDEN_FIELDS}}


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()  # the instant, as the store keeps it
    if isinstance(value, tuple):
        return list(value)
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)  # the credit line: its parts as extraction declares them
    return value
