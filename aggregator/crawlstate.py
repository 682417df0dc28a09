"""Incremental crawl state: what the crawler knows about every URL of an outlet (issue 5).

The state is a table in the store (``crawl_state``), not a hidden cache, so an
analyst can read it and a killed run resumes from it: every URL a run decides
to fetch is written as ``queued`` before it is requested, and becomes
``stored``, ``dropped``, ``error`` or ``read`` once its answer is handled.
The next run requests the ``queued`` ones first.

    >>> from aggregator.store import Store
    >>> state = CrawlState.load(Store("sqlite://"), ["htw"])
    >>> found = Found("https://example.org/post/", FEED)
    >>> plan(state.get("htw", found.url), found)          # 'new', 'changed', ... or None
    'new'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol, cast

from sqlalchemy import Table, bindparam, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from aggregator.store import CrawlStateRow, Store
from aggregator.store.types import stored_datetime

# How a URL was found, newest-first order (issue 5: REST API or feeds, then
# news sitemap, then sitemap, then archive pages). Requests take the priority.
API, FEED, NEWS_SITEMAP, SITEMAP, ARCHIVE, LINK, CONFIG, ROBOTS = (
    "api",
    "feed",
    "news_sitemap",
    "sitemap",
    "archive",
    "link",
    "config",
    "robots",
)
PRIORITY = {ROBOTS: 60, API: 50, FEED: 40, NEWS_SITEMAP: 30, SITEMAP: 20, CONFIG: 10}
PRIORITY |= {ARCHIVE: 10, LINK: 0}

# When several sources list a URL, it is credited to the most direct one.
PRECEDENCE = (API, FEED, NEWS_SITEMAP, SITEMAP, ARCHIVE, LINK, CONFIG, ROBOTS)

# What a URL is.
ARTICLE, LISTING, PAGE = "article", "listing", "page"  # PAGE: fetched, not yet classified

# What became of it.
QUEUED, STORED, DROPPED, ERROR, READ = "queued", "stored", "dropped", "error", "read"
STATUSES = (QUEUED, STORED, DROPPED, ERROR, READ)

# The detail of a URL ``aggregator.scope`` refused ("refused_offsite"): dropped for good,
# never queued again (``aggregator state reset`` forgets it).
REFUSED = "refused_"

# Already requested by this run (the spider's answer, not plan's).
SCHEDULED = "scheduled"

# Why a URL is fetched this run (plan's answers).
NEW, RESUME, RETRY, CHANGED, REFRESH, REREAD = (
    "new",
    "resume",
    "retry",
    "changed",
    "refresh",
    "reread",
)


@dataclass(frozen=True)
class Found:
    """A URL discovery turned up, with what the source said about it."""

    url: str
    found_via: str
    kind: str = PAGE
    lastmod: datetime | None = None  # sitemap lastmod, WordPress modified, Atom updated
    published: datetime | None = None

    @property
    def date(self) -> datetime | None:
        return self.lastmod or self.published


@dataclass
class UrlState:
    """One row of ``crawl_state``, held in memory for the run."""

    url: str
    kind: str
    found_via: str
    status: str
    first_seen: datetime
    detail: str | None = None
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    lastmod: datetime | None = None
    published: datetime | None = None
    content_hash: str | None = None
    last_fetched: datetime | None = None


@dataclass(frozen=True)
class Fetched:
    """What one answer said, for the state of its URL."""

    status: str
    kind: str | None = None
    http_status: int | None = None
    detail: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


_COLUMNS = tuple(f for f in UrlState.__dataclass_fields__ if f != "url")
# What an answer says about a URL (how and when it was found is the finder's to say).
_ANSWER = (
    *("status", "kind", "detail", "http_status", "etag", "last_modified", "content_hash"),
    "last_fetched",
)


def plan(known: UrlState | None, found: Found, refresh: bool = False) -> str | None:
    """Why ``found`` should be fetched this run, or None to leave it alone.

    Stored articles are not fetched again unless their source dates a change
    after our last fetch, or ``refresh`` is asked; errors are retried;
    queued URLs (a run stopped before them) resume. Listing pages answer
    REREAD: the spider decides whether this archive page is re-read.
    """
    if known is None:
        return NEW
    if refused(known):
        return None
    if known.status == QUEUED:
        return RESUME
    if known.status == ERROR:
        return RETRY
    if known.kind == LISTING:
        return REREAD
    if refresh:
        return REFRESH
    if known.status == STORED and _changed_since(found.lastmod, known):
        return CHANGED
    return None


def refused(known: UrlState | None) -> bool:
    """Was this URL refused by the crawl's scope (a scheme, host or address it may not fetch)?"""
    return (
        known is not None and known.status == DROPPED and (known.detail or "").startswith(REFUSED)
    )


