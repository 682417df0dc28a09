"""``aggregator stories`` and ``aggregator show``: reading stories at a terminal."""

from __future__ import annotations

import shutil
from datetime import datetime
from typing import Any

import click

from aggregator.cli.base import db_option, main
from aggregator.queries import StoryFilter, load_stories, load_story, reposts_of
from aggregator.store import ArticleRow, Store, StoryRow


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


@main.command()
@click.argument("story_id", type=int)
@db_option
def show(story_id: int, db_url: str) -> None:
    """Show one story: its canonical article, why it was chosen, and every repost.

    \b
    Example:
      aggregator show 1
    """
    with Store(db_url) as store, store.session() as session:
        story = load_story(session, story_id)
        if story is None:
            raise click.ClickException(f"no story with id {story_id}")
        click.echo(f"Story {story.id}: {story.title}")
        click.echo(f"  canonical ({story.canonical_reason}):")
        _print_article(story.canonical, indent="    ")
        for repost in reposts_of(story):
            click.echo(
                f"  {repost.role}: similarity {repost.similarity:.2f}, "
                f"containment {repost.containment:.2f}"
            )
            _print_article(repost, indent="    ")


def print_story_line(story: StoryRow) -> None:
    """One line per story, one more per repost, cut to the terminal's width."""
    width = shutil.get_terminal_size((100, 20)).columns
    canonical = story.canonical
    line = f"#{story.id:<4} {_date(canonical.published)}  {canonical.outlet.name}: {story.title}"
    click.echo(line[:width])
    for repost in reposts_of(story):
        credit = f"  [{repost.attribution_text}]" if repost.attribution_text else ""
        detail = (
            f"      └ {repost.role} {_date(repost.published)}  {repost.outlet.name}  "
            f"containment {repost.containment:.2f}{credit}"
        )
        click.echo(detail[:width])


def _print_article(article: ArticleRow, indent: str) -> None:
    click.echo(
        f"{indent}{article.outlet.name} · {_date(article.published)} · {article.title or '(untitled)'}"
    )
    click.echo(f"{indent}{article.url}")
    if article.author:
        click.echo(f"{indent}by {article.author}")
    if article.attribution_text:
        click.echo(f"{indent}credit line: {article.attribution_text}")


def _date(value: datetime | None) -> str:
    return value.date().isoformat() if value else "undated   "
