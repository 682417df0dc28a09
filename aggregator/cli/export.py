"""``aggregator export``: stories with their reposts, to a file or stdout, in four formats."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any

import click

from aggregator.cli.base import db_option, main
from aggregator.cli.stories import check_outlet, filter_options, story_filter
from aggregator.export import (
    BINARY_FORMATS,
    FORMATS,
    write_csv,
    write_json,
    write_jsonl,
    write_parquet,
)
from aggregator.queries import iter_story_records
from aggregator.safefile import is_stream, replacing
from aggregator.store import Store


@main.command()
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="jsonl",
    show_default=True,
    help="jsonl: one story per line; json: one array; csv: stories, and reposts in a second "
    "file; parquet: nested like json (needs the parquet extra).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="File to write (stdout when omitted or -). Written whole or not at all; a symlink "
    "is refused, a device or FIFO written into as it is.",
)
@click.option(
    "--reposts-output",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="CSV only: where the reposts go [default: beside --output, as NAME.reposts.csv].",
)
@filter_options
def export(
    db_url: str, fmt: str, output: str | None, reposts_output: str | None, **filters: Any
) -> None:
    """Export stories: one record per story, its canonical article in full, its reposts.

    JSON formats nest the reposts in each story; CSV writes one row per story
    and a second file with one row per repost, linked by story_id. Dates are
    ISO-8601 UTC. Stories are read page by page, so memory stays flat
    however large the store is. Takes the same filters as `stories`.

    \b
    Example:
      aggregator export --format jsonl --output stories.jsonl
      aggregator export --format csv -o out/stories.csv --since 2012-10-01
      aggregator export --format json --outlet cfr | jq '.[].title'
    """
    if reposts_output and fmt != "csv":
        raise click.BadParameter(
            "only CSV writes reposts to a file of their own", param_hint="'--reposts-output'"
        )
    if output is None and fmt in BINARY_FORMATS and sys.stdout.isatty():
        raise click.BadParameter(
            f"{fmt} is binary: give --output FILE or redirect stdout", param_hint="'--output'"
        )
    output = None if output == "-" else output
    if reposts_output == "-" and output is None:
        raise click.BadParameter(
            "stories and reposts cannot both go to stdout", param_hint="'--reposts-output'"
        )
    if fmt == "csv" and output and not reposts_output and not is_stream(output):
        reposts_output = str(Path(output).with_suffix("")) + ".reposts.csv"
    selected = story_filter(**filters)
    with Store(db_url, create=False) as store, store.session() as session, ExitStack() as files:
        check_outlet(session, selected)
        out = files.enter_context(_open_output(output, binary=fmt in BINARY_FORMATS))
        records = iter_story_records(session, selected)
        if fmt == "csv":
            reposts = files.enter_context(_open_output(reposts_output)) if reposts_output else None
            count = write_csv(records, out, reposts)
        else:
            writer = {"jsonl": write_jsonl, "json": write_json, "parquet": write_parquet}[fmt]
            count = writer(records, out)
    _report(count, output, reposts_output, fmt)


def _report(count: int, output: str | None, reposts_output: str | None, fmt: str) -> None:
    if output:
        also = f" and their reposts to {reposts_output}" if reposts_output else ""
        click.echo(f"wrote {count} stories to {output}{also}", err=True)
    if fmt == "csv" and not reposts_output:
        click.echo("note: reposts not written (give --reposts-output FILE)", err=True)


@contextmanager
def _open_output(path: str | None, binary: bool = False) -> Iterator[IO[Any]]:
    """stdout (no path, or ``-``), or ``path`` written whole or not at all
    (``aggregator.safefile``: never through a symlink, never replacing a device)."""
    if path is None or path == "-":
        yield sys.stdout.buffer if binary else sys.stdout
        return
    with replacing(path, binary=binary) as out:
        yield out
