"""``aggregator stats``: what the store holds, for a person or (with --json) a cron job."""

from __future__ import annotations

import json

import click

from aggregator.cli.base import db_option, echo, main
from aggregator.cli.stories import date_text
from aggregator.store import Store
from aggregator.store.migrate import current_revision
from aggregator.store.stats import StoreStats, store_stats
from aggregator.store.types import iso


@main.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of text.")
def stats(db_url: str, as_json: bool) -> None:
    """Show what the store holds: articles, stories, reposts, outlets, the last crawl.

    \b
    Example:
      aggregator stats
      aggregator stats --json | jq .last_run.finish_reason
    """
    with Store(db_url, create=False) as store, store.session() as session:
        numbers = store_stats(session)
        with store.engine.connect() as connection:
            revision = current_revision(connection)
    if as_json:
        echo(json.dumps({"schema": revision, **numbers.as_dict()}, ensure_ascii=False))
        return
    echo(f"store      {store.safe_url} (schema {revision})")
    for line in summary_lines(numbers):
        echo(line)


def summary_lines(numbers: StoreStats) -> list[str]:
    """The text form: totals, then one row per outlet."""
    roles = ", ".join(f"{role} {n}" for role, n in numbers.reposts_by_role.items()) or "none"
    sources = ", ".join(f"{source} {n}" for source, n in numbers.date_sources.items()) or "none"
    lines = [
        f"articles   {numbers.articles} ({numbers.undated_articles} undated; "
        f"published {date_text(numbers.first_published).strip()} to "
        f"{date_text(numbers.last_published).strip()})",
        f"stories    {numbers.stories} ({numbers.stories_with_reposts} with reposts)",
        f"reposts    {sum(numbers.reposts_by_role.values())} ({roles})",
        f"dates from {sources}",
        f"crawls     {numbers.crawl_runs}" + _last_run_text(numbers),
    ]
    if numbers.outlets:
        lines += [
            "",
            f"{'OUTLET':<16} {'ARTICLES':>8} {'ORIGINALS':>9} {'REPOSTS':>7}  FIRST       LAST",
        ]
        lines += [
            f"{o.key:<16} {o.articles:>8} {o.originals:>9} {o.reposts:>7}  "
            f"{date_text(o.first_published)}  {date_text(o.last_published)}"
            for o in numbers.outlets
        ]
    return lines


def _last_run_text(numbers: StoreStats) -> str:
    run = numbers.last_run
    if run is None:
        return ""
    when = iso(run.started_at)
    return (
        f"; last #{run.id} started {when}, {run.finish_reason or 'not finished'}, "
        f"{run.pages_fetched} pages, {run.articles_new} new, {run.articles_updated} updated"
    )
