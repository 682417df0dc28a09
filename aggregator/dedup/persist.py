"""Links and stories in the store: what ``aggregator.ingest`` writes after each article,
and ``aggregator dedup --rebuild``. (Signatures, which a crawl's matcher is rebuilt
from, are ``signatures.py``'s.)

Stories are recomputed per *component* (the articles connected by links), in
the caller's transaction. A story keeps its id while it keeps its canonical, so
links to ``aggregator show 12`` stay valid as reposts arrive.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, or_, select
from sqlalchemy.orm import Session, defer, joinedload

from aggregator.dedup.assign import StoryAssignment, assign
from aggregator.dedup.config import DedupConfig
from aggregator.dedup.precedence import Facts
from aggregator.dedup.verify import Link
from aggregator.store.models import ArticleRow, LinkRow, StoryRow

_TITLE_FALLBACK_WORDS = 12
_BATCH = 500


def replace_links(
    session: Session,
    article_id: int,
    links: Iterable[Link],
    new: bool = False,
    compared: Callable[[str], bool] | None = None,
) -> set[int]:
    """Swap the article's stored links for ``links`` (whose ``b`` are article URLs);
    return the articles it was linked to before. A ``new`` article (its row was just
    inserted) has no stored links to look up or delete.

    ``compared`` (a windowed matcher's, ``Links.compared``) says which articles (by URL)
    ``links`` were measured against: a stored link to any other stands, so a repost
    stays in the story of an original that has left the window.
    """
    by_url = {link.b: link for link in links}
    ids = article_ids(session, by_url) if by_url else {}
    former: set[int] = set()
    if not new:
        involving = or_(LinkRow.article_id == article_id, LinkRow.other_id == article_id)
        pairs = session.execute(select(LinkRow.article_id, LinkRow.other_id).where(involving))
        former = {other for pair in pairs for other in pair if other != article_id}
        if compared is not None:
            involving = and_(involving, _measured_again(session, former, ids, compared))
        session.execute(delete(LinkRow).where(involving))
    if not by_url:
        return former
    for url, link in by_url.items():
        other_id = ids.get(url)
        if other_id is None or other_id == article_id:
            continue  # indexed but never stored (its write failed): nothing to link
        session.add(link_row(article_id, other_id, link))
    session.flush()
    return former


def _measured_again(
    session: Session, former: set[int], ids: Mapping[str, int], compared: Callable[[str], bool]
) -> ColumnElement[bool]:
    """Stored links (of one article) whose other side was compared again, or linked again."""
    urls = article_urls(session, former)
    again = sorted({other for other, url in urls.items() if compared(url)} | set(ids.values()))
    return or_(LinkRow.article_id.in_(again), LinkRow.other_id.in_(again))


def link_row(article_id: int, other_id: int, link: Link) -> LinkRow:
    """The stored form of ``link`` (measured from ``article_id``'s side), ids in order."""
    low, high = sorted((article_id, other_id))
    if low != article_id:
        link = link.swapped()
    return LinkRow(
        article_id=low,
        other_id=high,
        article_in_other=link.a_in_b,
        other_in_article=link.b_in_a,
        jaccard=link.jaccard,
        shared_shingles=link.shared,
        article_framing_lines=link.a_framing,
        other_framing_lines=link.b_framing,
    )


def article_ids(session: Session, urls: Iterable[str]) -> dict[str, int]:
    return _lookup(session, ArticleRow.url, ArticleRow.id, list(urls))


def article_urls(session: Session, ids: Iterable[int]) -> dict[int, str]:
    return _lookup(session, ArticleRow.id, ArticleRow.url, sorted(ids))


def _lookup(session: Session, key: Any, value: Any, keys: list[Any]) -> dict[Any, Any]:
    """``key -> value`` for the articles whose ``key`` is in ``keys``, _BATCH at a time
    (a database limits the parameters of one statement)."""
    found: dict[Any, Any] = {}
    for start in range(0, len(keys), _BATCH):
        query = select(key, value).where(key.in_(keys[start : start + _BATCH]))
        found.update(dict(session.execute(query).all()))
    return found


def recompute_stories(
    session: Session, article_ids: Iterable[int], config: DedupConfig, now: datetime | None = None
) -> int:
    """Reassign the stories of every component of linked articles touching ``article_ids``
    (together, as a component may just have split). Returns how many stories were created."""
    component: set[int] = set()
    for article_id in sorted(set(article_ids)):
        if article_id not in component:
            component |= _component(session, article_id)
    if not component:
        return 0
    rows = load_rows(session, component)
    old_ids = {row.story_id for row in rows.values() if row.story_id is not None}
    old_canonicals = {}
    if old_ids:
        query = select(StoryRow.canonical_article_id, StoryRow.id).where(StoryRow.id.in_(old_ids))
        old_canonicals = dict(session.execute(query).all())
    assignment = StoryWriter(session, old_canonicals, now)
    links = stored_links(session, component) if len(component) > 1 else []
    assignment.write(rows, links, config)
    assignment.delete_unused(old_ids)
    return assignment.created


def load_rows(session: Session, ids: Iterable[int]) -> dict[int, ArticleRow]:
    """Articles by id with their outlets, texts left unloaded until asked for."""
    ids = list(ids)
    rows: dict[int, ArticleRow] = {}
    for start in range(0, len(ids), _BATCH):
        query = (
            select(ArticleRow)
            .where(ArticleRow.id.in_(ids[start : start + _BATCH]))
            .options(joinedload(ArticleRow.outlet), defer(ArticleRow.text))
        )
        rows.update((row.id, row) for row in session.scalars(query))
    return rows


def _component(session: Session, start: int) -> set[int]:
    """Every article reachable from ``start`` through links."""
    seen, frontier = {start}, deque([start])
    while frontier:
        batch = [frontier.popleft() for _ in range(min(len(frontier), _BATCH))]
        pairs = session.execute(
            select(LinkRow.article_id, LinkRow.other_id).where(
                or_(LinkRow.article_id.in_(batch), LinkRow.other_id.in_(batch))
            )
        )
        for pair in pairs:
            for other in pair:
                if other not in seen:
                    seen.add(other)
                    frontier.append(other)
    return seen


def stored_links(session: Session, component: set[int]) -> list[Link]:
    rows = session.scalars(
        select(LinkRow).where(LinkRow.article_id.in_(component), LinkRow.other_id.in_(component))
    )
    return [
        Link(
            r.article_id,
            r.other_id,
            r.article_in_other,
            r.other_in_article,
            r.jaccard,
            r.shared_shingles,
            r.article_framing_lines,
            r.other_framing_lines,
        )
        for r in rows
    ]


class StoryWriter:
    """Writes story assignments, reusing old story ids by canonical article.

    ``old_canonicals`` maps canonical article id -> story id for the stories the
    articles had; ids are claimed at most once across every ``write``.
    """

    def __init__(
        self, session: Session, old_canonicals: dict[int, int], now: datetime | None = None
    ) -> None:
        self.session = session
        self.old_canonicals = old_canonicals
        self.now = now or datetime.now(UTC)
        self.claimed: set[int] = set()
        self.created = 0

    def write(self, rows: dict[int, ArticleRow], links: list[Link], config: DedupConfig) -> None:
        placed = self.place(rows, links, config)
        self.session.flush()
        self.join(rows, placed)
        self.session.flush()

    def place(
        self, rows: dict[int, ArticleRow], links: list[Link], config: DedupConfig
    ) -> list[tuple[StoryAssignment, StoryRow]]:
        """The stories of ``rows``, new ones added to the session: not flushed, so a caller
        placing many components gets all their ids in one flush (then ``join``)."""
        facts = [
            Facts(
                key=row.id,
                length=row.word_count,
                published=row.published,
                outlet=row.outlet.key,
                outlet_names=row.outlet.names(),
                credit=row.attribution_outlet,
                credit_line=bool(row.attribution_outlet or row.attribution_author),
            )
            for row in rows.values()
        ]
        stories = assign(facts, links, config)
        reused = self._reuse(stories, rows)
        placed = []
        for story in stories:
            story_id = reused.get(story.canonical)
            if story_id is None:
                story_row = StoryRow()
                self.session.add(story_row)
                self.created += 1
            else:
                story_row = self.session.get(StoryRow, story_id)
            _fill_story(story_row, story, rows, self.now)
            placed.append((story, story_row))
        return placed

    @staticmethod
    def join(rows: dict[int, ArticleRow], placed: list[tuple[StoryAssignment, StoryRow]]) -> None:
        """Each article into its placed story, with its role (the stories have their ids)."""
        for story, story_row in placed:
            for key, role, link in story.members:
                member = rows[key]
                member.story_id, member.role = story_row.id, role
                member.similarity = link.jaccard if link else None
                member.containment = link.containment_of(key) if link else None

    def delete_unused(self, old_ids: Iterable[int]) -> None:
        gone = sorted(set(old_ids) - self.claimed)
        for start in range(0, len(gone), _BATCH):
            self.session.execute(
                delete(StoryRow).where(StoryRow.id.in_(gone[start : start + _BATCH]))
            )

    def _reuse(self, stories: list[StoryAssignment], rows: dict[int, ArticleRow]) -> dict[int, int]:
        """A story whose canonical was a canonical before keeps that story's id; the others
        take the unclaimed old id most of their articles had."""
        reused = {}
        for story in stories:
            story_id = self.old_canonicals.get(story.canonical)
            if story_id is not None and story_id not in self.claimed:
                reused[story.canonical] = story_id
                self.claimed.add(story_id)
        for story in stories:
            if story.canonical in reused:
                continue
            votes = Counter(
                rows[key].story_id
                for key in story.keys
                if rows[key].story_id is not None and rows[key].story_id not in self.claimed
            )
            if votes:
                story_id = min(votes, key=lambda candidate: (-votes[candidate], candidate))
                reused[story.canonical] = story_id
                self.claimed.add(story_id)
        return reused


def _fill_story(
    row: StoryRow, story: StoryAssignment, rows: dict[int, ArticleRow], now: datetime
) -> None:
    canonical = rows[story.canonical]
    dates = [rows[key].published for key in story.keys if rows[key].published is not None]
    row.canonical_article_id = canonical.id
    row.title = canonical.title or _title_from_text(canonical.text)
    row.canonical_reason = story.reason
    row.article_count = len(story.members)
    row.first_published = min(dates, default=None)
    row.last_published = max(dates, default=None)
    row.updated_at = now


def _title_from_text(text: str) -> str:
    words = text.split()
    suffix = "…" if len(words) > _TITLE_FALLBACK_WORDS else ""
    return " ".join(words[:_TITLE_FALLBACK_WORDS]) + suffix


def apply_relinks(
    session: Session,
    relinked: Mapping[str, list[Link]],
    compared: Callable[[str], bool] | None = None,
) -> set[int]:
    """Replace the stored links of the articles (by URL) whose chrome changed; return the
    articles whose stories must be recomputed. ``compared``: as for ``replace_links``."""
    touched: set[int] = set()
    ids = article_ids(session, relinked)
    for url, links in relinked.items():
        article_id = ids.get(url)
        if article_id is not None:
            touched |= {article_id, *replace_links(session, article_id, links, compared=compared)}
    return touched
