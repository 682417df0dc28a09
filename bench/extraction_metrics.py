"""How an extraction is scored: 4-gram shingle precision and recall, snippets, metadata.

The text metric is the one the scrapinghub article-extraction benchmark (and
WCXB) use: tokens are ``\\w+`` runs, lower-cased; 4-token shingles are counted
as multisets; per page precision = shared / predicted and recall = shared /
expected, averaged over pages; F1 of the two averages. A page with no expected
text scores 1 when nothing is predicted. Snippets: a ``with`` snippet found in the
text (whitespace normalised) is a hit, a ``without`` snippet found is a false
positive. Metadata is right, wrong or missing against the reviewed value.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

_TOKEN = re.compile(r"\w+")
_SHINGLE = 4
# Words a byline adds around names ("By A and B"), not part of any name.
_NAME_NOISE = frozenset(["by", "and", "und", "et", "von", "par", "the"])


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text.lower())
    if len(tokens) < _SHINGLE:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + _SHINGLE]) for i in range(len(tokens) - _SHINGLE + 1))


def text_scores(got: str, want: str) -> tuple[float, float]:
    """Per-page precision and recall of ``got``'s 4-gram shingles against ``want``'s."""
    got_s, want_s = shingles(got), shingles(want)
    if not got_s and not want_s:
        return 1.0, 1.0
    shared = sum((got_s & want_s).values())
    precision = shared / sum(got_s.values()) if got_s else 0.0
    recall = shared / sum(want_s.values()) if want_s else (1.0 if not got_s else 0.0)
    return precision, recall


@dataclass(frozen=True)
class TextSummary:
    precision: float
    recall: float
    pages: int

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def summarise(scores: Iterable[tuple[float, float]]) -> TextSummary:
    scores = list(scores)
    if not scores:
        return TextSummary(0.0, 0.0, 0)
    return TextSummary(
        statistics.mean(s[0] for s in scores), statistics.mean(s[1] for s in scores), len(scores)
    )


def _squash(text: str) -> str:
    return " ".join(text.split())


def snippet_counts(text: str, with_: Iterable[str], without: Iterable[str]) -> tuple[int, int]:
    """(``with`` snippets found, ``without`` snippets found) in ``text``."""
    flat = _squash(text)
    hits = sum(1 for s in with_ if _squash(s) and _squash(s) in flat)
    false_positives = sum(1 for s in without if _squash(s) and _squash(s) in flat)
    return hits, false_positives


def _words(value: str) -> list[str]:
    return _TOKEN.findall(value.casefold())


def same_title(got: str | None, want: str | None) -> bool:
    return _words(got or "") == _words(want or "")


def same_author(got: str | None, want: str | None) -> bool:
    """The same people: equal name words, or one's words inside the other's (a name beside
    its credentials, "Dylan Bailey" for "Dylan Bailey, MS, RD"), at least two words long."""
    got_words = set(_words(got or "")) - _NAME_NOISE
    want_words = set(_words(want or "")) - _NAME_NOISE
    if got_words == want_words:
        return True
    smaller, larger = sorted((got_words, want_words), key=len)
    return len(smaller) >= 2 and smaller <= larger


def judge(got: object, want: object, same: bool) -> str:
    """right, wrong or missing: no value where the page has one is missing, not wrong."""
    if same:
        return "right"
    if got in (None, ""):
        return "missing"
    return "wrong"


def judge_title(got: str | None, want: str | None) -> str:
    return judge(got, want, same_title(got, want))


def judge_author(got: str | None, want: str | None) -> str:
    return judge(got, want, same_author(got, want))


def judge_day(got: date | None, want: date | None) -> str:
    return judge(got, want, got == want)
