"""The pages an extraction benchmark reads: WCXB's layout or the project's golden corpus.

Two layouts, one ``Page`` shape:

- **WCXB** (``../shared/corpora/wcxb-dev``, CC-BY-4.0): ``html/ID.html.gz`` beside
  ``ground-truth/ID.json`` with the page type, the reviewed main content, title,
  author, publication day and ``with`` / ``without`` snippets. Real pages from
  1,310 sites that nobody here wrote: the evidence.
- **golden** (``bench/corpus/extraction``): ``NAME/page.html`` beside
  ``NAME/page.json``; built while tuning, so a regression check only.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

# The golden corpus's kinds, named as WCXB names page types.
_GOLDEN_TYPES = {"article": "article", "listing": "listing"}


@dataclass(frozen=True)
class Page:
    """One page and what a reader would call its content and metadata."""

    id: str
    page_type: str  # article, listing, forum, product, service, collection, documentation, ...
    url: str
    html: str
    text: str
    title: str | None = None
    author: str | None = None
    day: date | None = None  # the publication day as the page prints it
    with_snippets: tuple[str, ...] = ()
    without_snippets: tuple[str, ...] = ()
    zone: ZoneInfo | None = None
    expected_reason: str | None = None  # golden non-article pages: the drop reason expected


def load_corpus(root: Path, limit: int | None = None) -> list[Page]:
    """Every page of the corpus at ``root``, in id order (the first ``limit`` when given)."""
    loader = _load_wcxb if (root / "ground-truth").is_dir() else _load_golden
    pages = loader(root)
    return pages[:limit] if limit else pages


def _load_wcxb(root: Path) -> list[Page]:
    pages = []
    for truth_file in sorted((root / "ground-truth").glob("*.json")):
        record = json.loads(truth_file.read_text(encoding="utf-8"))
        html_file = root / "html" / f"{truth_file.stem}.html.gz"
        if not html_file.exists():
            continue
        truth = record["ground_truth"]
        internal = record.get("_internal", {}).get("page_type", {})
        day = truth.get("publish_date")
        pages.append(
            Page(
                id=truth_file.stem,
                page_type=internal.get("primary") or truth.get("page_type") or "unknown",
                url=record["url"],
                html=_decode(gzip.decompress(html_file.read_bytes())),
                text=truth.get("main_content") or "",
                title=truth.get("title") or None,
                author=truth.get("author") or None,
                day=_day(day),
                with_snippets=tuple(truth.get("with") or ()),
                without_snippets=tuple(truth.get("without") or ()),
            )
        )
    return pages


def _load_golden(root: Path) -> list[Page]:
    pages = []
    for directory in sorted(p for p in root.iterdir() if (p / "page.json").exists()):
        expected = json.loads((directory / "page.json").read_text(encoding="utf-8"))
        zone = ZoneInfo(expected["timezone"]) if expected.get("timezone") else None
        published = expected.get("published")
        moment = datetime.fromisoformat(published) if published else None
        kind = expected["kind"]
        pages.append(
            Page(
                id=directory.name,
                page_type=_GOLDEN_TYPES.get(kind, "other"),
                url=expected["url"],
                html=(directory / "page.html").read_text(encoding="utf-8"),
                text=expected.get("text") or "",
                title=expected.get("title"),
                author=" and ".join(expected.get("authors") or ()) or None,
                day=moment.astimezone(zone).date()
                if moment and zone
                else (moment and moment.date()),
                zone=zone,
                expected_reason=None if kind == "article" else kind,
            )
        )
    return pages


def _day(value: str | None) -> date | None:
    """A full YYYY-MM-DD day; a month alone ("2003-11") is no day to compare."""
    try:
        return date.fromisoformat(value[:10]) if value and len(value) >= 10 else None
    except ValueError:
        return None


def _decode(body: bytes) -> str:
    """The page as text: UTF-8 mostly; anything else read as cp1252 rather than failing."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")
