"""``aggregator crawl`` and ``aggregator demo``: run the spider and report what it did."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any, TextIO

import click

from aggregator import defaults
from aggregator.cli.base import EXIT_NOTHING_FETCHED, config_option, db_option, main
from aggregator.cli.stories import print_story_line
from aggregator.config import load_config
from aggregator.queries import StoryFilter, load_stories
from aggregator.store import Store


@main.command()
@click.argument("outlets", nargs=-1)
@config_option
@db_option
def crawl(outlets: tuple[str, ...], config_path: str, db_url: str) -> None:
    """Crawl OUTLETS (keys from the config; every enabled outlet when none are given).

    Fetches feeds, sitemaps and pages, keeps the articles, groups reposts into
    stories and records the run. Exits 4 when nothing could be fetched.

    \b
    Example:
      aggregator crawl cfr nknews --db sqlite:///data/aggregator.sqlite
    """
    config = load_config(config_path)
    selected = config.select(outlets)
    Store(db_url).close()  # fail here, with a clear message, rather than inside the crawl
    stats = run_crawl([o.key for o in selected], config_path, db_url)
    print_crawl_summary(stats, sys.stdout)
    if not stats.get("response_received_count"):
        click.echo("error: no page could be fetched (see the errors above)", err=True)
        sys.exit(EXIT_NOTHING_FETCHED)


@main.command()
@click.option(
    "--db",
    "db_url",
    default="sqlite:///data/demo.sqlite",
    show_default=True,
    help="Store for the demo (recreated on every run).",
)
def demo(db_url: str) -> None:
    """Crawl the bundled offline demo site and print its stories.

    Serves data/demo/site on 127.0.0.1 (a free port), crawls the demo outlets
    with the real spider and pipelines, and lists the stories it found.
    """
    from aggregator.demo import DEMO_OUTLETS, DEMO_URL_VARIABLE, DemoSite

    _remove_sqlite_store(db_url)
    config_path = defaults.AGGREGATOR_CONFIG
    with DemoSite() as site:
        os.environ[DEMO_URL_VARIABLE] = site.url
        click.echo(f"demo site serving on {site.url}")
        load_config(config_path).select(DEMO_OUTLETS)
        stats = run_crawl(list(DEMO_OUTLETS), config_path, db_url)
    print_crawl_summary(stats, sys.stdout)
    click.echo("")
    with Store(db_url) as store, store.session() as session:
        for story in load_stories(session, StoryFilter()):
            print_story_line(story)
    click.echo(f"\nexplore: aggregator stories --db {db_url}")


def run_crawl(keys: list[str], config_path: str, db_url: str) -> dict[str, Any]:
    from spiders.runner import run_crawl as run  # Scrapy is imported only for crawls

    level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
    return run(keys, config_path, db_url, log_level=level)


def print_crawl_summary(stats: dict[str, Any], out: TextIO) -> None:
    def count(key: str) -> int:
        return int(stats.get(key, 0))

    out.write(
        f"pages fetched {count('response_received_count')}, "
        f"articles new {count('aggregator/articles/new')}, "
        f"updated {count('aggregator/articles/updated')}, "
        f"unchanged {count('aggregator/articles/unchanged')}, "
        f"new stories {count('aggregator/stories/new')}\n"
    )
    drops = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("aggregator/dropped/")}
    if drops:
        out.write("dropped: " + ", ".join(f"{k} {v}" for k, v in sorted(drops.items())) + "\n")
    errors = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("aggregator/errors/")}
    if errors:
        out.write("errors: " + ", ".join(f"{k} {v}" for k, v in sorted(errors.items())) + "\n")


def _remove_sqlite_store(db_url: str) -> None:
    prefix = "sqlite:///"
    if db_url.startswith(prefix):
        for suffix in ("", "-wal", "-shm"):
            Path(db_url.removeprefix(prefix) + suffix).unlink(missing_ok=True)
