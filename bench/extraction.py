"""Extraction benchmark: our extractor against trafilatura and readability-lxml, on the golden corpus.

    .venv/bin/python bench/extraction.py            # 5 timed passes
    .venv/bin/python bench/extraction.py --passes 9

For each extractor, over the article pages of ``bench/corpus/extraction``
(issue 3, item 6):

- token precision, recall and F1 of its text against the hand-checked
  expected text (lower-cased word tokens, counted with multiplicity, averaged
  over pages);
- leak: the share of pages whose text carries any boilerplate phrase of
  ``aggregator.extract.chrome.LEAK_PHRASES`` (WordPress.com widgets in English,
  German and French, comment forms, Blogger, Drupal and news-site tools);
- dates: the share of pages whose publication day is right, in the outlet's
  time zone (a page without a date must get none); readability gives no date;
- speed: pages per second, the median of the timed passes, and the ratio to
  trafilatura's default ``extract``. Every pass runs each extractor once over
  all article pages, in turn, so machine noise hits them alike.

Dates for the trafilatura rows come from an untimed ``bare_extraction`` run
with metadata on; the timed run is the plain ``extract`` call a user makes.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import trafilatura
from lxml import html as lxml_html
from readability import Document

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aggregator.extract import ExtractOptions, extract_page
from aggregator.extract.chrome import LEAK_PHRASES

CORPUS = Path(__file__).resolve().parent / "corpus" / "extraction"
_TOKEN = re.compile(r"\w+")
_BLOCKS = ("p", "h1", "h2", "h3", "h4", "li", "blockquote", "figcaption", "td", "div", "br")


@dataclass(frozen=True)
class Page:
    name: str
    html: str
    url: str
    zone: ZoneInfo | None
    text: str
    published: datetime | None

    @property
    def day(self) -> date | None:
        if self.published is None:
            return None
        return self.published.astimezone(self.zone or UTC).date()


@dataclass(frozen=True)
class Extractor:
    name: str
    text: Callable[[Page], str]
    day: Callable[[Page], date | None] | None


def load_pages(corpus: Path) -> list[Page]:
    """The corpus's article pages (the pages with an expected text)."""
    pages = []
    for directory in sorted(corpus.iterdir()):
        if not (directory / "page.json").exists():
            continue
        expected = json.loads((directory / "page.json").read_text(encoding="utf-8"))
        if expected["kind"] != "article":
            continue
        zone = ZoneInfo(expected["timezone"]) if expected.get("timezone") else None
        published = expected.get("published")
        pages.append(
            Page(
                directory.name,
                (directory / "page.html").read_text(encoding="utf-8"),
                expected["url"],
                zone,
                expected["text"],
                datetime.fromisoformat(published) if published else None,
            )
        )
    return pages


def _ours(page: Page) -> str:
    options = ExtractOptions(timezone=page.zone) if page.zone else ExtractOptions()
    article = extract_page(page.html, page.url, options).article
    return article.text if article else ""


def _ours_day(page: Page) -> date | None:
    options = ExtractOptions(timezone=page.zone) if page.zone else ExtractOptions()
    article = extract_page(page.html, page.url, options).article
    if article is None or article.published is None:
        return None
    return article.published.astimezone(page.zone or UTC).date()


def _trafilatura(**settings: bool) -> Callable[[Page], str]:
    def run(page: Page) -> str:
        return trafilatura.extract(page.html, url=page.url, **settings) or ""

    return run


def _trafilatura_day(**settings: bool) -> Callable[[Page], date | None]:
    def run(page: Page) -> date | None:
        document = trafilatura.bare_extraction(
            page.html, url=page.url, with_metadata=True, **settings
        )
        found = getattr(document, "date", None) if document is not None else None
        return date.fromisoformat(found[:10]) if found else None

    return run


def _readability(page: Page) -> str:
    summary = Document(page.html).summary(html_partial=True)
    tree = lxml_html.fragment_fromstring(summary, create_parent="div")
    for element in tree.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
    return "\n".join(line.strip() for line in tree.text_content().splitlines() if line.strip())


