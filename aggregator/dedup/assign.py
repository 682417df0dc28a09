"""Story assignment: which articles form one story, and which one is the original.

Canonical-centred, not transitive: articles are visited from the most to the
least likely original (credited by a repost, then earliest published, then
longest, then key); each joins the story of the canonical it overlaps most, or
becomes a canonical itself.

A *composite* page (a digest, a listing that slipped through) contains two
articles that share nothing with each other; it is visited last, so it joins
at most one of their stories and never glues them together. Because the
visiting order depends only on the articles and their links, not on arrival,
the stories are the same whatever order the articles came in.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from aggregator.dedup.config import DedupConfig
from aggregator.dedup.verify import Link

ROLE_CANONICAL = "canonical"
ROLE_REPOST = "repost"
ROLE_EXCERPT = "excerpt"


@dataclass(frozen=True)
class Facts:
    """What the canonical choice needs to know of an article."""

    key: Hashable
    length: int
    published: datetime | None = None
    outlet: str | None = None
    outlet_names: tuple[str, ...] = ()  # names a credit line may use for the outlet
    credit: str | None = None  # the outlet this article credits as its source


@dataclass
class StoryAssignment:
    """One story: its canonical article, the others with their role, and why."""

    canonical: Hashable
    reason: str = "only article"
    members: list[tuple[Hashable, str, Link | None]] = field(default_factory=list)

    @property
    def keys(self) -> list[Hashable]:
        return [key for key, _, _ in self.members]


def normalise_name(name: str) -> str:
    """Outlet names as credit lines write them: case, accents, 'the' and punctuation ignored."""
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    name = re.sub(r"[^a-z0-9]+", " ", name).strip()
    return re.sub(r"^the ", "", name)


def credits(reposting: Facts, original: Facts) -> bool:
    """Does ``reposting`` name ``original``'s outlet as its source?"""
    if not reposting.credit or reposting.outlet == original.outlet:
        return False
    credited = normalise_name(reposting.credit)
    return any(credited == normalise_name(name) for name in original.outlet_names if name)


def assign(
    facts: Iterable[Facts], links: Iterable[Link], config: DedupConfig
) -> list[StoryAssignment]:
    """Group articles into stories; ``links`` are the verified reposts between them."""
    by_key = {f.key: f for f in facts}
    neighbours: defaultdict[Hashable, dict[Hashable, Link]] = defaultdict(dict)
    for link in links:
        if link.a in by_key and link.b in by_key and link.a != link.b:
            neighbours[link.a][link.b] = link
            neighbours[link.b][link.a] = link
    credited = {
        key: sum(credits(by_key[other], by_key[key]) for other in neighbours[key]) for key in by_key
    }
    composite = {key for key in by_key if _is_composite(key, by_key, neighbours, config)}
    order = sorted(
        by_key.values(), key=lambda f: (f.key in composite, *_priority(f, credited[f.key]))
    )
    rank = {f.key: position for position, f in enumerate(order)}

    stories: dict[Hashable, StoryAssignment] = {}
    for article in order:
        linked = [c for c in neighbours[article.key] if c in stories]
        if not linked:
            stories[article.key] = StoryAssignment(
                canonical=article.key, members=[(article.key, ROLE_CANONICAL, None)]
            )
            continue
        best = max(linked, key=lambda c: (neighbours[article.key][c].strength, -rank[c]))
        link = neighbours[article.key][best]
        role = ROLE_REPOST if link.containment_of(best) >= config.full_copy else ROLE_EXCERPT
        stories[best].members.append((article.key, role, link))
    for story in stories.values():
        story.reason = _reason(story, by_key, composite)
    return list(stories.values())


def _is_composite(
    key: Hashable,
    by_key: dict[Hashable, Facts],
    neighbours: dict[Hashable, dict[Hashable, Link]],
    config: DedupConfig,
) -> bool:
    """Does ``key`` carry two earlier articles that are not reposts of each other (a digest,
    a listing)? An original that two later excerpts quote from different places is not one:
    what a page contains counts only if it was not published after the page, nor credits it."""
    page = by_key[key]
    inside = [
        other
        for other, link in neighbours[key].items()
        if link.containment_of(other) >= config.containment and _assembled_from(page, by_key[other])
    ]
    return any(
        second not in neighbours[first]
        for position, first in enumerate(inside)
        for second in inside[position + 1 :]
    )


def _assembled_from(page: Facts, part: Facts) -> bool:
    """Could ``page`` have been put together from ``part`` (rather than quoted by it)?"""
    if credits(part, page):
        return False
    if page.published is None:
        return True
    return part.published is not None and part.published <= page.published


def _priority(article: Facts, credited_by: int) -> tuple:
    """The order of issue 4: credited by reposts, else earliest published, else longest."""
    published = article.published.timestamp() if article.published else float("inf")
    return (-credited_by, published, -article.length, str(article.key))


def _reason(story: StoryAssignment, by_key: dict[Hashable, Facts], composite: set) -> str:
    if len(story.members) == 1:
        return "only article"
    canonical = by_key[story.canonical]
    others = [by_key[key] for key, _, _ in story.members[1:]]
    crediting = sum(credits(other, canonical) for other in others)
    if crediting:
        return f"credited as the source by {crediting} repost{'s' if crediting > 1 else ''}"
    others = [o for o in others if o.key not in composite]
    if not others:
        return "the other pages are digests of several stories"
    if canonical.published and all(
        o.published is None or o.published > canonical.published for o in others
    ):
        return "earliest published"
    if all(o.length < canonical.length for o in others):
        return "longest text"
    return "first in a fixed order (same date and length)"
