"""``aggregator show``: one story, explained."""

from __future__ import annotations

import click

from aggregator.cli.base import db_option, main
from aggregator.cli.stories import date_text
from aggregator.queries import load_story, reposts_of
from aggregator.store import ArticleRow, Store


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


def _print_article(article: ArticleRow, indent: str) -> None:
    click.echo(
        f"{indent}{article.outlet.name} · {date_text(article.published)} · {article.title or '(untitled)'}"
    )
    click.echo(f"{indent}{article.url}")
    if article.author:
        click.echo(f"{indent}by {article.author}")
    if article.attribution_text:
        click.echo(f"{indent}credit line: {article.attribution_text}")
