"""The story writer's window (issue 15, item 3): which indexed articles are recent enough to
stay, so that its memory stops growing with the store.

An article's date here is its **fetch date**, not its publication date. A crawl
of an outlet's archive fetches today articles published years ago, and each
must still be compared with the window's articles (the reposts it carries, the
other archives crawled beside it); by publication date it would leave the index
the moment it arrived. Fetch dates are also always known and set by the
crawler, where a publication date may be missing or misread.

The window ends at the newest fetch date seen (from the store at start, then
from each article ingested), never later than the wall clock: a writer started
after a pause keeps the store's last ``days`` rather than an empty index, a
replayed stream gives the same index, and a worker whose clock runs ahead
cannot empty it. It starts ``days`` before that end; older articles leave.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable
from datetime import UTC, datetime, timedelta

Key = Hashable


def window_start(newest: datetime, days: int) -> datetime:
    """The oldest fetch date a window of ``days`` ending at ``newest`` keeps."""
    return min(newest, datetime.now(UTC)) - timedelta(days=days)


class Window:
    """The fetch dates of the indexed articles, oldest first, and which of them have left.

    >>> w = Window(days=2)
    >>> w.add("a", datetime(2024, 5, 1, tzinfo=UTC)); w.add("b", datetime(2024, 5, 2, tzinfo=UTC))
    >>> w.advance(datetime(2024, 5, 4, tzinfo=UTC))
    ['a']
    >>> w.start
    datetime.datetime(2024, 5, 2, 0, 0, tzinfo=datetime.timezone.utc)
    """

    def __init__(self, days: int) -> None:
        if days < 1:
            raise ValueError(f"a window must span at least one day, got {days}")
        self.days = days
        self.newest: datetime | None = None
        self._dates: dict[Key, datetime] = {}
        # (date, order, key); an entry whose date is no longer its key's is stale, skipped.
        self._heap: list[tuple[datetime, int, Key]] = []
        self._added = 0

    def __len__(self) -> int:
        return len(self._dates)

    @property
    def start(self) -> datetime | None:
        """The oldest fetch date kept (None before any date is known)."""
        return None if self.newest is None else window_start(self.newest, self.days)

    def add(self, key: Key, fetched: datetime) -> None:
        """Date ``key`` (again: a new fetch moves it to the window's end)."""
        self._move_end(fetched)
        self._dates[key] = fetched
        self._added += 1
        heapq.heappush(self._heap, (fetched, self._added, key))

    def discard(self, key: Key) -> None:
        self._dates.pop(key, None)

    def advance(self, fetched: datetime) -> list[Key]:
        """Move the end to ``fetched`` if it is later; return the keys that left (forgotten)."""
        self._move_end(fetched)
        start = self.start
        gone: list[Key] = []
        while self._heap and start is not None and self._heap[0][0] < start:
            date, _, key = heapq.heappop(self._heap)
            if self._dates.get(key) == date:
                del self._dates[key]
                gone.append(key)
        return gone

    def _move_end(self, fetched: datetime) -> None:
        if fetched.tzinfo is None:
            raise ValueError(f"naive datetime {fetched!r}: fetch dates must be aware")
        if self.newest is None or fetched > self.newest:
            self.newest = fetched
