"""``aggregator stories`` and ``aggregator show``: reading stories at a terminal."""

from __future__ import annotations

import shutil
from datetime import datetime
from typing import Any

import click

from aggregator.cli.base import db_option, main
from aggregator.queries import StoryFilter, load_stories, reposts_of
from aggregator.store import Store, StoryRow


def filter_options(function: Any) -> Any:
    """The story filters ``stories`` and ``export`` share."""
    for option in reversed(
        (
            click.option(
                "--since", type=click.DateTime(), help="First published on or after this date."
            ),
            click.option(
                "--until", type=click.DateTime(), help="First published before this date."
            ),
            click.option("--outlet", help="With an article from this outlet (key)."),
            click.option("--search", help="Words in the canonical title or text."),
            click.option(
                "--min-reposts",
                type=click.IntRange(min=0),
                default=0,
                help="At least this many reposts.",
            ),
            click.option("--limit", type=click.IntRange(min=1), help="At most this many stories."),
        )
    ):
        function = option(function)
    return function


def story_filter(**filters: Any) -> StoryFilter:
    """A StoryFilter from CLI values; dates without a zone are local time."""
    for name in ("since", "until"):
        value: datetime | None = filters.get(name)
        if value is not None and value.tzinfo is None:
            filters[name] = value.astimezone()
    return StoryFilter(**filters)


@main.command()
@db_option
@filter_options
def stories(db_url: str, **filters: Any) -> None:
    """List stories, newest first, each with its reposts.

    \b
    Example:
      aggregator stories --since 2012-10-01 --min-reposts 1
    """
    with Store(db_url) as store, store.session() as session:
        rows = load_stories(session, story_filter(**filters))
        if not rows:
            click.echo("no stories")
            return
        for story in rows:
            print_story_line(story)


def print_story_line(story: StoryRow) -> None:
    """One line per story, one more per repost, cut to the terminal's width."""
    width = shutil.get_terminal_size((100, 20)).columns
    canonical = story.canonical
    line = (
        f"#{story.id:<4} {date_text(canonical.published)}  {canonical.outlet.name}: {story.title}"
    )
    click.echo(line[:width])
    for repost in reposts_of(story):
        credit = f"  [{repost.attribution_text}]" if repost.attribution_text else ""
        detail = (
            f"      └ {repost.role} {date_text(repost.published)}  {repost.outlet.name}  "
            f"containment {repost.containment:.2f}{credit}"
        )
        click.echo(detail[:width])


def date_text(value: datetime | None) -> str:
    return value.date().isoformat() if value else "undated   "
