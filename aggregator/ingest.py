"""Writing an article and its story assignment in one unit of work.

The caller opens the transaction (``with store.session() as s, s.begin():``);
``save_article`` writes the article, its fingerprint and its verified links,
then recomputes the stories of every article those links connect. A kill at
any instant leaves either the old state or the new one.
"""

from __future__ import annotations

import hashlib
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, selectinload

from aggregator.config import Outlet
from aggregator.dedup import DedupConfig, Facts, Fingerprint, Link, Matcher, StoryAssignment, assign
from aggregator.extract import Article
from aggregator.store import ArticleRow, LinkRow, OutletRow, SignatureRow, Store, StoryRow

STATUS_NEW = "new"
STATUS_UPDATED = "updated"
STATUS_UNCHANGED = "unchanged"
_TITLE_FALLBACK_WORDS = 12


@dataclass(frozen=True)
class SaveResult:
    """What happened to one article: new, updated (text changed) or unchanged."""

    status: str
    article_id: int
    story_id: int | None
    role: str | None
    new_stories: int = 0


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def ensure_outlet(session: Session, outlet: Outlet) -> OutletRow:
    """The outlet's row, created or refreshed from the configuration."""
    row = session.scalar(select(OutletRow).where(OutletRow.key == outlet.key))
    if row is None:
        row = OutletRow(key=outlet.key)
        session.add(row)
    row.name, row.url, row.platform = outlet.name, outlet.url, outlet.platform
    row.aliases = list(outlet.aliases)
    return row


def save_article(
    session: Session,
    outlet: Outlet,
    article: Article,
    fingerprint: Fingerprint,
    links: Iterable[Link],
    config: DedupConfig,
    fetched_at: datetime | None = None,
) -> SaveResult:
    """Store ``article`` (keyed by its URL) with the links the matcher verified for it."""
    fetched_at = fetched_at or datetime.now(UTC)
    digest = text_hash(article.text)
    row = session.scalar(select(ArticleRow).where(ArticleRow.url == article.url))
    if row is not None and row.text_hash == digest:
        return SaveResult(STATUS_UNCHANGED, row.id, row.story_id, row.role)
    status = STATUS_NEW if row is None else STATUS_UPDATED
    outlet_row = ensure_outlet(session, outlet)
    if row is None:
        row = ArticleRow(url=article.url, first_seen=fetched_at)
        session.add(row)
    _copy_article(row, outlet_row, article, digest, fetched_at)
    session.flush()
    _save_signature(session, row.id, fingerprint)
    former = _replace_links(session, row.id, links)
    new_stories = recompute_stories(session, {row.id, *former}, config, now=fetched_at)
    return SaveResult(status, row.id, row.story_id, row.role, new_stories)


def recompute_stories(
    session: Session, article_ids: Iterable[int], config: DedupConfig, now: datetime | None = None
) -> int:
    """Reassign the stories of every component of linked articles touching ``article_ids``.

    Returns how many stories were created.
    """
    component: set[int] = set()
    for article_id in article_ids:
        if article_id not in component:
            component |= _component(session, article_id)
    return _assign_component(session, component, config, now or datetime.now(UTC))


def _copy_article(
    row: ArticleRow, outlet: OutletRow, article: Article, digest: str, fetched_at: datetime
) -> None:
    credit = article.attribution
    row.outlet = outlet
    row.title = article.title
    row.author = article.author
    row.published = article.published
    row.updated = article.updated
    row.date_source = article.date_source
    row.text = article.text
    row.text_hash = digest
    row.word_count = article.word_count
    row.language = article.language
    row.site_name = article.site_name
    row.categories = list(article.categories)
    row.tags = list(article.tags)
    row.attribution_outlet = credit.outlet if credit else None
    row.attribution_author = credit.author if credit else None
    row.attribution_url = credit.url if credit else None
    row.attribution_text = credit.text if credit else None
    row.fetched_at = fetched_at


def _save_signature(session: Session, article_id: int, fingerprint: Fingerprint) -> None:
    signature = session.get(SignatureRow, article_id)
    if signature is None:
        signature = SignatureRow(article_id=article_id)
        session.add(signature)
    signature.shingle_size = fingerprint.shingle_size
    signature.fingerprint = fingerprint.to_bytes()


