"""Extraction benchmark: our extractor beside trafilatura's settings, on a corpus given on the command line.

    .venv/bin/python bench/extraction.py ../shared/corpora/wcxb-dev        # real pages: the evidence
    .venv/bin/python bench/extraction.py bench/corpus/extraction --passes 5  # regression check

Prints, in one run, for ours and trafilatura (default, no comments, precision +
no comments), per page type and overall:

- text: 4-gram shingle precision, recall and F1 (``bench/extraction_metrics.py``),
  snippet hits and false positives, chrome leaks (pages whose text keeps a
  phrase of ``aggregator.extract.chrome.LEAK_PHRASES``: WordPress.com widgets in
  English, German and French, comment forms);
- the page-kind check: article pages wrongly emptied (rejected as a listing or
  too short: "as stored") and non-article pages accepted as articles;
  exceptions raised;
- speed: pages per CPU second over all pages, the median of ``--passes``;
  every page is run through each extractor in turn, so machine noise hits
  them alike;
- metadata on article pages: title, author, publication day right / wrong /
  missing, ours against trafilatura's ``extract_metadata``.

"ours" is the text our extractor finds on every page (the page-kind check
aside, as trafilatura has none); "ours as stored" is what a crawl stores: a page
the check rejects gives nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from extraction_corpus import Page, load_corpus
from extraction_metrics import (
    TextSummary,
    judge_author,
    judge_day,
    judge_title,
    snippet_counts,
    summarise,
    text_scores,
)

from aggregator.extract import Article, ExtractOptions, extract_page
from aggregator.extract.chrome import LEAK_PHRASES

OURS = "ours"
STORED = "ours as stored"
TRAFILATURA = {
    "trafilatura default": {},
    "trafilatura no comments": {"include_comments": False},
    "trafilatura precision, no comments": {"include_comments": False, "favor_precision": True},
}
BASELINE = "trafilatura default"


@dataclass
class Outcome:
    """What one extractor made of one page."""

    text: str = ""
    title: str | None = None
    author: str | None = None
    day: date | None = None
    reason: str | None = None  # ours only: why the page is not stored as an article
    error: str | None = None


@dataclass
class Tally:
    """One extractor's outcomes over the corpus."""

    outcomes: dict[str, Outcome] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)


def _ours(page: Page) -> Outcome:
    """Ours as a crawl stores it: a page the page-kind check rejects gives nothing."""
    result = extract_page(page.html, page.url, _options(page))
    return _from_article(result.article, page) if result.article else Outcome(reason=result.reason)


def _ours_everywhere(page: Page, stored: Outcome) -> Outcome:
    """Ours on every page, the page-kind check aside (untimed: a second extraction)."""
    if stored.reason is None:
        return stored
    forced = extract_page(
        page.html, page.url, replace(_options(page), page_kinds=False, min_words=0)
    )
    return _from_article(forced.article, page)


def _options(page: Page) -> ExtractOptions:
    return ExtractOptions(timezone=page.zone) if page.zone else ExtractOptions()


def _from_article(article: Article | None, page: Page) -> Outcome:
    if article is None:
        return Outcome()
    day = None
    if article.published is not None:
        moment = article.published.astimezone(page.zone) if page.zone else article.published
        day = moment.date()
    return Outcome(article.text, article.title, article.author, day)


def _trafilatura_text(settings: dict[str, bool]) -> Callable[[Page], str]:
    def run(page: Page) -> str:
        return trafilatura.extract(page.html, url=page.url, **settings) or ""

    return run


def _trafilatura_metadata(page: Page) -> Outcome:
    document = trafilatura.extract_metadata(page.html, default_url=page.url)
    if document is None:
        return Outcome()
    found = document.date
    return Outcome(
        title=document.title,
        author=document.author,
        day=date.fromisoformat(found[:10]) if found else None,
    )


def run_corpus(pages: list[Page], passes: int) -> dict[str, Tally]:
    tallies = {name: Tally() for name in (STORED, OURS, *TRAFILATURA)}
    runners = {name: _trafilatura_text(settings) for name, settings in TRAFILATURA.items()}
    for number in range(passes):
        clock: Counter[str] = Counter()
        for page in pages:
            start = time.process_time()
            try:
                stored = _ours(page)
            except Exception as exc:  # counted and shown: no page may crash extraction
                stored = Outcome(error=f"{type(exc).__name__}: {exc}")
            clock[STORED] += time.process_time() - start
            forced = _ours_everywhere(page, stored) if number == 0 and not stored.error else stored
            for name, run in runners.items():
                start = time.process_time()
                try:
                    outcome = Outcome(run(page))
                except Exception as exc:
                    outcome = Outcome(error=f"{type(exc).__name__}: {exc}")
                clock[name] += time.process_time() - start
                if number == 0:
                    tallies[name].outcomes[page.id] = outcome
            if number == 0:
                tallies[STORED].outcomes[page.id] = stored
                tallies[OURS].outcomes[page.id] = forced
        clock[OURS] = clock[STORED]
        for name, seconds in clock.items():
            tallies[name].seconds.append(seconds)
    metadata = {page.id: _trafilatura_metadata(page) for page in pages}
    for name in TRAFILATURA:
        for page_id, outcome in tallies[name].outcomes.items():
            found = metadata[page_id]
            outcome.title, outcome.author, outcome.day = found.title, found.author, found.day
    return tallies


