"""``aggregator stories``: stories at a terminal, as a table; the filters ``export`` shares."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import click
from sqlalchemy.orm import Session

from aggregator.cli.base import db_option, echo, main, sql_int
from aggregator.queries import StoryFilter, iter_stories, outlet_keys, reposts_of
from aggregator.store import Store, StoryRow
from aggregator.terminal import terminal_text

DATE_HELP = "YYYY-MM-DD or ISO-8601 (2012-10-16T04:00:00Z); without a zone, UTC"
_ID, _DATE, _REPOSTS, _OUTLET = 6, 10, 7, 28


class DateParam(click.ParamType):
    """An ISO-8601 date or time, as an aware UTC datetime.

    Dates without a zone are UTC, like every date the store holds and shows, so
    ``--since 2012-10-16`` includes a story listed as 2012-10-16. With
    ``end_of_day`` a bare date means the end of that day (``--until`` includes it).
    """

    name = "date"

    def __init__(self, end_of_day: bool = False) -> None:
        self.end_of_day = end_of_day

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is not a date ({DATE_HELP})", param, ctx)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        try:
            if self.end_of_day and len(text) == len("2012-10-16"):
                parsed = _end_of_day(parsed)
            return parsed.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00+01:00 is before the first representable time
            self.fail(f"{text!r} is out of range (dates from 0001-01-01 to 9999-12-31)", param, ctx)


def _end_of_day(day: datetime) -> datetime:
    """The instant after ``day`` (a bare date: ``--until`` includes it); the end of 9999-12-31
    is the last representable instant."""
    try:
        return day + timedelta(days=1)
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC)


def filter_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The story filters ``stories`` and ``export`` share."""
    options = (
        click.option("--since", type=DateParam(), help="First published on or after this date."),
        click.option(
            "--until",
            type=DateParam(end_of_day=True),
            help="First published before this time (a bare date includes that day).",
        ),
        click.option("--outlet", help="Only stories with an article from this outlet (key)."),
        click.option(
            "--search", help="Only stories whose canonical title or text has all these words."
        ),
        click.option(
            "--min-reposts",
            type=sql_int(0),
            default=0,
            help="Only stories with at least this many reposts.",
        ),
        click.option("--limit", type=sql_int(1), help="At most this many stories."),
    )
    for option in reversed(options):
        function = option(function)
    return function


def story_filter(**filters: Any) -> StoryFilter:
    """A StoryFilter from CLI values (dates already aware UTC datetimes)."""
    return StoryFilter(**filters)


def check_outlet(session: Session, filters: StoryFilter) -> None:
    """An --outlet the store has never seen is a typo: say so, with the keys it has."""
    if filters.outlet is None:
        return
    known = outlet_keys(session)
    if filters.outlet not in known:
        raise click.BadParameter(
            f"no outlet {filters.outlet!r} in the store; it has {', '.join(known) or 'none yet'}",
            param_hint="'--outlet'",
        )


@main.command()
@db_option
@filter_options
def stories(db_url: str, **filters: Any) -> None:
    """List stories, newest first: one row per story, one line under it per repost.

    Dates are UTC. The canonical article is the story's original; its outlet
    is shown. Undated stories come last.

    \b
    Example:
      aggregator stories --since 2012-10-01 --until 2012-10-31 --min-reposts 1
      aggregator stories --outlet cfr --search "north korea"
    """
    selected = story_filter(**filters)
    with Store(db_url, create=False) as store, store.session() as session:
        check_outlet(session, selected)
        shown = 0
        for story in iter_stories(session, selected):
            if not shown:
                echo(_cut(table_header(), terminal_width()))
            print_story_line(story)
            shown += 1
        if not shown:
            echo("no stories")


def table_header() -> str:
    return (
        f"{'ID':>{_ID}}  {'FIRST':<{_DATE}}  {'REPOSTS':>{_REPOSTS}}  "
        f"{'ORIGINAL OUTLET':<{_OUTLET}}  TITLE"
    )


def print_story_line(story: StoryRow) -> None:
    """One table row per story, one more line per repost, cut to the terminal's width."""
    width = terminal_width()
    reposts = reposts_of(story)
    outlet = _cut(terminal_text(story.canonical.outlet.name), _OUTLET)
    line = (
        f"{story.id:>{_ID}}  {date_text(story.first_published)}  {len(reposts):>{_REPOSTS}}  "
        f"{outlet:<{_OUTLET}}  {story.title or '(untitled)'}"
    )
    echo(_cut(terminal_text(line), width))  # cut what is shown, not the escapes
    indent = " " * (_ID + 2)
    for repost in reposts:
        credit = f"  [{repost.attribution_text}]" if repost.attribution_text else ""
        detail = (
            f"{indent}└ {repost.role} {date_text(repost.published)}  {repost.outlet.name}  "
            f"similarity {repost.similarity or 0:.2f}, containment {repost.containment or 0:.2f}"
            f"{credit}"
        )
        echo(_cut(terminal_text(detail), width))


def terminal_width() -> int:
    return shutil.get_terminal_size((120, 20)).columns


def date_text(value: datetime | None) -> str:
    return value.date().isoformat() if value else "undated   "


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"