def _changed_since(lastmod: datetime | None, known: UrlState) -> bool:
    if lastmod is None:
        return False
    seen = known.lastmod or known.last_fetched
    return seen is None or lastmod > seen


class StateWrites(Protocol):
    """Where the crawl state's changes go: the store at once, or the crawl's store writer."""

    def write(self, outlet: str, inserts: list[UrlState], updates: list[UrlState]) -> None: ...


class DirectWrites:
    """Each change in a transaction of its own, now: for commands and tests, not a crawl."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def write(self, outlet: str, inserts: list[UrlState], updates: list[UrlState]) -> None:
        with self.store.session() as session, session.begin():
            write_states(session, outlet, inserts, updates)


class CrawlState:
    """The crawl state of some outlets, loaded once per run; changes go to ``writes``.

    A crawl reads it from memory and hands every change, as a snapshot, to one
    ordered writer (``aggregator.storewriter``): what the store ends up with is
    always a prefix of what the crawl decided, in the order it decided it, so a
    source is never recorded as read before the entries it listed are queued.
    """

    def __init__(self, urls: dict[str, dict[str, UrlState]], writes: StateWrites) -> None:
        self.urls = urls
        self.writes = writes

    @classmethod
    def load(
        cls, store: Store, outlets: Iterable[str], writes: StateWrites | None = None
    ) -> CrawlState:
        keys = list(outlets)
        urls: dict[str, dict[str, UrlState]] = {key: {} for key in keys}
        with store.session() as session:
            for row in session.scalars(select(CrawlStateRow).where(CrawlStateRow.outlet.in_(keys))):
                urls[row.outlet][row.url] = UrlState(
                    url=row.url, **{name: getattr(row, name) for name in _COLUMNS}
                )
        return cls(urls, writes or DirectWrites(store))

    def get(self, outlet: str, url: str) -> UrlState | None:
        return self.urls.get(outlet, {}).get(url)

    def queued(self, outlet: str) -> list[UrlState]:
        """URLs a previous run decided to fetch but never finished: resumed first."""
        return [s for s in self.urls.get(outlet, {}).values() if s.status == QUEUED]

    def unfinished(self, outlet: str) -> list[UrlState]:
        """The queued URLs, and the pages that failed for a reason that may pass (a timeout, a
        server error, a store or worker failure): both are fetched first. A failed page is
        not waited for until a source lists it again: an unchanged feed answers 304."""
        return [
            s
            for s in self.urls.get(outlet, {}).values()
            if s.status == QUEUED or (s.status == ERROR and s.kind in (PAGE, ARTICLE))
        ]

    def rereads(self, outlet: str) -> list[UrlState]:
        """Listing pages read before (first archive pages are re-read every run)."""
        return [
            s
            for s in self.urls.get(outlet, {}).values()
            if s.kind == LISTING and s.status != QUEUED and not refused(s)
        ]

    def conditional_headers(self, outlet: str, url: str) -> dict[str, str]:
        """If-None-Match / If-Modified-Since for a page read before.

        Validators are written only once an answer has been handled (its links
        queued), so a page answering 304 has nothing new to give.
        """
        known = self.get(outlet, url)
        if known is None or known.http_status not in (200, 304):
            return {}
        headers = {}
        if known.etag:
            headers["If-None-Match"] = known.etag
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        return headers

    def queue(self, outlet: str, found: Sequence[Found]) -> None:
        """Record URLs about to be requested as ``queued``.

        A URL already known keeps how it was first found; a newer lastmod is kept.
        """
        now = datetime.now(UTC)
        new, changed = [], []
        table = self.urls.setdefault(outlet, {})
        for item in found:
            known = table.get(item.url)
            if known is None:
                known = UrlState(
                    url=item.url,
                    kind=item.kind,
                    found_via=item.found_via,
                    status=QUEUED,
                    first_seen=now,
                    lastmod=item.lastmod,
                    published=item.published,
                )
                table[item.url] = known
                new.append(replace(known))
            else:
                known.status = QUEUED
                _credit(known, item)
                changed.append(replace(known))
        if new or changed:
            self.writes.write(outlet, new, changed)

    def note(self, outlet: str, found: Sequence[Found]) -> None:
        """Credit known URLs to a more direct source, and keep the newest date one gives."""
        table = self.urls.get(outlet, {})
        changed = [
            replace(table[f.url]) for f in found if f.url in table and _credit(table[f.url], f)
        ]
        if changed:
            self.writes.write(outlet, [], changed)

    def record(self, outlet: str, url: str, fetched: Fetched) -> None:
        """Write what came back for ``url``."""
        snapshot, inserting = self.apply(outlet, url, fetched)
        self.writes.write(outlet, [snapshot] if inserting else [], [] if inserting else [snapshot])

    def apply(self, outlet: str, url: str, fetched: Fetched) -> tuple[UrlState, bool]:
        """Apply ``fetched`` in memory only; the row's snapshot, and whether it is new."""
        table = self.urls.setdefault(outlet, {})
        snapshot, inserting = self.preview(outlet, url, fetched)
        table[url] = replace(snapshot)
        return snapshot, inserting

    def preview(self, outlet: str, url: str, fetched: Fetched) -> tuple[UrlState, bool]:
        """The row ``fetched`` would make, and whether it is new, leaving memory as it is.

        For a caller that writes the row itself, in the transaction of what it
        records (an article and its URL's ``stored``, or neither), and applies it
        once that committed: until then the crawl's other snapshots of the URL
        must not say ``stored``.
        """
        known = self.urls.get(outlet, {}).get(url)
        if known is None:
            row = UrlState(
                url=url,
                kind=fetched.kind or PAGE,
                found_via=LINK,
                status=QUEUED,
                first_seen=fetched.at,
            )
        else:
            row = replace(known)
        _apply(row, fetched)
        return row, known is None


