"""``aggregator state show`` and ``aggregator state reset``: the incremental crawl's memory."""

from __future__ import annotations

import click

from aggregator import crawlstate
from aggregator.cli.base import db_option, echo, main, sql_int
from aggregator.cli.stories import date_text
from aggregator.store import Store


@main.group()
def state() -> None:
    """Read or clear the crawl state: per URL, how it was found and what came back.

    \b
    Example:
      aggregator state show --outlet htw
      aggregator state reset --outlet htw --yes
    """


@state.command()
@db_option
@click.option("--outlet", help="Only this outlet (key); its URLs are listed too.")
@click.option("--status", type=click.Choice(crawlstate.STATUSES), help="Only URLs in this status.")
@click.option("--limit", type=sql_int(1), default=20, show_default=True)
def show(db_url: str, outlet: str | None, status: str | None, limit: int) -> None:
    """Counts per outlet, kind and status; with --outlet, its most recently fetched URLs.

    \b
    Example:
      aggregator state show --outlet htw --status error
    """
    with Store(db_url, create=False) as store:
        summaries = crawlstate.summarize(store, outlet)
        if not summaries:
            echo("no crawl state" + (f" for {outlet}" if outlet else ""))
            return
        for summary in summaries:
            last = summary.last_fetched.isoformat() if summary.last_fetched else "never"
            echo(f"{summary.outlet}  (last fetch {last})")
            for (kind, url_status), count in sorted(summary.counts.items()):
                echo(f"  {kind:<10} {url_status:<8} {count:>7}")
        if outlet is None:
            return
        echo("")
        for row in crawlstate.iter_urls(store, outlet, status, limit):
            fetched = date_text(row.last_fetched)
            http = row.http_status or "-"
            detail = f" {row.detail}" if row.detail else ""
            echo(
                f"{fetched}  {row.status:<8} {http!s:<4} {row.kind:<8} {row.found_via:<12} "
                f"{row.url}{detail}"
            )


@state.command()
@db_option
@click.option("--outlet", help="Only this outlet (key).")
@click.option("--all", "everything", is_flag=True, help="Every outlet.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def reset(db_url: str, outlet: str | None, everything: bool, yes: bool) -> None:
    """Forget the crawl state (stored articles stay): the next crawl starts afresh.

    \b
    Example:
      aggregator state reset --outlet htw --yes
    """
    if not outlet and not everything:
        raise click.UsageError("name an --outlet, or --all")
    target = outlet or "every outlet"
    if not yes:
        click.confirm(f"forget the crawl state of {target}?", abort=True)
    with Store(db_url, create=False) as store:
        removed = crawlstate.reset(store, outlet)
    echo(f"forgot {removed} URLs of {target}")
