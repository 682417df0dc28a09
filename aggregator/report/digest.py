"""What a digest shows for a date range: the stories that travelled furthest, and who reposts whom.

Stories are those first published in the range (as ``aggregator stories --since``
selects them, through ``queries.stories_query``); the matrix counts their reposts
by (reposting outlet, original outlet). Every figure is one aggregate query, so
a month of a large store costs a few index scans, not a walk over its stories.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session, aliased

from aggregator.queries import StoryFilter, stories_query
from aggregator.store import ArticleRow, OutletRow, StoryRow

TOP_STORIES = 25
MAX_OUTLETS = 20  # matrix rows and columns; the rest are counted, not drawn
CELL_STORIES = 10  # stories listed behind each matrix cell


@dataclass(frozen=True)
class Outlet:
    id: int
    key: str
    name: str


@dataclass(frozen=True)
class StorySummary:
    story_id: int
    title: str | None
    first_published: datetime | None
    last_published: datetime | None
    repost_count: int
    original: Outlet
    canonical_url: str
    reposted_by: tuple[str, ...] = ()  # outlet names, earliest first; top stories only


@dataclass(frozen=True)
class Cell:
    """Reposts by one outlet of another's originals: how many, and the stories behind them."""

    reposter: Outlet
    original: Outlet
    reposts: int
    story_count: int
    stories: tuple[StorySummary, ...]  # the newest CELL_STORIES of them

    @property
    def anchor(self) -> str:
        return f"cell-{self.reposter.id}-{self.original.id}"


@dataclass(frozen=True)
class ReuseMatrix:
    reposters: tuple[Outlet, ...]  # rows, most reposts first
    originals: tuple[Outlet, ...]  # columns, most reposted first
    cells: dict[tuple[int, int], Cell]  # (reposter id, original id) -> cell
    hidden_reposters: int
    hidden_originals: int

    @property
    def largest(self) -> int:
        return max((cell.reposts for cell in self.cells.values()), default=0)


@dataclass(frozen=True)
class Digest:
    since: datetime | None
    until: datetime | None
    story_count: int
    repost_count: int
    reposted_story_count: int
    top: tuple[StorySummary, ...]
    matrix: ReuseMatrix


def load_digest(
    session: Session, since: datetime | None, until: datetime | None, top: int = TOP_STORIES
) -> Digest:
    """The digest of the stories first published in [since, until)."""
    in_range = _story_ids(session, since, until)
    story_count, repost_count, reposted = session.execute(
        select(
            func.count(StoryRow.id),
            func.coalesce(func.sum(StoryRow.article_count - 1), 0),
            func.count(StoryRow.id).filter(StoryRow.article_count > 1),
        ).where(StoryRow.id.in_(in_range))
    ).one()
    return Digest(
        since=since,
        until=until,
        story_count=story_count,
        repost_count=repost_count,
        reposted_story_count=reposted,
        top=_top_stories(session, in_range, top),
        matrix=_matrix(session, in_range),
    )


def _story_ids(session: Session, since: datetime | None, until: datetime | None) -> Select:
    dialect = session.get_bind().dialect.name
    query = stories_query(StoryFilter(since=since, until=until), dialect)
    return query.with_only_columns(StoryRow.id).order_by(None)


def _summary_query() -> Select:
    """Stories with their canonical's URL and outlet, for ``_summary``."""
    canonical = aliased(ArticleRow)
    return (
        select(StoryRow, canonical.url, OutletRow)
        .join(canonical, canonical.id == StoryRow.canonical_article_id)
        .join(OutletRow, OutletRow.id == canonical.outlet_id)
    )


def _summary(
    story: StoryRow, url: str, outlet: OutletRow, reposted_by: Iterable[str] = ()
) -> StorySummary:
    return StorySummary(
        story_id=story.id,
        title=story.title,
        first_published=story.first_published,
        last_published=story.last_published,
        repost_count=story.article_count - 1,
        original=Outlet(outlet.id, outlet.key, outlet.name),
        canonical_url=url,
        reposted_by=tuple(reposted_by),
    )


def _top_stories(session: Session, in_range: Select, top: int) -> tuple[StorySummary, ...]:
    """The most reposted stories, with the names of the outlets that reposted each."""
    query = (
        _summary_query()
        .where(StoryRow.id.in_(in_range), StoryRow.article_count > 1)
        .order_by(
            StoryRow.article_count.desc(), StoryRow.first_published.desc().nulls_last(), StoryRow.id
        )
        .limit(top)
    )
    rows = session.execute(query).all()
    ids = [story.id for story, _, _ in rows]
    names: defaultdict[int | None, list[str]] = defaultdict(list)
    first_repost = func.min(ArticleRow.published)
    reposting = (
        select(ArticleRow.story_id, OutletRow.name)
        .join(OutletRow, OutletRow.id == ArticleRow.outlet_id)
        .join(StoryRow, StoryRow.id == ArticleRow.story_id)
        .where(ArticleRow.story_id.in_(ids), ArticleRow.id != StoryRow.canonical_article_id)
        .group_by(ArticleRow.story_id, OutletRow.id, OutletRow.name)
        # Who picked the story up first comes first; undated reposts last.
        .order_by(ArticleRow.story_id, first_repost.is_(None), first_repost, OutletRow.name)
    )
    for story_id, name in session.execute(reposting):
        names[story_id].append(name)
    return tuple(_summary(story, url, outlet, names[story.id]) for story, url, outlet in rows)