def write_states(
    session: Session, outlet: str, inserts: list[UrlState], updates: list[UrlState]
) -> None:
    """Write crawl-state snapshots in ``session``'s transaction."""
    _insert(session, outlet, inserts)
    _update(session, outlet, updates)


def _credit(known: UrlState, found: Found) -> bool:
    """Update ``known`` from another listing of it; True when something changed."""
    plain = found.lastmod is None and found.published is None
    if plain and _rank(found.found_via) >= _rank(known.found_via):
        return False  # a plain link from a less direct source: most links of every page
    before = (known.found_via, known.lastmod, known.published)
    if _rank(found.found_via) < _rank(known.found_via):
        known.found_via = found.found_via
    known.lastmod = max(filter(None, (known.lastmod, found.lastmod)), default=None)
    known.published = known.published or found.published
    return before != (known.found_via, known.lastmod, known.published)


def _rank(found_via: str) -> int:
    return _RANKS.get(found_via, len(PRECEDENCE))


_RANKS = {found_via: rank for rank, found_via in enumerate(PRECEDENCE)}


def _apply(known: UrlState, fetched: Fetched) -> None:
    known.status = fetched.status
    known.kind = fetched.kind or known.kind
    if fetched.http_status != 304:
        known.detail = fetched.detail
    if fetched.http_status is not None:
        known.http_status = fetched.http_status
    if fetched.http_status not in (None, 304):  # a 304 keeps the validators it answered
        known.etag = fetched.etag
        known.last_modified = fetched.last_modified
    known.content_hash = fetched.content_hash or known.content_hash
    known.last_fetched = fetched.at


