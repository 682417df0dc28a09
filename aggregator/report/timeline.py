"""Where each article of a story sits on the timeline: one lane per outlet, x by date.

Pure geometry (numbers and labels); the story template draws it as inline SVG.
Undated articles get a column of their own at the right, since the store keeps
undated pages in stories too (dates help, they are never required).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

LABEL_WIDTH = 230  # outlet names at the left of the lanes
PLOT_WIDTH = 640
UNDATED_WIDTH = 90
RIGHT_MARGIN = 70  # room for the last mark's "+N days"
AXIS_HEIGHT = 36
LANE_HEIGHT = 30
LANE_NAME_CHARS = 28
LABEL_ROOM = 64  # px between two labels in a lane before the next one moves below
# Tick spacing candidates (seconds) and how a tick at that spacing is printed.
_STEPS = (
    (3600, "%m-%d %H:%M"),
    (6 * 3600, "%m-%d %H:%M"),
    (86400, "%Y-%m-%d"),
    (2 * 86400, "%Y-%m-%d"),
    (7 * 86400, "%Y-%m-%d"),
    (14 * 86400, "%Y-%m-%d"),
    (30 * 86400, "%Y-%m-%d"),
    (91 * 86400, "%Y-%m"),
    (365 * 86400, "%Y"),
    (5 * 365 * 86400, "%Y"),
)
MAX_TICKS = 7


@dataclass(frozen=True)
class Entry:
    """An article to place: its id (for links), outlet, date and role in the story."""

    article_id: int
    outlet: str
    published: datetime | None
    role: str
    gap: str  # "original", "+4 days", "undated"


@dataclass(frozen=True)
class Lane:
    outlet: str
    short_name: str
    y: float


@dataclass(frozen=True)
class Mark:
    entry: Entry
    x: float
    y: float
    label_y: float


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    plot_left: int
    plot_right: int
    lanes: tuple[Lane, ...]
    marks: tuple[Mark, ...]
    ticks: tuple[Tick, ...]
    origin_x: float | None  # the canonical's date, drawn as a line across the lanes
    undated_x: float | None  # the undated column, when any article is undated


def gap_text(published: datetime | None, original: datetime | None) -> str:
    """How long after the original an article appeared: "+4 days", "+3 hours", "-2 days"."""
    if published is None or original is None:
        return "undated"
    seconds = (published - original).total_seconds()
    sign = "+" if seconds >= 0 else "-"
    size = abs(seconds)
    for unit, name in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if size >= unit:
            count = int(size // unit)
            return f"{sign}{count} {name}{'s' if count != 1 else ''}"
    return "same time"


def layout(entries: list[Entry], origin: datetime | None) -> Timeline:
    """Lanes in order of each outlet's first article (the original's first), marks by date."""
    lanes = _lanes(entries)
    dated = [e.published for e in entries if e.published is not None]
    start, end = _padded_range(dated)
    plot_left, plot_right = LABEL_WIDTH, LABEL_WIDTH + PLOT_WIDTH
    undated_x = plot_right + UNDATED_WIDTH / 2 if len(dated) < len(entries) else None
    width = plot_right + (UNDATED_WIDTH if undated_x is not None else 0) + RIGHT_MARGIN

    def x_of(moment: datetime) -> float:
        share = (moment - start).total_seconds() / (end - start).total_seconds()
        return round(plot_left + share * PLOT_WIDTH, 1)

    lane_y = {lane.outlet: lane.y for lane in lanes}
    marks: list[Mark] = []
    last_label_x: dict[str, float] = {}
    for entry in sorted(entries, key=_by_date):
        x = x_of(entry.published) if entry.published is not None else float(undated_x or 0)
        y = lane_y[entry.outlet]
        crowded = x - last_label_x.get(entry.outlet, -LABEL_ROOM) < LABEL_ROOM
        marks.append(Mark(entry, x, y, label_y=y + (15 if crowded else -9)))
        if not crowded:
            last_label_x[entry.outlet] = x
    return Timeline(
        width=int(width),
        height=AXIS_HEIGHT + LANE_HEIGHT * len(lanes) + 12,
        plot_left=plot_left,
        plot_right=plot_right,
        lanes=lanes,
        marks=tuple(marks),
        ticks=_ticks(start, end, x_of) if dated else (),
        origin_x=x_of(origin) if origin is not None else None,
        undated_x=undated_x,
    )


def _by_date(entry: Entry) -> tuple[bool, float, int]:
    stamp = entry.published.timestamp() if entry.published else 0.0
    return entry.published is None, stamp, entry.article_id


def _lanes(entries: list[Entry]) -> tuple[Lane, ...]:
    order: list[str] = []
    for entry in sorted(entries, key=lambda e: (e.role != "canonical", *_by_date(e))):
        if entry.outlet not in order:
            order.append(entry.outlet)
    return tuple(
        Lane(outlet, _shorten(outlet), AXIS_HEIGHT + LANE_HEIGHT * (index + 0.5))
        for index, outlet in enumerate(order)
    )


def _shorten(name: str) -> str:
    return name if len(name) <= LANE_NAME_CHARS else name[: LANE_NAME_CHARS - 1] + "…"


def _padded_range(dated: list[datetime]) -> tuple[datetime, datetime]:
    """The dates' range with a margin, so no mark sits on the plot's edge."""
    if not dated:
        now = datetime(2000, 1, 1, tzinfo=UTC)
        return now, now + timedelta(days=1)
    first, last = min(dated), max(dated)
    margin = max((last - first) * 0.06, timedelta(hours=12))
    return first - margin, last + margin


def _ticks(start: datetime, end: datetime, x_of: Callable[[datetime], float]) -> tuple[Tick, ...]:
    """Round dates along the axis: the finest spacing that gives at most MAX_TICKS."""
    span = (end - start).total_seconds()
    step, fmt = next(((s, f) for s, f in _STEPS if span / s <= MAX_TICKS), _STEPS[-1])
    first = -(-int(start.timestamp()) // step) * step
    moments = (datetime.fromtimestamp(t, UTC) for t in range(first, int(end.timestamp()) + 1, step))
    return tuple(Tick(x_of(m), m.strftime(fmt)) for m in moments)
