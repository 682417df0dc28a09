"""``aggregator dedup``: the state of story detection, and ``--rebuild`` to recompute it."""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy import func, select

from aggregator import defaults
from aggregator.cli.base import db_option, lock_wait_option, main
from aggregator.dedup import DedupConfig
from aggregator.dedup.rebuild import rebuild
from aggregator.store import ArticleRow, LinkRow, SignatureRow, Store, StoryRow
from aggregator.store.lock import crawl_lock

_SETTINGS = (
    ("--shingle-size", "shingle_size", int, "Words per shingle (changing it re-reads the texts)."),
    ("--num-perm", "num_perm", int, "Permutations of the whole-text MinHash sketches."),
    ("--seed", "seed", int, "Seed of those permutations."),
    ("--lsh-threshold", "lsh_threshold", float, "Whole-text Jaccard that makes LSH candidates."),
    ("--anchor-rate", "anchor_rate", int, "One shingle in this many is an anchor."),
    ("--min-anchors", "min_anchors", int, "Shared anchors that make two articles candidates."),
    (
        "--anchor-share",
        "anchor_share",
        float,
        "...and their least share of the smaller one's anchors.",
    ),
    ("--containment", "containment", float, "Share of the smaller text found in the larger."),
    ("--min-shared", "min_shared", int, "Shared shingles a repost needs at least."),
    ("--full-copy", "full_copy", float, "Share of the canonical a full copy carries."),
    (
        "--boilerplate-articles",
        "boilerplate_articles",
        int,
        "Articles of one outlet that make a paragraph chrome.",
    ),
)


def setting_options(function: Any) -> Any:
    """One option per AGGREGATOR_DEDUP_* setting, read from the environment by default."""
    for flag, name, kind, text in reversed(_SETTINGS):
        variable = f"AGGREGATOR_DEDUP_{name.upper()}"
        default = getattr(defaults, variable)
        function = click.option(
            flag,
            name,
            type=kind,
            envvar=variable,
            default=default,
            show_default=True,
            help=f"{text} (env {variable})",
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
