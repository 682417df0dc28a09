"""What a story page shows, read from the store: the original, each repost and how it spread."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from aggregator.errors import UnknownStoryError
from aggregator.queries import carried_shares, load_story, reposts_of
from aggregator.report.align import Alignment, Original
from aggregator.report.timeline import Entry, Timeline, gap_text, layout
from aggregator.store import ArticleRow, StoryRow


@dataclass(frozen=True)
class RepostView:
    """One repost with what the page says about it beside the stored row."""

    article: ArticleRow
    gap: str  # "+4 days" after the original
    carried: float | None  # share of the original's text this repost carries
    alignment: Alignment


@dataclass(frozen=True)
class StoryPage:
    story: StoryRow
    canonical: ArticleRow
    reposts: tuple[RepostView, ...]
    timeline: Timeline

    @property
    def outlets(self) -> int:
        return len({self.canonical.outlet_id, *(r.article.outlet_id for r in self.reposts)})


def load_story_page(session: Session, story_id: int) -> StoryPage:
    """Everything a story page shows; raises ``UnknownStoryError`` for a missing id."""
    story = load_story(session, story_id)
    if story is None:
        raise UnknownStoryError(story_id)
    canonical = next(a for a in story.articles if a.id == story.canonical_article_id)
    carried = carried_shares(session, canonical.id)
    original = Original(canonical.text)
    reposts = tuple(
        RepostView(
            article=repost,
            gap=gap_text(repost.published, canonical.published),
            carried=carried.get(repost.id),
            alignment=original.align(repost.text),
        )
        for repost in reposts_of(story)
    )
    entries = [
        Entry(canonical.id, canonical.outlet.name, canonical.published, "canonical", "original")
    ]
    entries += [
        Entry(r.article.id, r.article.outlet.name, r.article.published, r.article.role or "", r.gap)
        for r in reposts
    ]
    return StoryPage(story, canonical, reposts, layout(entries, canonical.published))