def _replace_links(session: Session, article_id: int, links: Iterable[Link]) -> set[int]:
    """Swap the article's links for ``links``; return the articles it was linked to before."""
    involving = or_(LinkRow.article_id == article_id, LinkRow.other_id == article_id)
    former = {
        other
        for pair in session.execute(select(LinkRow.article_id, LinkRow.other_id).where(involving))
        for other in pair
        if other != article_id
    }
    session.execute(delete(LinkRow).where(involving))
    by_url = {link.b: link for link in links}
    if by_url:
        found = select(ArticleRow.url, ArticleRow.id).where(ArticleRow.url.in_(list(by_url)))
        ids = {url: other_id for url, other_id in session.execute(found)}
        for url, link in by_url.items():
            other_id = ids.get(url)
            if other_id is None or other_id == article_id:
                continue  # indexed but never stored (its write failed): nothing to link
            mine, theirs = link.a_in_b, link.b_in_a
            low, high = sorted((article_id, other_id))
            session.add(
                LinkRow(
                    article_id=low,
                    other_id=high,
                    article_in_other=mine if low == article_id else theirs,
                    other_in_article=theirs if low == article_id else mine,
                    jaccard=link.jaccard,
                    shared_shingles=link.shared,
                )
            )
    session.flush()
    return former


def _component(session: Session, start: int) -> set[int]:
    """Every article reachable from ``start`` through links."""
    seen, frontier = {start}, deque([start])
    while frontier:
        batch = [frontier.popleft() for _ in range(len(frontier))]
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


def _assign_component(
    session: Session, component: set[int], config: DedupConfig, now: datetime
) -> int:
    rows = {
        row.id: row
        for row in session.scalars(
            select(ArticleRow)
            .where(ArticleRow.id.in_(component))
            .options(selectinload(ArticleRow.outlet))
        )
    }
    links = [
        Link(
            r.article_id,
            r.other_id,
            r.article_in_other,
            r.other_in_article,
            r.jaccard,
            r.shared_shingles,
        )
        for r in session.scalars(
            select(LinkRow).where(
                LinkRow.article_id.in_(component), LinkRow.other_id.in_(component)
            )
        )
    ]
    facts = [
        Facts(
            key=row.id,
            length=row.word_count,
            published=row.published,
            outlet=row.outlet.key,
            outlet_names=row.outlet.names(),
            credit=row.attribution_outlet,
        )
        for row in rows.values()
    ]
    stories = assign(facts, links, config)
    old_ids = {row.story_id for row in rows.values() if row.story_id is not None}
    reused = _reuse_story_ids(session, stories, rows, old_ids)
    kept: set[int] = set()
    created = 0
    for story in stories:
        story_id = reused.get(story.canonical)
        if story_id is None:
            story_row = StoryRow()
            session.add(story_row)
            created += 1
        else:
            kept.add(story_id)
            story_row = session.get(StoryRow, story_id)
        _fill_story(story_row, story, rows, now)
        session.flush()
        for key, role, link in story.members:
            member = rows[key]
            member.story_id, member.role = story_row.id, role
            member.similarity = link.jaccard if link else None
            member.containment = link.containment_of(key) if link else None
    session.flush()
    for story_id in old_ids - kept:
        session.execute(delete(StoryRow).where(StoryRow.id == story_id))
    return created


def _reuse_story_ids(
    session: Session, stories: list[StoryAssignment], rows: dict[int, ArticleRow], old_ids: set[int]
) -> dict[int, int]:
    """Which old story id each new story keeps (by canonical article), so references stay valid.

    A story whose canonical was already the canonical of an old story keeps that
    story's id; the others take the free old id most of their articles had.
    """
    query = select(StoryRow.canonical_article_id, StoryRow.id).where(StoryRow.id.in_(old_ids))
    old_canonicals = {canonical: story_id for canonical, story_id in session.execute(query)}
    reused = {
        s.canonical: old_canonicals[s.canonical] for s in stories if s.canonical in old_canonicals
    }
    free = old_ids - set(reused.values())
    for story in stories:
        if story.canonical in reused:
            continue
        votes = Counter(rows[key].story_id for key in story.keys if rows[key].story_id in free)
        if votes:
            story_id = min(votes, key=lambda candidate: (-votes[candidate], candidate))
            reused[story.canonical] = story_id
            free.discard(story_id)
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


def load_matcher(store: Store, config: DedupConfig) -> Matcher:
    """A matcher that knows every stored article, built from stored fingerprints (no texts read)."""
    matcher = Matcher(config)
    with store.session() as session:
        rows = session.execute(
            select(
                ArticleRow.id,
                ArticleRow.url,
                OutletRow.key,
                SignatureRow.shingle_size,
                SignatureRow.fingerprint,
            )
            .join(OutletRow, ArticleRow.outlet_id == OutletRow.id)
            .join(SignatureRow, SignatureRow.article_id == ArticleRow.id)
        )
        stale = []
        for article_id, url, outlet_key, shingle_size, blob in rows:
            if shingle_size != config.shingle_size:
                stale.append((article_id, url, outlet_key))
                continue
            matcher.add(url, outlet_key, Fingerprint.from_bytes(blob))
        for article_id, url, outlet_key in stale:  # shingle size changed: re-read these texts once
            text = session.scalar(select(ArticleRow.text).where(ArticleRow.id == article_id))
            matcher.add(url, outlet_key, matcher.fingerprint(text))
    return matcher
