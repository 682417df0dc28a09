"""``aggregator report``: a story page or a digest, as one self-contained HTML file."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from aggregator.cli.base import db_option, main, sql_int
from aggregator.cli.stories import DateParam
from aggregator.report import Renderer, load_digest, load_story_page
from aggregator.report.digest import TOP_STORIES
from aggregator.safefile import replacing
from aggregator.store import Store


@main.command()
# Ids are SQL integers, as in `aggregator show`: a larger one is a usage error, not a crash.
@click.argument("story_id", type=sql_int(1), required=False)
@click.option("--since", type=DateParam(), help="Digest: stories first published on or after.")
@click.option(
    "--until",
    type=DateParam(end_of_day=True),
    help="Digest: stories first published before (a bare date includes that day).",
)
@click.option(
    "--top",
    type=click.IntRange(1, 1000),
    default=TOP_STORIES,
    show_default=True,
    help="Digest: how many of the most reposted stories to list.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    help="HTML file to write (stdout when omitted or -). Written whole or not at all.",
)
@db_option
def report(
    story_id: int | None,
    since: datetime | None,
    until: datetime | None,
    top: int,
    output: str | None,
    db_url: str,
) -> None:
    """Show how a story spread, or what spread in a date range, as HTML for a browser.

    With STORY_ID, a story page: a timeline with one lane per outlet and each
    repost's delay ("+4 days"), then each repost beside the original with the
    passages it took highlighted, what it added (intro, credit line), its
    similarity, containment and role, and why the original was chosen.

    With --since/--until, a digest of the stories first published in that
    range: the most reposted, and a matrix of who reposts whom, each cell
    linking to the stories behind it.

    The file needs nothing else: styles and the timeline are inline, it runs no
    script and loads nothing, so it opens offline and prints. `aggregator
    serve` shows the same pages in Datasette.

    \b
    Example:
      aggregator report 1 -o story.html
      aggregator report --since 2012-10-01 --until 2012-10-31 -o digest.html
    """
    if story_id is None and since is None and until is None:
        raise click.UsageError("give a STORY_ID for a story page, or --since DATE for a digest")
    if story_id is not None and (since or until):
        raise click.UsageError("give a STORY_ID or a date range (--since/--until), not both")
    if since and until and until <= since:
        raise click.BadParameter("must be after --since", param_hint="'--until'")
    renderer = Renderer()
    # A read command never creates a store: a mistyped --db path exits 3.
    with Store(db_url, create=False) as store, store.session() as session:
        if story_id is not None:
            html, what = renderer.story(load_story_page(session, story_id)), f"story {story_id}"
        else:
            html, what = renderer.digest(load_digest(session, since, until, top)), "the digest"
    if output in (None, "-"):
        sys.stdout.write(html)
        return
    _write_whole(Path(output), html)
    click.echo(f"wrote {what} to {output}", err=True)


def _write_whole(target: Path, html: str) -> None:
    """Written through ``aggregator.safefile``: whole or not at all, never through a symlink."""
    with replacing(target) as out:
        out.write(html)