def _insert(session: Session, outlet: str, states: list[UrlState]) -> None:
    """New rows. A URL queued anew keeps a row another crawl process wrote meanwhile (it
    knows better); an answer for a URL this process never knew updates that row with what
    came back (a cluster worker fetches URLs another worker queued)."""
    if not states:
        return
    dialect = session.get_bind().dialect.name
    insert = (
        postgresql.insert(CrawlStateRow)
        if dialect == "postgresql"
        else sqlite.insert(CrawlStateRow)
    )
    keys = ["outlet", "url"]
    for queued in (True, False):
        values = [
            {"outlet": outlet, "url": s.url, **_values(s)}
            for s in states
            if (s.status == QUEUED) == queued
        ]
        if not values:
            continue
        if queued:
            statement = insert.on_conflict_do_nothing(index_elements=keys)
        else:
            answer = {name: insert.excluded[name] for name in _ANSWER}
            fetched = CrawlStateRow.last_fetched
            newer = or_(fetched.is_(None), fetched <= insert.excluded.last_fetched)
            statement = insert.on_conflict_do_update(index_elements=keys, set_=answer, where=newer)
        session.execute(statement, values)


def _update(session: Session, outlet: str, states: list[UrlState]) -> None:
    """One statement for all the rows (executemany), without the ORM's per-row bookkeeping.

    A snapshot never overwrites an answer fetched after it was taken: an article's
    ``stored`` is written with the article, after snapshots the crawl took meanwhile
    (a sitemap crediting the URL), and cluster workers' changes arrive interleaved.
    """
    if not states:
        return
    table = cast(Table, CrawlStateRow.__table__)
    fetched = table.c.last_fetched
    statement = (
        update(table)
        .where(
            table.c.outlet == bindparam("key_outlet"),
            table.c.url == bindparam("key_url"),
            or_(fetched.is_(None), fetched <= bindparam("key_fetched", type_=fetched.type)),
        )
        .values({name: bindparam(f"new_{name}") for name in _COLUMNS})
    )
    rows = [
        {
            "key_outlet": outlet,
            "key_url": s.url,
            "key_fetched": s.last_fetched,
            **{f"new_{n}": v for n, v in _values(s).items()},
        }
        for s in states
    ]
    session.connection().execute(statement, rows)


def _values(state: UrlState) -> dict[str, object]:
    return {name: getattr(state, name) for name in _COLUMNS}


# Reading and clearing, for `aggregator state show|reset`.


@dataclass(frozen=True)
class StateSummary:
    outlet: str
    counts: dict[tuple[str, str], int]  # (kind, status) -> URLs
    last_fetched: datetime | None


def summarize(store: Store, outlet: str | None = None) -> list[StateSummary]:
    """Per outlet: how many URLs of each kind are in each status."""
    query = select(
        CrawlStateRow.outlet,
        CrawlStateRow.kind,
        CrawlStateRow.status,
        func.count(),
        func.max(CrawlStateRow.last_fetched),
    ).group_by(CrawlStateRow.outlet, CrawlStateRow.kind, CrawlStateRow.status)
    if outlet is not None:
        query = query.where(CrawlStateRow.outlet == outlet)
    summaries: dict[str, StateSummary] = {}
    with store.session() as session:
        for key, kind, status, count, last in session.execute(query):
            summary = summaries.setdefault(key, StateSummary(key, {}, None))
            summary.counts[(kind, status)] = count
            newest = max(filter(None, (summary.last_fetched, stored_datetime(last))), default=None)
            summaries[key] = replace(summary, last_fetched=newest)
    return [summaries[key] for key in sorted(summaries)]


def iter_urls(
    store: Store, outlet: str, status: str | None = None, limit: int | None = None
) -> Iterator[CrawlStateRow]:
    """The outlet's URL states, most recently fetched first."""
    query = select(CrawlStateRow).where(CrawlStateRow.outlet == outlet)
    if status is not None:
        query = query.where(CrawlStateRow.status == status)
    query = query.order_by(
        CrawlStateRow.last_fetched.desc().nulls_last(), CrawlStateRow.id.desc()
    ).limit(limit)
    with store.session() as session:
        yield from session.scalars(query)


def reset(store: Store, outlet: str | None = None) -> int:
    """Forget the crawl state of one outlet (or all): the next run crawls it afresh.

    Stored articles stay; they are recognised again by URL when fetched.
    """
    statement = delete(CrawlStateRow)
    if outlet is not None:
        statement = statement.where(CrawlStateRow.outlet == outlet)
    with store.session() as session, session.begin():
        return cast(CursorResult[Any], session.execute(statement)).rowcount or 0
