"""The golden-file corpus (bench/corpus/extraction): each page.html beside its expected page.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
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


def as_golden(extraction: Extraction) -> dict[str, Any]:
    """An extraction in page.json's shape (the fields a golden file pins down)."""
    article = extraction.article
    if article is None:
        return {"kind": extraction.reason, "detail": extraction.detail}
    attribution = article.attribution
    return {
        "kind": "article",
        "title": article.title,
        "authors": list(article.authors),
        "published": article.published.isoformat() if article.published else None,
        "updated": article.updated.isoformat() if article.updated else None,
        "date_source": article.date_source,
        "language": article.language,
        "site_name": article.site_name,
        "canonical_url": article.canonical_url,
        "categories": list(article.categories),
        "tags": list(article.tags),
        "attribution": None
        if attribution is None
        else {
            "text": attribution.text,
            "outlet": attribution.outlet,
            "author": attribution.author,
            "url": attribution.url,
        },
        "text": article.text,
    }
