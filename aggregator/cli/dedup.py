"""``aggregator dedup``: the state of story detection, and ``--rebuild`` to recompute it."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import click
from sqlalchemy import func, select

from aggregator.cli.base import db_option, lock_wait_option, main
from aggregator.dedup import DedupConfig
from aggregator.dedup.rebuild import rebuild
from aggregator.store import ArticleRow, LinkRow, SignatureRow, Store, StoryRow
from aggregator.store.lock import crawl_lock


def setting_options(function: Any) -> Any:
    """One option per DedupConfig field with a help text, read from the environment by default."""
    for setting in reversed(fields(DedupConfig)):
        if "help" not in setting.metadata:
            continue
        variable = f"AGGREGATOR_DEDUP_{setting.name.upper()}"
        function = click.option(
            "--" + setting.name.replace("_", "-"),
            setting.name,
            type=type(setting.default),
            envvar=variable,
            default=setting.default,
            show_default=True,
            help=f"{setting.metadata['help']} (env {variable})",
        )(function)
    return function


@main.command()
@click.option(
    "--rebuild",
    "rebuild_all",
    is_flag=True,
    help="Recompute every link and story from the stored articles.",
)
@db_option
@lock_wait_option
@setting_options
def dedup(
    rebuild_all: bool = False, db_url: str = "", lock_wait: float = 0, **settings: Any
) -> None:
    """Show how many articles, links and stories the store holds; --rebuild recomputes them.

    A rebuild verifies every stored article against all the others with the
    given thresholds, from the stored fingerprints (texts are read again only
    when the shingle size changed), and reassigns the stories. Stories keep
    their ids while they keep their canonical article.

    \b
    Example:
      aggregator dedup --rebuild --containment 0.7
    """
    config = DedupConfig(**settings)
    with Store(db_url, create=False) as store:
        if rebuild_all:
            with crawl_lock(db_url, wait=lock_wait):  # no crawl writes while links are rebuilt
                result = rebuild(store, config)
            click.echo(
                f"rebuilt {result.articles} articles: {result.links} links, {result.stories} stories "
                f"({result.stories_created} new), {result.fingerprints_refreshed} fingerprints refreshed, "
                f"{result.sketches_stored} sketches stored"
            )
            return
        with store.session() as session:
            counts = [
                session.scalar(select(func.count()).select_from(table))
                for table in (ArticleRow, LinkRow, StoryRow)
            ]
            stale = session.scalar(
                select(func.count())
                .select_from(SignatureRow)
                .where(SignatureRow.shingle_size != config.shingle_size)
            )
        click.echo(f"{counts[0]} articles, {counts[1]} links, {counts[2]} stories")
        if stale:
            click.echo(
                f"{stale} fingerprints use another shingle size: run `aggregator dedup --rebuild`"
            )
