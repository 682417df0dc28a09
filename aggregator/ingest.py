"""Writing an article and its story assignment in one unit of work.

The caller opens the transaction (``with store.session() as s, s.begin():``);
``save_article`` writes the article, its fingerprint and its verified links
(and the re-verified links of articles whose chrome it changed), keeps the
earlier text when a known URL comes back changed, then recomputes the stories
of every article those links connect. A kill at any instant leaves either the
old state or the new one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from datasketch import LeanMinHash
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aggregator.config import Outlet
from aggregator.dedup import DedupConfig, Fingerprint, Link
from aggregator.dedup.persist import StoryWriter, apply_relinks, recompute_stories, replace_links
from aggregator.dedup.signatures import load_matcher, save_signature
from aggregator.extract import Article
from aggregator.store import ArticleRow, OutletRow
from aggregator.store.models import ArticleRevisionRow

STATUS_NEW = "new"
STATUS_UPDATED = "updated"
STATUS_UNCHANGED = "unchanged"
_BATCH = 500  # URLs per query


@dataclass(frozen=True)
class SaveResult:
    """What happened to one article: new, updated (text changed) or unchanged."""

    status: str
    article_id: int
    story_id: int | None
    role: str | None
    new_stories: int = 0
    revision: int | None = None  # for an update: the number the replaced text was kept under


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def ensure_outlet(session: Session, outlet: Outlet) -> OutletRow:
    """The outlet's row, created or refreshed from the configuration (once per session: the
    crawl's writer stores a batch of articles of a few outlets in one)."""
    known: dict[str, OutletRow] = session.info.setdefault("outlet_rows", {})
    if outlet.key in known:
        return known[outlet.key]
    row = session.scalar(select(OutletRow).where(OutletRow.key == outlet.key))
    if row is None:
        row = OutletRow(key=outlet.key)
        session.add(row)
    row.name, row.url, row.platform = outlet.name, outlet.url, outlet.platform
    row.aliases = list(outlet.aliases)
    known[outlet.key] = row
    return row


def save_article(
    session: Session,
    outlet: Outlet,
    article: Article,
    fingerprint: Fingerprint,
    links: Iterable[Link],
    config: DedupConfig,
    fetched_at: datetime | None = None,
    sketch: LeanMinHash | None = None,
) -> SaveResult:
    """Store ``article`` (keyed by its URL) with the links the matcher verified for it.

    ``sketch`` is the article's whole-text MinHash (``Matcher.sketch``), stored with
    the fingerprint; without it the next index load sketches the fingerprint.

    ``links`` may be a ``dedup.Links``: its ``relinked`` articles (by URL) get their
    stored links replaced in the same transaction. A URL stored before with another
    text is an update: the article keeps its id and its story, and the text it
    replaces is kept in ``article_revisions``.
    """
    fetched_at = fetched_at or datetime.now(UTC)
    digest = text_hash(article.text)
    row = session.scalar(select(ArticleRow).where(ArticleRow.url == article.url))
    if row is not None and row.text_hash == digest:
        return SaveResult(STATUS_UNCHANGED, row.id, row.story_id, row.role)
    status = STATUS_NEW if row is None else STATUS_UPDATED
    revision = None if row is None else keep_revision(session, row, fetched_at)
    outlet_row = ensure_outlet(session, outlet)
    if row is None:
        row = ArticleRow(url=article.url, first_seen=fetched_at)
        session.add(row)
    _copy_article(row, outlet_row, article, digest, fetched_at)
    session.flush()
    new = status == STATUS_NEW
    save_signature(session, row.id, fingerprint, sketch, new=new)
    compared = getattr(links, "compared", None)
    touched = {row.id, *replace_links(session, row.id, links, new=new, compared=compared)}
    touched |= apply_relinks(session, getattr(links, "relinked", {}), compared)
    if new and not links and touched == {row.id}:  # linked to nothing: a story of its own
        stories = StoryWriter(session, {}, now=fetched_at)
        stories.write({row.id: row}, [], config)
        new_stories = stories.created
    else:
        new_stories = recompute_stories(session, touched, config, now=fetched_at)
    return SaveResult(status, row.id, row.story_id, row.role, new_stories, revision)


