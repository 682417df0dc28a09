"""Which of two linked articles is the original: the evidence, strongest first.

Dates help but are never required (issue 10); without them the structure of
the two texts decides:

1. ``credit``: one names the other's outlet as its source ("Source: X").
2. ``date``: both are dated, and one was published first.
3. ``credit line``: one carries a credit line naming someone else, the other
   none (a repost says where it came from; an original has no need to).
4. ``containment``: one is inside the other and not the other way round (the
   original contains its excerpts; a wire copy is its first paragraphs).
5. ``framing``: fewer lines before and after the text the two share (a
   reposting site's page lines, a blogger's intro, a "read more" trailer are
   lines the original never had; a paragraph a copy dropped is inside).
6. ``length``: the longer text of its own, outlet chrome left out (an edited
   copy drops a sentence).
7. ``extra lines``: the same text of its own, with fewer words around it (a
   wrapper's header and footer are its site's, shared with its other pages).
8. ``key``: nothing tells them apart; a fixed order.

Every pair is decided, so articles can be ranked by their losses to linked
neighbours, strongest evidence first (``assign``): the original of a story
loses to none of its reposts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from aggregator.dedup.verify import Link

EVIDENCE = (
    "credit",
    "date",
    "credit line",
    "containment",
    "framing",
    "length",
    "extra lines",
    "key",
)
# One text is inside the other when its containment exceeds the other's by this much.
# Word edits move both alike (an edited copy and its original: within 0.03 of each other
# on the news corpus); a lead excerpt of a short article is inside it by more.
INSIDE_MARGIN = 0.05


@dataclass(frozen=True)
class Facts:
    """What the canonical choice needs to know of an article."""

    key: Hashable
    length: int  # words of the whole text
    published: datetime | None = None
    outlet: str | None = None
    outlet_names: tuple[str, ...] = ()  # names a credit line may use for the outlet
    credit: str | None = None  # the outlet this article credits as its source
    credit_line: bool = False  # it carries a credit line (naming an outlet or an author)

    @property
    def credits_another(self) -> bool:
        """A credit line that does not name the article's own outlet."""
        if not self.credit_line:
            return False
        return self.credit is None or self.credited not in self.names

    # Names read once per article, not once per pair judged (``normalise_name`` is two
    # regular expressions).
    @cached_property
    def names(self) -> frozenset[str]:
        """``outlet_names`` as ``normalise_name`` reads them."""
        return frozenset(normalise_name(name) for name in self.outlet_names if name)

    @cached_property
    def credited(self) -> str | None:
        """``credit`` as ``normalise_name`` reads it."""
        return normalise_name(self.credit) if self.credit else None


@dataclass(frozen=True)
class Verdict:
    """The outcome for one linked pair: which is the original, and on what evidence."""

    original: Hashable
    derived: Hashable
    evidence: str


def normalise_name(name: str) -> str:
    """Outlet names as credit lines write them: case, accents, 'the' and punctuation ignored."""
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    name = re.sub(r"[^a-z0-9]+", " ", name).strip()
    return re.sub(r"^the ", "", name)


def credits(reposting: Facts, original: Facts) -> bool:
    """Does ``reposting`` name ``original``'s outlet as its source?"""
    if not reposting.credit or reposting.outlet == original.outlet:
        return False
    return reposting.credited in original.names


def judge(a: Facts, b: Facts, link: Link, containment: float) -> Verdict:
    """Which of the linked articles ``a`` and ``b`` is the other's original.

    ``containment`` is the verification threshold: a text is inside another
    only if that much of it is found there.
    """
    for evidence in EVIDENCE:
        first = _prefers(evidence, a, b, link, containment)
        if first is not None:
            original, derived = (a, b) if first else (b, a)
            return Verdict(original.key, derived.key, evidence)
    raise AssertionError("the key always decides")  # pragma: no cover


def _prefers(evidence: str, a: Facts, b: Facts, link: Link, containment: float) -> bool | None:
    """True if ``evidence`` says ``a`` is the original, False if ``b``, None if it cannot tell."""
    if evidence == "credit":
        return _either(credits(b, a), credits(a, b))
    if evidence == "date":
        if a.published is None or b.published is None or a.published == b.published:
            return None
        return a.published < b.published
    if evidence == "credit line":
        return _either(b.credits_another, a.credits_another)
    a_in_b, b_in_a = link.containment_of(a.key), link.containment_of(b.key)
    if evidence == "containment":
        return _either(_inside(b_in_a, a_in_b, containment), _inside(a_in_b, b_in_a, containment))
    if evidence == "framing":
        around_a, around_b = link.framing_of(a.key), link.framing_of(b.key)
        if around_a is None or around_b is None or around_a == around_b:
            return None
        return around_a < around_b
    if evidence == "length":
        own_a, own_b = _own(link, a_in_b), _own(link, b_in_a)
        return None if own_a == own_b else own_a > own_b
    if evidence == "extra lines":
        return None if a.length == b.length else a.length < b.length
    return str(a.key) < str(b.key) if str(a.key) != str(b.key) else repr(a.key) < repr(b.key)


def containment_decides(link: Link, containment: float) -> bool:
    """Is one of the two linked texts inside the other (so nothing after containment counts)?"""
    return _inside(link.a_in_b, link.b_in_a, containment) or _inside(
        link.b_in_a, link.a_in_b, containment
    )


def _inside(share: float, other_share: float, containment: float) -> bool:
    return share >= containment and share >= other_share + INSIDE_MARGIN


def _either(for_a: bool, for_b: bool) -> bool | None:
    return for_a if for_a != for_b else None


def _own(link: Link, share: float) -> int:
    """Shingles of its own (outlet chrome left out) an article brought to ``link``."""
    return round(link.shared / share) if share else 0
