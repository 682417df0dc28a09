"""Benchmark: story detection on labelled corpora of real text, our engine beside the baselines.

    .venv/bin/python bench/dedup.py                      # news corpus, regression corpus, scale
    .venv/bin/python bench/dedup.py --corpus news        # the news corpus only (issue 10)
    .venv/bin/python bench/dedup.py --corpus regression --no-scale

**News corpus** (``bench/news_corpus.py``: WCXB's real articles, reposted as
lead and middle excerpts, wire copies, wrapped full copies and edited copies,
with orphans and unrelated articles; its tuning and held-out halves are
reported apart): pair P/R/F1, recall per kind, negatives merged, canonical is
the original with and without dates, articles/s; beside a datasketch
``MinHashLSH`` and a containment baseline (``MinHashLSHEnsemble`` + best
parent). Targets (issue 10): F1 >= 0.99, each kind's recall >= 0.97, <= 0.1% of
negatives merged, canonical is the original >= 0.95 dated and undated,
>= 1,000 articles/s on one core. A stress table follows: the same corpus with
excerpts of any length. Needs ``../shared/corpora/wcxb-dev``.

**Regression corpus** (``bench/corpus.py``, the demo site and Python
documentation prose: built while tuning issue 4, a regression check, not
evidence). Needs ``apt-get install python3-doc``.

Runs pinned to one core and timed in CPU time of this process (the machine is
shared: other work on the other core does not count); speeds are the median of
``--repeats`` runs; memory is the peak traced allocation of one run
(``tracemalloc``) divided by the number of articles.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import REPOST_KINDS, LabelledDoc, build_corpus
from engines import ENGINES, NEWS_ENGINES, Stories
from news_table import news_table, stress_table
from scale import scale_run
from timing import peak_bytes, pin_to_one_core, timed

OURS = "ours"  # the one engine that chooses an original


def pairwise(docs: Sequence[LabelledDoc], stories: Stories) -> dict[str, float]:
    """Pairwise precision, recall and F1 against the labels (digest pages left out)."""
    label = {d.id: d.story for d in docs if d.kind != "digest"}
    predicted = {key: number for number, story in enumerate(stories) for key in story}
    pairs = lambda groups: sum(len(g) * (len(g) - 1) // 2 for g in groups.values())  # noqa: E731
    by_pred, by_label, both = defaultdict(list), defaultdict(list), defaultdict(list)
    for key, story in label.items():
        by_pred[predicted[key]].append(key)
        by_label[story].append(key)
        both[(predicted[key], story)].append(key)
    true, found, wanted = pairs(both), pairs(by_pred), pairs(by_label)
    precision = true / found if found else 1.0
    recall = true / wanted if wanted else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def by_kind(docs: Sequence[LabelledDoc], stories: Stories) -> dict[str, float]:
    """Per repost kind: the share that ends in its original's story."""
    predicted = {key: number for number, story in enumerate(stories) for key in story}
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for doc in docs:
        if doc.kind in REPOST_KINDS or (doc.kind == "demo" and doc.story != doc.id):
            kind = "excerpt" if doc.kind == "demo" else doc.kind
            totals[kind] += 1
            hits[kind] += predicted[doc.id] == predicted[doc.story]
    return {kind: hits[kind] / totals[kind] for kind in REPOST_KINDS if totals[kind]}


def negatives_merged(docs: Sequence[LabelledDoc], stories: Stories) -> tuple[float, int]:
    """Share of same-topic negatives that share a story with another story's article, and
    how many digest pages glued two stories together."""
    label = {d.id: d.story for d in docs}
    kind = {d.id: d.kind for d in docs}
    wrong, glued = set(), 0
    for story in stories:
        stories_in = {label[key] for key in story if kind[key] != "digest"}
        if len(stories_in) > 1:
            wrong.update(key for key in story if kind[key] == "negative")
        glued += len(stories_in) > 1 and any(kind[key] == "digest" for key in story)
    negatives = sum(k == "negative" for k in kind.values())
    return len(wrong) / negatives, glued


