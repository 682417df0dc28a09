"""``aggregator show``: one story, explained."""

from __future__ import annotations

from collections import defaultdict

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from aggregator.cli.base import db_option, echo, main, sql_int
from aggregator.cli.stories import date_text
from aggregator.queries import carried_shares, load_story, reposts_of
from aggregator.store import ArticleRow, Store
from aggregator.store.models import ArticleRevisionRow


@main.command()
@click.argument("story_id", type=sql_int(1))
@db_option
def show(story_id: int, db_url: str) -> None:
    """Show one story: its canonical article, why it was chosen, and every repost.

    Each repost shows its role (repost: a full copy; excerpt: part of the
    canonical), its Jaccard similarity to the canonical text, the share of its
    own text found in the canonical (containment) and the share of the
    canonical it carries. Articles whose text changed since first seen list
    their updates; the earlier texts are kept in article_revisions.

    \b
    Example:
      aggregator show 1
    """
    with Store(db_url, create=False) as store, store.session() as session:
        story = load_story(session, story_id)
        if story is None:
            raise click.ClickException(f"no story with id {story_id}")
        canonical = next(a for a in story.articles if a.id == story.canonical_article_id)
        reposts = reposts_of(story)
        carried = carried_shares(session, canonical.id)
        updates = _updates(session, [a.id for a in story.articles])
        echo(f"Story {story.id}: {story.title}")
        echo(f"  canonical, chosen because: {story.canonical_reason}")
        _print_article(canonical, updates, indent="    ")
        for repost in reposts:
            echo(
                f"  {repost.role}: similarity {_number(repost.similarity)}, "
                f"containment {_number(repost.containment)}, "
                f"carries {_number(carried.get(repost.id))} of the canonical"
            )
            _print_article(repost, updates, indent="    ")


def _print_article(
    article: ArticleRow, updates: dict[int, list[ArticleRevisionRow]], indent: str
) -> None:
    echo(
        f"{indent}{article.outlet.name} · {date_text(article.published)} · "
        f"{article.title or '(untitled)'}"
    )
    echo(f"{indent}{article.url}")
    if article.author:
        echo(f"{indent}by {article.author}")
    if article.attribution_text:
        echo(f"{indent}credit line: {article.attribution_text}")
    for revision in updates.get(article.id, ()):
        echo(
            f"{indent}update: text changed {revision.replaced_at.date().isoformat()} "
            f"({revision.word_count} words before; kept as revision {revision.revision})"
        )


def _updates(session: Session, article_ids: list[int]) -> dict[int, list[ArticleRevisionRow]]:
    found: defaultdict[int, list[ArticleRevisionRow]] = defaultdict(list)
    query = (
        select(ArticleRevisionRow)
        .where(ArticleRevisionRow.article_id.in_(article_ids))
        .order_by(ArticleRevisionRow.article_id, ArticleRevisionRow.revision)
    )
    for revision in session.scalars(query):
        found[revision.article_id].append(revision)
    return found


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"
