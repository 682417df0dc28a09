"""The news-corpus table of ``bench/dedup.py``: each engine on the tuning and held-out halves."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable

from news_corpus import HALVES, KINDS, NewsDoc, build_news_corpus
from news_metrics import canonical_is_original, negatives_merged, pairwise, recall_by_kind
from timing import timed

# Engines that choose an original (the first member of each story); the others' is arbitrary.
CHOOSES_ORIGINAL = ("ours", "containment")
DATE_ROWS = (
    ("dated", "canonical: dated"),
    ("undated", "canonical: undated"),
    ("mixed", "canonical: orig. undated"),
)
_LABEL, _COLUMN = 27, 12


def news_table(engines: dict[str, Callable], seed: int, repeats: int) -> None:
    docs = build_news_corpus(seed)
    halves = {half: [d for d in docs if d.half == half] for half in HALVES}
    _describe(halves)
    results = {}
    for name, engine in engines.items():
        for half, half_docs in halves.items():
            stories, speed = timed(engine, half_docs, repeats)
            long = [d for d in half_docs if 700 <= len(d.text.split()) <= 1000]
            results[name, half] = (half_docs, stories, speed, timed(engine, long, repeats)[1])
    _print(results, _rows())


def stress_table(engines: dict[str, Callable], seed: int) -> None:
    """The same corpus but for its excerpts: any 1-3 paragraphs, however short (a lead of
    one 20-word paragraph, a 15-word quote under a longer intro)."""
    docs = build_news_corpus(seed, min_excerpt_words=0)
    halves = {half: [d for d in docs if d.half == half] for half in HALVES}
    print("stress: excerpts of 1-3 paragraphs of any length (no 40-word minimum)")
    results = {
        (name, half): (half_docs, engine(half_docs), 0.0, 0.0)
        for name, engine in engines.items()
        for half, half_docs in halves.items()
    }
    wanted = ("pairwise f1", "recall: lead", "recall: middle", "unrelated merged")
    _print(results, [row for row in _rows() if row[0] in wanted or "orphan" in row[0]])


def _print(results: dict, rows: list[tuple[str, Callable]]) -> None:
    columns = list(results)
    print(f"{'':{_LABEL}}" + "".join(f"{name[: _COLUMN - 1]:>{_COLUMN}}" for name, _ in columns))
    print(f"{'':{_LABEL}}" + "".join(f"{half:>{_COLUMN}}" for _, half in columns))
    print("-" * (_LABEL + _COLUMN * len(columns)))
    for label, cell in rows:
        print(f"{label:{_LABEL}}" + "".join(cell(column, results[column]) for column in columns))


def _describe(halves: dict[str, list[NewsDoc]]) -> None:
    for half, docs in halves.items():
        kinds = Counter("orphan " + d.kind if d.orphan else d.kind for d in docs)
        words = statistics.median(len(d.text.split()) for d in docs if d.kind == "original")
        stories = Counter(d.dates for d in docs if d.kind == "original")
        print(
            f"news corpus, {half} half: {len(docs)} pages "
            f"({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))}); "
            f"originals median {words:.0f} words; stories "
            + ", ".join(f"{mode} {n}" for mode, n in sorted(stories.items()))
        )


def _rows() -> list[tuple[str, Callable]]:
    def number(value: float, digits: int = 4) -> str:
        return f"{value:>{_COLUMN}.{digits}f}"

    def metric(name: str) -> Callable:
        return lambda _, r: number(pairwise(r[0], r[1])[name])

    def kind(name: str) -> Callable:
        return lambda _, r: number(recall_by_kind(r[0], r[1]).get(name, 0.0))

    def merged(name: str) -> Callable:
        def cell(_, r) -> str:
            bad, total = negatives_merged(r[0], r[1])[name]
            return f"{f'{bad}/{total}':>{_COLUMN}}"

        return cell

    def canonical(mode: str) -> Callable:
        def cell(column, r) -> str:
            if column[0] not in CHOOSES_ORIGINAL:
                return f"{'n/a':>{_COLUMN}}"
            right, total = canonical_is_original(r[0], r[1]).get(mode, (0, 0))
            return number(right / total if total else 1.0)

        return cell

    return [
        *((f"pairwise {m}", metric(m)) for m in ("precision", "recall", "f1")),
        *((f"recall: {k}", kind(k)) for k in KINDS),
        ("unrelated merged", merged("unrelated")),
        ("orphan excerpts merged", merged("orphan")),
        *((label, canonical(mode)) for mode, label in DATE_ROWS),
        ("articles/s (one core)", lambda _, r: f"{r[2]:>{_COLUMN},.0f}"),
        ("  of 700-1000 words", lambda _, r: f"{r[3]:>{_COLUMN},.0f}"),
    ]