def text_table(pages: list[Page], tallies: dict[str, Tally]) -> None:
    """F1 (P/R) overall and per page type, five columns to a block."""
    types = sorted(Counter(p.page_type for p in pages).items(), key=lambda kv: -kv[1])
    groups = [("all", pages)] + [(t, [p for p in pages if p.page_type == t]) for t, _ in types]
    for start in range(0, len(groups), 5):
        block = groups[start : start + 5]
        print(
            ("\n" if start else "")
            + f"{'text: 4-gram F1 (P/R)':<36}"
            + "".join(f"{g:>22}" for g, _ in block)
        )
        print(f"{'pages':<36}" + "".join(f"{len(ps):>22}" for _, ps in block))
        for name, tally in tallies.items():
            summaries = [_summary(group, tally) for _, group in block]
            cells = [f"{s.f1:.3f} ({s.precision:.3f}/{s.recall:.3f})" for s in summaries]
            print(f"{name:<36}" + "".join(f"{c:>22}" for c in cells))


def _summary(group: list[Page], tally: Tally) -> TextSummary:
    return summarise(text_scores(tally.outcomes[p.id].text, p.text) for p in group)


def other_table(pages: list[Page], tallies: dict[str, Tally]) -> None:
    articles = [p for p in pages if p.page_type == "article"]
    total_with = sum(len(p.with_snippets) for p in pages)
    total_without = sum(len(p.without_snippets) for p in pages)
    baseline = len(pages) / statistics.median(tallies[BASELINE].seconds)
    header = f"{'':<36}{'snippets hit':>14}{'false pos.':>12}{'chrome leaks':>13}{'articles empty':>16}{'errors':>8}{'pages/s':>9}{'speed':>7}"
    print("\n" + header)
    print("-" * len(header))
    for name, tally in tallies.items():
        hits = false_positives = 0
        for page in pages:
            h, f = snippet_counts(
                tally.outcomes[page.id].text, page.with_snippets, page.without_snippets
            )
            hits, false_positives = hits + h, false_positives + f
        leaks = sum(1 for o in tally.outcomes.values() if any(x in o.text for x in LEAK_PHRASES))
        empty = sum(1 for p in articles if not tally.outcomes[p.id].text.strip())
        errors = sum(1 for o in tally.outcomes.values() if o.error)
        speed = len(pages) / statistics.median(tally.seconds)
        print(
            f"{name:<36}{hits:>7}/{total_with:<6}{false_positives:>5}/{total_without:<6}"
            f"{leaks:>13}{empty:>9}/{len(articles):<6}{errors:>8}{speed:>9.1f}{speed / baseline:>6.2f}x"
        )


def page_kind_report(pages: list[Page], tallies: dict[str, Tally]) -> None:
    stored = tallies[STORED].outcomes
    articles = [p for p in pages if p.page_type == "article"]
    rejected = Counter(stored[p.id].reason for p in articles if stored[p.id].reason)
    print(
        f"\npage-kind check: article pages not stored {sum(rejected.values())}/{len(articles)}"
        f" ({sum(rejected.values()) / max(len(articles), 1):.1%})"
        + (f": {', '.join(f'{r} {n}' for r, n in rejected.most_common())}" if rejected else "")
    )
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for page in pages:
        if page.page_type != "article":
            by_type[page.page_type][0] += stored[page.id].reason is None
            by_type[page.page_type][1] += 1
    accepted = ", ".join(f"{t} {a}/{n}" for t, (a, n) in sorted(by_type.items()))
    print(f"non-article pages stored as articles: {accepted}")
    expected = [p for p in pages if p.expected_reason]
    if expected:
        right = sum(stored[p.id].reason == p.expected_reason for p in expected)
        print(f"golden non-article pages dropped with the expected reason: {right}/{len(expected)}")
    errors = [(pid, o.error) for pid, o in stored.items() if o.error]
    for page_id, error in errors[:10]:
        print(f"  exception on {page_id}: {error}")


def metadata_table(pages: list[Page], tallies: dict[str, Tally]) -> None:
    """Title, author and day right / wrong / missing on the article pages."""
    articles = [p for p in pages if p.page_type == "article"]
    print(f"\nmetadata on {len(articles)} article pages: right / wrong / missing")
    judges = (("title", judge_title), ("author", judge_author), ("day", judge_day))
    header = f"{'':<36}" + "".join(f"{label:>20}" for label, _ in judges)
    print(header)
    print("-" * len(header))
    for name, label in ((OURS, OURS), (BASELINE, "trafilatura extract_metadata")):
        cells = []
        for attribute, judge in judges:
            outcomes = tallies[name].outcomes
            counts = Counter(
                judge(getattr(outcomes[p.id], attribute), getattr(p, attribute)) for p in articles
            )
            cells.append(f"{counts['right']:>6} /{counts['wrong']:>4} /{counts['missing']:>4}")
        print(f"{label:<36}" + "".join(f"{c:>20}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="a WCXB-style corpus or the golden corpus")
    parser.add_argument("--passes", type=int, default=1, help="timed passes (median taken)")
    parser.add_argument("--limit", type=int, help="the first N pages only")
    args = parser.parse_args()
    pages = load_corpus(args.corpus, args.limit)
    print(f"{len(pages)} pages from {args.corpus}, {args.passes} timed pass(es), CPU time\n")
    tallies = run_corpus(pages, args.passes)
    text_table(pages, tallies)
    other_table(pages, tallies)
    page_kind_report(pages, tallies)
    metadata_table(pages, tallies)


if __name__ == "__main__":
    main()