def canonical_accuracy(docs: Sequence[LabelledDoc], stories: Stories) -> float:
    """Among stories with reposts, the share whose first member is the labelled original."""
    label = {d.id: d.story for d in docs}
    multi = [s for s in stories if len(s) > 1 and any(label[k] == k for k in s)]
    return sum(label[s[0]] == s[0] for s in multi) / len(multi) if multi else 1.0


def corpus_table(docs: list[LabelledDoc], repeats: int) -> None:
    kinds = Counter(d.kind for d in docs)
    words = statistics.median(len(d.text.split()) for d in docs if d.kind == "original")
    print(
        f"corpus: {len(docs)} articles ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))}); "
        f"originals median {words:.0f} words"
    )
    long = [d for d in docs if 700 <= len(d.text.split()) <= 1000]
    rows, long_speed = {}, {}
    for name, engine in ENGINES.items():
        stories, speed = timed(engine, docs, repeats)
        rows[name] = (stories, speed, peak_bytes(engine, docs) / len(docs))
        long_speed[name] = timed(engine, long, repeats)[1]
    header = f"{'':28}" + "".join(f"{name:>20}" for name in rows)
    print(header)
    print("-" * len(header))
    metrics = {name: pairwise(docs, stories) for name, (stories, _, _) in rows.items()}
    for metric in ("precision", "recall", "f1"):
        print(f"{'pairwise ' + metric:28}" + "".join(f"{metrics[n][metric]:>20.4f}" for n in rows))
    kinds_by = {name: by_kind(docs, stories) for name, (stories, _, _) in rows.items()}
    for kind in REPOST_KINDS:
        print(
            f"{'recall: ' + kind:28}" + "".join(f"{kinds_by[n].get(kind, 0):>20.4f}" for n in rows)
        )
    merged = {name: negatives_merged(docs, stories) for name, (stories, _, _) in rows.items()}
    print(f"{'negatives merged':28}" + "".join(f"{merged[n][0]:>19.2%} " for n in rows))
    print(f"{'digests gluing two stories':28}" + "".join(f"{merged[n][1]:>20d}" for n in rows))
    # Only our engine chooses an original; the baselines' "first member" is arbitrary.
    print(
        f"{'canonical is the original':28}"
        + "".join(
            f"{canonical_accuracy(docs, rows[n][0]):>20.4f}" if n == OURS else f"{'n/a':>20}"
            for n in rows
        )
    )
    print(f"{'articles/s (one core)':28}" + "".join(f"{rows[n][1]:>20,.0f}" for n in rows))
    words = statistics.mean(len(d.text.split()) for d in long)
    print(
        f"{f'  {len(long)} of ~{words:.0f} words':28}"
        + "".join(f"{long_speed[n]:>20,.0f}" for n in rows)
    )
    print(
        f"{'peak memory/article (KiB)':28}" + "".join(f"{rows[n][2] / 1024:>20.1f}" for n in rows)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20121016)
    parser.add_argument("--originals", type=int, default=100_000, help="at most this many")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scale", default="10000,100000", help="stored articles to time at")
    parser.add_argument("--no-scale", action="store_true")
    parser.add_argument("--corpus", choices=("news", "regression", "all"), default="all")
    args = parser.parse_args()
    pin_to_one_core()
    if args.corpus in ("news", "all"):
        news_table(NEWS_ENGINES, args.seed, args.repeats)
        print()
        stress_table(NEWS_ENGINES, args.seed)
        print()
    if args.corpus == "news":
        return
    docs = build_corpus(seed=args.seed, originals=args.originals)
    corpus_table(docs, args.repeats)
    if not args.no_scale:
        print()
        scale_run(docs, [int(n) for n in args.scale.split(",")], args.seed, args.repeats)


if __name__ == "__main__":
    main()
