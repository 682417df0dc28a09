"""``aggregator export``: stories with their reposts, to a file or stdout."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import click

from aggregator.cli.base import db_option, main
from aggregator.cli.stories import filter_options, story_filter
from aggregator.export import FORMATS, write_jsonl
from aggregator.queries import iter_story_records
from aggregator.store import Store


@main.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help="File to write (stdout when omitted).",
)
@filter_options
def export(db_url: str, fmt: str, output: str | None, **filters: Any) -> None:
    """Export stories, one record per story with its reposts attached.

    \b
    Example:
      aggregator export --format jsonl --output stories.jsonl
    """
    with Store(db_url) as store, store.session() as session, _open_output(output) as out:
        count = write_jsonl(iter_story_records(session, story_filter(**filters)), out)
    if output:
        click.echo(f"wrote {count} stories to {output}", err=True)


@contextmanager
def _open_output(path: str | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    target = Path(path)
    if not target.parent.exists():
        raise click.ClickException(f"output directory {target.parent} does not exist")
    with target.open("w", encoding="utf-8") as out:
        yield out
