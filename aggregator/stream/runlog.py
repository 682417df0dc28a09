"""A cluster run's ``crawl_runs`` row, kept by the story writer from notes in the stream.

One machine writes a run row per crawl (``aggregator.runs``); past one machine
no worker writes the store, and a run is what ``aggregator crawl --redis``
queued, crawled by any number of workers. So the run's row comes from notes
pushed to the same stream as the articles, in their order:

* ``queued``: outlets were queued (``enqueue``). When that started a new run
  (nothing was waiting), the writer starts a row; otherwise the outlets join
  the running one.
* ``worker``: a worker ran out of work or stopped, with its counters since its
  last note (pages fetched, drops, faults, new URLs, per outlet). They are
  added to the run's row, which then counts as finished at that time, with
  that worker's reason.

The articles the writer stores are counted on the row after each batch
commits (new, updated, unchanged, new stories), so ``aggregator stats`` and
the ``crawl_runs`` table read as on one machine. A writer killed between a
batch's commit and its count re-applies the batch as unchanged articles: the
row may count them as unchanged, never as new twice; a worker's note applied
again counts its pages twice. A run's start applied again is recognised (the
same time and outlets) and not started twice.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from aggregator.runs import add_worker_counters, count_articles, start_run
from aggregator.store import CrawlRunRow, Store

QUEUED, WORKER = "queued", "worker"
# The counters a worker's note carries: what aggregator.runs copies onto a run row.
NOTED_PREFIXES = ("aggregator/", "response_received_count")


@dataclass(frozen=True)
class RunNote:
    """What the stream tells the writer about the run (see the module docstring)."""

    event: str
    at: datetime
    outlets: tuple[str, ...] = ()
    new_run: bool = False
    stats: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None


def queued_note(outlets: Iterable[str], new_run: bool) -> RunNote:
    return RunNote(QUEUED, datetime.now(UTC), tuple(outlets), new_run)


def counters(stats: Mapping[str, Any]) -> dict[str, float]:
    """A crawl's counters a run row takes: numbers only, so a note stays small plain JSON."""
    return {
        name: value
        for name, value in stats.items()
        if name.startswith(NOTED_PREFIXES) and isinstance(value, int | float)
    }


def worker_note(
    stats: Mapping[str, Any], reason: str | None, since: Mapping[str, float] | None = None
) -> RunNote:
    """A worker's counters less those it noted before (``since``); unchanged ones left out."""
    noted = since or {}
    changed = {k: v - noted.get(k, 0) for k, v in counters(stats).items()}
    return RunNote(
        WORKER, datetime.now(UTC), stats={k: v for k, v in changed.items() if v}, reason=reason
    )


def encode_note(note: RunNote) -> dict[str, str]:
    data = {
        "event": note.event,
        "at": note.at.isoformat(),
        "outlets": list(note.outlets),
        "new_run": note.new_run,
        "stats": note.stats,
        "reason": note.reason,
    }
    return {"kind": "run", "data": json.dumps(data)}


def decode_note(data: Mapping[str, Any]) -> RunNote:
    if data["event"] not in (QUEUED, WORKER):
        raise ValueError(f"unknown run event {data['event']!r}")
    stats = data.get("stats") or {}
    if not isinstance(stats, dict):
        raise ValueError("a run note's stats are not a mapping")
    return RunNote(
        data["event"],
        datetime.fromisoformat(data["at"]),
        tuple(str(o) for o in data.get("outlets") or ()),
        bool(data.get("new_run")),
        {str(k): v for k, v in stats.items() if isinstance(v, int | float)},
        data.get("reason"),
    )


class RunLog:
    """The writer's side: which row is the running run's, and what is added to it."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.run_id: int | None = self._latest()

    def note(self, note: RunNote) -> None:
        if note.event == QUEUED:
            if self._started_by(note):
                return  # applied again after a writer was killed before acknowledging it
            if note.new_run or self.run_id is None:
                self.run_id = start_run(self.store, note.outlets, started_at=note.at)
            else:
                self._join(note.outlets)
        elif self.run_id is not None:
            add_worker_counters(self.store, self.run_id, note.stats, note.reason, note.at)

    def count(self, statuses: Counter[str], stories_new: int) -> None:
        """Articles the writer just committed, by status (new, updated, unchanged...)."""
        if self.run_id is not None and (statuses or stories_new):
            count_articles(self.store, self.run_id, statuses, stories_new)

    def _join(self, outlets: Iterable[str]) -> None:
        with self.store.session() as session, session.begin():
            run = session.get_one(CrawlRunRow, self.run_id)
            run.outlets = list(dict.fromkeys([*run.outlets, *outlets]))

    def _started_by(self, note: RunNote) -> bool:
        if self.run_id is None:
            return False
        with self.store.session() as session:
            run = session.get_one(CrawlRunRow, self.run_id)
            stored = note.at.astimezone(UTC).replace(microsecond=0)  # as the store keeps dates
            queued = list(note.outlets)
            return run.started_at == stored and run.outlets[: len(queued)] == queued

    def _latest(self) -> int | None:
        """A restarted writer carries on with the newest run row."""
        with self.store.session() as session:
            return session.scalar(select(CrawlRunRow.id).order_by(CrawlRunRow.id.desc()).limit(1))
