"""Story assignment: which articles form one story, and which one is the original.

Canonical-centred, not transitive: every linked pair is judged (``precedence``:
credit, dates, credit lines, containment, framing, length), articles are
visited from the one that loses to the fewest of its linked neighbours on the
strongest evidence (one loss on a credit line outweighs any number on length),
and each joins the story of the canonical it overlaps most, or becomes a
canonical itself. The original of a story is visited before its reposts, so
they join it, dates or no dates.

A *digest* (a listing that slipped through, a roundup) is a page assembled from
two or more different stories: it carries two articles that are not reposts of
each other and that came before it (published earlier, credited by it, or
dated posts of its own outlet on an undated page, as a tag archive's are). It
is visited last, so it joins at most one of their stories and never glues them
together. An original is never a digest of its own excerpts: they come after it.

Because the visiting order depends only on the articles and their links, not on
arrival, the stories are the same whatever order the articles came in.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from aggregator.dedup.config import DedupConfig
from aggregator.dedup.precedence import EVIDENCE, Facts, Verdict, credits, judge
from aggregator.dedup.verify import Link

ROLE_CANONICAL = "canonical"
ROLE_REPOST = "repost"
ROLE_EXCERPT = "excerpt"

# How each kind of evidence reads as the reason a canonical was chosen.
REASONS = {
    "date": "earliest published",
    "credit line": "the others credit another source",
    "containment": "contains the others' text",
    "framing": "the others add lines of their own",
    "length": "longest text",
    "extra lines": "the others are longer around the same text",
    "key": "first in a fixed order (same text and length)",
}


@dataclass
class StoryAssignment:
    """One story: its canonical article, the others with their role, and why."""

    canonical: Hashable
    reason: str = "only article"
    members: list[tuple[Hashable, str, Link | None]] = field(default_factory=list)

    @property
    def keys(self) -> list[Hashable]:
        return [key for key, _, _ in self.members]


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
    verdicts = _verdicts(by_key, neighbours, config)
    losses = Counter((v.derived, v.evidence) for v in verdicts.values())
    wins = Counter(v.original for v in verdicts.values())
    composite = {key for key in by_key if _is_composite(key, by_key, neighbours, config)}
    order = sorted(
        by_key.values(),
        key=lambda f: (
            f.key in composite,
            tuple(losses[f.key, evidence] for evidence in EVIDENCE),
            -wins[f.key],
            -f.length,
            str(f.key),
            repr(f.key),
        ),
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
        story.reason = _reason(story, by_key, composite, verdicts)
    return list(stories.values())


def _verdicts(
    by_key: dict[Hashable, Facts],
    neighbours: dict[Hashable, dict[Hashable, Link]],
    config: DedupConfig,
) -> dict[frozenset, Verdict]:
    """Every linked pair judged once."""
    found: dict[frozenset, Verdict] = {}
    for key, linked in neighbours.items():
        for other, link in linked.items():
            pair = frozenset((key, other))
            if pair not in found:
                found[pair] = judge(by_key[key], by_key[other], link, config.containment)
    return found


def _is_composite(
    key: Hashable,
    by_key: dict[Hashable, Facts],
    neighbours: dict[Hashable, dict[Hashable, Link]],
    config: DedupConfig,
) -> bool:
    """Does ``key`` carry two articles that came before it and are not reposts of each other?"""
    page = by_key[key]
    inside = [
        other
        for other, link in neighbours[key].items()
        if link.containment_of(other) >= config.containment and _came_before(by_key[other], page)
    ]
    return any(
        second not in neighbours[first]
        for position, first in enumerate(inside)
        for second in inside[position + 1 :]
    )


def _came_before(part: Facts, page: Facts) -> bool:
    """Was ``part`` there before ``page`` carried it (so ``page`` was assembled from it)?

    Yes if ``page`` credits it, or both are dated and ``part`` is not the later, or
    ``part`` is a dated page of ``page``'s own outlet and ``page`` has no date (a tag
    archive, a home page carrying its posts). Excerpts of an original on other sites, or
    published after it, never came before it; without dates nothing says they did.
    """
    if credits(part, page):
        return False
    if credits(page, part):
        return True
    if part.published is None:
        return False
    if page.published is not None:
        return part.published <= page.published
    return page.outlet is not None and part.outlet == page.outlet


def _reason(
    story: StoryAssignment,
    by_key: dict[Hashable, Facts],
    composite: set[Hashable],
    verdicts: dict[frozenset, Verdict],
) -> str:
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
    won = {
        verdict.evidence
        for other in others
        if (verdict := verdicts[frozenset((canonical.key, other.key))]).original == canonical.key
    }
    reasons = [
        REASONS[evidence] for evidence in EVIDENCE if evidence in won and evidence in REASONS
    ]
    return "; ".join(reasons) or "first in the order of its story"
