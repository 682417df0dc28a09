"""One batch of a crawl's writes, applied: dedup, story assignment and store writes in one
transaction.

The core both story writers share (issue 15, item 2): the crawl's writer process
(``aggregator.storewriter``, one machine) and the cluster's story writer
(``aggregator.stream.consumer``, fed by a Redis Stream). A batch is a list of
changes in the order the crawl decided them: crawl-state snapshots
(``StateChange``) and extracted articles (``ArticleWrite``). Applying a batch
twice stores nothing twice: ``save_article`` finds the URL with the same text
hash and answers "unchanged", crawl-state inserts skip rows already there and
updates write the same snapshot again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from aggregator.config import Outlet
from aggregator.crawlstate import UrlState, write_states
from aggregator.dedup import DedupConfig, Fingerprint, Links, Matcher
from aggregator.errors import StoreError
from aggregator.extract import Article
from aggregator.ingest import SaveResult, ToSave, load_matcher, save_articles
from aggregator.store import Store
from aggregator.store.engine import store_failure

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StateChange:
    """Crawl-state rows to write, snapshots taken when the crawl decided."""

    outlet: str
    inserts: list[UrlState]
    updates: list[UrlState]


@dataclass(frozen=True)
class ArticleWrite:
    """An extracted article, with the crawl-state rows that say its URLs are stored."""

    outlet: str
    article: Article
    fetched_at: datetime
    states: list[tuple[UrlState, bool]] = field(default_factory=list)  # (row, is new)


@dataclass(frozen=True)
class Stored:
    """What became of one ``ArticleWrite``: ``status`` new, updated, unchanged or an error."""

    status: str
    new_stories: int = 0
    linked: bool = False
    relinked: int = 0
    error: str | None = None


Change = StateChange | ArticleWrite


@dataclass
class _Matched:
    """An article's dedup results, computed once even when its transaction is retried."""

    fingerprint: Fingerprint
    links: Links
    sketch: Any


class BatchWriter:
    """The store, the dedup matcher built from it at start, and the outlets."""

    def __init__(self, store: Store, outlets: Mapping[str, Outlet], config: DedupConfig) -> None:
        self.store = store
        self.outlets = dict(outlets)
        self.config = config
        self.matcher: Matcher = load_matcher(store, config)

    def apply(self, changes: list[Change]) -> list[Stored]:
        """Apply ``changes`` in one transaction; one ``Stored`` per article, in order.

        When the transaction fails for one row's reason (not a store that cannot be
        written), each change is applied in a transaction of its own, so one bad
        article costs only itself. A store that cannot be written raises ``StoreError``.
        """
        matched: dict[int, _Matched | Stored] = {}
        for number, change in enumerate(changes):
            if isinstance(change, ArticleWrite):
                matched[number] = self._match(change)
        try:
            return self._commit(changes, matched)
        except Exception as exc:
            _raise_if_unwritable(exc)
            logger.warning("a batch failed (%s): writing its changes one by one", exc)
        results = []
        for number, change in enumerate(changes):
            one = {0: matched[number]} if number in matched else {}
            try:
                results += self._commit([change], one)
            except Exception as exc:  # one change's problem: the others are written
                _raise_if_unwritable(exc)
                logger.error("cannot store a change of %s: %s", change.outlet, exc)
                if isinstance(change, ArticleWrite):
                    results.append(Stored("store_error", error=_first_line(exc)))
        return results

    def _match(self, write: ArticleWrite) -> _Matched | Stored:
        try:
            fingerprint = self.matcher.fingerprint(write.article.text)
            links = self.matcher.ingest(
                write.article.url, write.outlet, fingerprint, fetched=write.fetched_at
            )
            return _Matched(fingerprint, links, self.matcher.sketch(fingerprint))
        except Exception as exc:  # one article's problem, counted; the others are stored
            logger.exception("dedup failed on %s", write.article.url)
            return Stored("dedup_error", error=f"{type(exc).__name__}: {_first_line(exc)}")

    def _commit(self, changes: list[Change], matched: dict[int, _Matched | Stored]) -> list[Stored]:
        states = _LatestStates()
        saves: list[ToSave] = []
        with self.store.session() as session, session.begin():
            for number, change in enumerate(changes):
                if isinstance(change, StateChange):
                    states.add(change.outlet, change.inserts, new=True)
                    states.add(change.outlet, change.updates, new=False)
                    continue
                dedup = matched[number]
                if isinstance(dedup, Stored):
                    continue
                saves.append(
                    ToSave(
                        self.outlets[change.outlet],
                        change.article,
                        dedup.fingerprint,
                        dedup.links,
                        change.fetched_at,
                        dedup.sketch,
                    )
                )
                for row, new in change.states:  # stored and recorded, or neither
                    states.add(change.outlet, [row], new)
            saved = iter(save_articles(session, saves, self.config))
            states.write(session)
        return [_stored(matched[n], saved) for n in sorted(matched)]


def _stored(dedup: _Matched | Stored, saved: Iterator[SaveResult]) -> Stored:
    """What became of an article: its dedup error, or its save."""
    if isinstance(dedup, Stored):
        return dedup
    result = next(saved)
    return Stored(result.status, result.new_stories, bool(dedup.links), len(dedup.links.relinked))


class _LatestStates:
    """A batch's crawl-state rows, each URL's last snapshot only: a URL is queued, credited
    and recorded within moments, and one transaction writes what the last one says (the
    crawl-state writes were a fifth of the writer's time, one statement each)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], tuple[UrlState, bool]] = {}

    def add(self, outlet: str, rows: list[UrlState], new: bool) -> None:
        for row in rows:
            earlier = self.rows.get((outlet, row.url))
            if earlier is not None and _stale(row, earlier[0]):
                continue  # an answer came first: the store's rule (crawlstate._update), kept here
            self.rows[(outlet, row.url)] = (row, earlier[1] if earlier else new)

    def write(self, session: Any) -> None:
        by_outlet: dict[str, tuple[list[UrlState], list[UrlState]]] = {}
        for (outlet, _), (row, new) in self.rows.items():
            by_outlet.setdefault(outlet, ([], []))[0 if new else 1].append(row)
        for outlet, (inserts, updates) in by_outlet.items():
            write_states(session, outlet, inserts, updates)


def _stale(row: UrlState, earlier: UrlState) -> bool:
    """A snapshot taken before ``earlier``'s answer was fetched (``crawlstate._update``)."""
    if earlier.last_fetched is None:
        return False
    return row.last_fetched is None or row.last_fetched < earlier.last_fetched


def _raise_if_unwritable(exc: Exception) -> None:
    """A store that cannot be written fails every later write too: the crawl must stop."""
    failure = store_failure(exc) if isinstance(exc, SQLAlchemyError) else None
    if failure is not None:
        raise StoreError(str(failure)) from None


def _first_line(exc: Exception) -> str:
    return (str(exc) or type(exc).__name__).splitlines()[0]