@dataclass(frozen=True)
class ToSave:
    """One article of a batch, with what dedup found for it (``save_article``'s arguments)."""

    outlet: Outlet
    article: Article
    fingerprint: Fingerprint
    links: Iterable[Link]
    fetched_at: datetime
    sketch: LeanMinHash | None = None


def save_articles(
    session: Session, saves: Sequence[ToSave], config: DedupConfig
) -> list[SaveResult]:
    """``save_article`` for each of ``saves``, in order, with the same outcome.

    Most articles of a crawl are new and linked to nothing: each is a story of its own.
    Those are written together, a run of them at a time (one statement per table, not
    three flushes and a query each: they were most of the store writer's time, issue 12,
    item 7); an article that is linked, or whose URL is stored, waits for the run before
    it to be written, as it may link to them.
    """
    stored = _stored_urls(session, [save.article.url for save in saves])
    results: list[SaveResult] = []
    alone: list[ToSave] = []
    for save in saves:
        url = save.article.url
        if url not in stored and not save.links and not getattr(save.links, "relinked", None):
            alone.append(save)
        else:
            results += _save_alone(session, alone, config)
            alone = []
            results.append(
                save_article(
                    session,
                    save.outlet,
                    save.article,
                    save.fingerprint,
                    save.links,
                    config,
                    save.fetched_at,
                    sketch=save.sketch,
                )
            )
        stored.add(url)  # a URL twice in a batch: the second is an update, or unchanged
    return results + _save_alone(session, alone, config)


def _stored_urls(session: Session, urls: Iterable[str | None]) -> set[str | None]:
    wanted = [url for url in urls if url]
    found: set[str | None] = set()
    for start in range(0, len(wanted), _BATCH):
        query = select(ArticleRow.url).where(ArticleRow.url.in_(wanted[start : start + _BATCH]))
        found.update(session.scalars(query))
    return found


def _save_alone(session: Session, saves: list[ToSave], config: DedupConfig) -> list[SaveResult]:
    """New articles linked to nothing, each in a story of its own: the rows in one flush,
    their signatures and stories in the next; their story ids are written with the next."""
    if not saves:
        return []
    rows = []
    for save in saves:
        outlet = ensure_outlet(session, save.outlet)
        row = ArticleRow(url=save.article.url, first_seen=save.fetched_at)
        session.add(row)
        _copy_article(row, outlet, save.article, text_hash(save.article.text), save.fetched_at)
        rows.append(row)
    session.flush()
    placed = []
    for save, row in zip(saves, rows, strict=True):
        save_signature(session, row.id, save.fingerprint, save.sketch, new=True)
        stories = StoryWriter(session, {}, now=save.fetched_at)
        placed.append((stories, stories.place({row.id: row}, [], config)))
    session.flush()
    results = []
    for row, (stories, place) in zip(rows, placed, strict=True):
        stories.join({row.id: row}, place)
        results.append(SaveResult(STATUS_NEW, row.id, row.story_id, row.role, stories.created))
    return results


def keep_revision(session: Session, row: ArticleRow, replaced_at: datetime) -> int:
    """Copy the article's current text into ``article_revisions``; return its number."""
    latest = session.scalar(
        select(func.max(ArticleRevisionRow.revision)).where(ArticleRevisionRow.article_id == row.id)
    )
    number = (latest or 0) + 1
    session.add(
        ArticleRevisionRow(
            article_id=row.id,
            revision=number,
            title=row.title,
            text=row.text,
            text_hash=row.text_hash,
            word_count=row.word_count,
            published=row.published,
            updated=row.updated,
            fetched_at=row.fetched_at,
            replaced_at=replaced_at,
        )
    )
    return number


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


__all__ = [
    "STATUS_NEW",
    "STATUS_UNCHANGED",
    "STATUS_UPDATED",
    "SaveResult",
    "ToSave",
    "ensure_outlet",
    "keep_revision",
    "load_matcher",
    "recompute_stories",
    "save_article",
    "save_articles",
    "text_hash",
]