EXTRACTORS = (
    Extractor("ours (aggregator.extract)", _ours, _ours_day),
    Extractor("trafilatura extract (default)", _trafilatura(), _trafilatura_day()),
    Extractor(
        "trafilatura no comments + precision",
        _trafilatura(include_comments=False, favor_precision=True),
        _trafilatura_day(include_comments=False, favor_precision=True),
    ),
    Extractor("readability-lxml", _readability, None),
)


def token_scores(got: str, want: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``got``'s word tokens against ``want``'s (as multisets)."""
    got_tokens = Counter(_TOKEN.findall(got.lower()))
    want_tokens = Counter(_TOKEN.findall(want.lower()))
    overlap = sum((got_tokens & want_tokens).values())
    precision = overlap / sum(got_tokens.values()) if got_tokens else 0.0
    recall = overlap / sum(want_tokens.values()) if want_tokens else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def leaks(text: str) -> bool:
    return any(phrase in text for phrase in LEAK_PHRASES)


def timed_passes(pages: list[Page], passes: int) -> dict[str, float]:
    """Median pages per second of each extractor, the extractors taking turns in every pass."""
    seconds: dict[str, list[float]] = {e.name: [] for e in EXTRACTORS}
    for _ in range(passes):
        for extractor in EXTRACTORS:
            start = time.perf_counter()
            for page in pages:
                extractor.text(page)
            seconds[extractor.name].append(time.perf_counter() - start)
    return {name: len(pages) / statistics.median(values) for name, values in seconds.items()}


def quality(extractor: Extractor, pages: list[Page]) -> dict[str, float | None]:
    scores = []
    leaked = 0
    for page in pages:
        text = extractor.text(page)
        scores.append(token_scores(text, page.text))
        leaked += leaks(text)
    right_days = sum(extractor.day(page) == page.day for page in pages) if extractor.day else None
    return {
        "precision": statistics.mean(s[0] for s in scores),
        "recall": statistics.mean(s[1] for s in scores),
        "f1": statistics.mean(s[2] for s in scores),
        "leak": leaked / len(pages),
        "dates": None if right_days is None else right_days / len(pages),
    }


def dropped_right(corpus: Path) -> tuple[int, int]:
    """How many of the corpus's non-article pages our extractor drops with the expected reason.

    The other extractors have no notion of a non-article page: they return the
    listing's or the error page's text as if it were an article.
    """
    right = total = 0
    for directory in sorted(corpus.iterdir()):
        if not (directory / "page.json").exists():
            continue
        expected = json.loads((directory / "page.json").read_text(encoding="utf-8"))
        if expected["kind"] == "article":
            continue
        total += 1
        body = (directory / "page.html").read_text(encoding="utf-8")
        right += extract_page(body, expected["url"]).reason == expected["kind"]
    return right, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passes", type=int, default=5, help="timed passes (median taken)")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    pages = load_pages(args.corpus)
    results = {e.name: quality(e, pages) for e in EXTRACTORS}
    speed = timed_passes(pages, args.passes)
    baseline = speed["trafilatura extract (default)"]
    print(f"{len(pages)} article pages from {args.corpus}, {args.passes} timed passes (median)\n")
    header = f"{'extractor':<38} {'prec':>6} {'recall':>6} {'F1':>6} {'leak':>6} {'dates':>6} {'pages/s':>8} {'speed':>6}"
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        dates = "n/a" if r["dates"] is None else f"{r['dates']:.1%}"
        print(
            f"{name:<38} {r['precision']:>6.3f} {r['recall']:>6.3f} {r['f1']:>6.3f} "
            f"{r['leak']:>6.1%} {dates:>6} {speed[name]:>8.1f} {speed[name] / baseline:>5.2f}x"
        )
    right, total = dropped_right(args.corpus)
    print(f"\nnon-article pages dropped with the expected reason by ours: {right}/{total}")


if __name__ == "__main__":
    main()