def _matrix(session: Session, in_range: Select) -> ReuseMatrix:
    """Repost counts by (reposting outlet, original outlet), the busiest outlets drawn."""
    repost, canonical = aliased(ArticleRow), aliased(ArticleRow)
    pairs = (
        select(
            repost.outlet_id.label("reposter"),
            canonical.outlet_id.label("original"),
            func.count(repost.id).label("reposts"),
            func.count(distinct(StoryRow.id)).label("stories"),
        )
        .join(StoryRow, StoryRow.id == repost.story_id)
        .join(canonical, canonical.id == StoryRow.canonical_article_id)
        .where(StoryRow.id.in_(in_range), repost.id != canonical.id)
        .group_by(repost.outlet_id, canonical.outlet_id)
    )
    counts = {(r, o): (n, s) for r, o, n, s in session.execute(pairs)}
    rows = _busiest(counts, side=0)
    columns = _busiest(counts, side=1)
    shown = {
        pair: value for pair, value in counts.items() if pair[0] in rows and pair[1] in columns
    }
    outlets = _outlets(session, set(rows) | set(columns))
    behind = _cell_stories(session, in_range, set(rows), set(columns))
    cells = {
        (r, o): Cell(outlets[r], outlets[o], n, s, tuple(behind.get((r, o), ())))
        for (r, o), (n, s) in shown.items()
    }
    return ReuseMatrix(
        reposters=tuple(outlets[r] for r in rows),
        originals=tuple(outlets[o] for o in columns),
        cells=cells,
        hidden_reposters=len({r for r, _ in counts}) - len(rows),
        hidden_originals=len({o for _, o in counts}) - len(columns),
    )


def _busiest(counts: dict[tuple[int, int], tuple[int, int]], side: int) -> list[int]:
    totals: defaultdict[int, int] = defaultdict(int)
    for pair, (reposts, _) in counts.items():
        totals[pair[side]] += reposts
    ranked = sorted(totals, key=lambda outlet: (-totals[outlet], outlet))
    return ranked[:MAX_OUTLETS]


def _outlets(session: Session, ids: set[int]) -> dict[int, Outlet]:
    rows = session.scalars(select(OutletRow).where(OutletRow.id.in_(ids)))
    return {row.id: Outlet(row.id, row.key, row.name) for row in rows}


def _cell_stories(
    session: Session, in_range: Select, reposters: set[int], originals: set[int]
) -> dict[tuple[int, int], list[StorySummary]]:
    """The newest CELL_STORIES stories behind each drawn cell (a window query, one pass)."""
    repost, canonical = aliased(ArticleRow), aliased(ArticleRow)
    pairs = (
        select(
            repost.outlet_id.label("reposter"),
            canonical.outlet_id.label("original"),
            StoryRow.id.label("story_id"),
            StoryRow.first_published.label("first_published"),
        )
        .join(StoryRow, StoryRow.id == repost.story_id)
        .join(canonical, canonical.id == StoryRow.canonical_article_id)
        .where(
            StoryRow.id.in_(in_range),
            repost.id != canonical.id,
            repost.outlet_id.in_(reposters),
            canonical.outlet_id.in_(originals),
        )
        .distinct()
        .subquery()
    )
    rank = func.row_number().over(
        partition_by=(pairs.c.reposter, pairs.c.original),
        order_by=(pairs.c.first_published.desc().nulls_last(), pairs.c.story_id),
    )
    ranked = select(pairs, rank.label("rank")).subquery()
    picked = list(
        session.execute(
            select(ranked.c.reposter, ranked.c.original, ranked.c.story_id).where(
                ranked.c.rank <= CELL_STORIES
            )
        )
    )
    summaries = {
        story.id: _summary(story, url, outlet)
        for story, url, outlet in session.execute(
            _summary_query().where(StoryRow.id.in_(sorted({s for _, _, s in picked})))
        )
    }
    found: defaultdict[tuple[int, int], list[StorySummary]] = defaultdict(list)
    for reposter, original, story_id in picked:
        found[(reposter, original)].append(summaries[story_id])
    for stories in found.values():
        stories.sort(key=_newest_first)
    return found


def _newest_first(summary: StorySummary) -> tuple[bool, float, int]:
    stamp = summary.first_published.timestamp() if summary.first_published else 0.0
    return summary.first_published is None, -stamp, summary.story_id
