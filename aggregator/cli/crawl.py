"""``aggregator crawl`` and ``aggregator demo``: run the spider and report what it did.

Exit codes a cron job can act on: 0 the crawl finished; 4 nothing could be
fetched; 5 another crawl holds the store's lock; 6 some outlets could fetch
nothing (the others were crawled); 7 extraction workers kept dying; 130 the
crawl was interrupted (Ctrl-C or SIGTERM) and stopped cleanly (the next run
resumes it). Configuration and store errors exit 2 and 3 (a store failing
mid-crawl too: a full disk, a lost connection).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any, TextIO

import click

from aggregator.cli.base import config_option, db_option, lock_wait_option, main
from aggregator.cli.stories import print_story_line
from aggregator.config import load_config
from aggregator.dedup import DedupConfig
from aggregator.errors import (
    EXIT_INTERRUPTED,
    AggregatorError,
    NothingFetchedError,
    OutletsFailedError,
)
from aggregator.queries import StoryFilter, load_stories
from aggregator.runs import by_outlet, fatal_error, with_prefix
from aggregator.store import Store
from aggregator.store.engine import sqlite_path
from aggregator.store.lock import crawl_lock


@main.command()
@click.argument("outlets", nargs=-1)
@config_option
@db_option
@lock_wait_option
@click.option(
    "--refresh",
    is_flag=True,
    help="Fetch stored articles again, even when nothing says they changed.",
)
@click.option(
    "--contact",
    envvar="AGGREGATOR_CONTACT",
    default="",
    help="URL or e-mail for the User-Agent, so sites can reach you (env AGGREGATOR_CONTACT).",
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="NAME=VALUE",
    help="A Scrapy or AGGREGATOR_* setting for this run (repeatable), e.g. DOWNLOAD_TIMEOUT=10.",
)
@click.option(
    "--redis",
    "redis_url",
    envvar="AGGREGATOR_REDIS_URL",
    default="",
    help="Queue the outlets for a cluster's workers instead (docs/cluster.md).",
)
def crawl(
    outlets: tuple[str, ...],
    config_path: str,
    db_url: str,
    lock_wait: float,
    refresh: bool,
    contact: str,
    overrides: tuple[str, ...],
    redis_url: str,
) -> None:
    """Crawl OUTLETS (keys from the config; every enabled outlet when none are given).

    Reads robots.txt, the WordPress REST API, feeds, sitemaps and archive
    pages newest first; fetches only what is new or changed since the last
    run (the store's crawl state, see `aggregator state show`); keeps the
    articles, groups reposts into stories and records the run. A run stopped
    by Ctrl-C or a kill resumes where it stopped.

    \b
    Only one crawl writes to a store at a time: a second one waits --wait
    seconds for the first, then exits 5.

    \b
    Exit codes: 0 done, 4 nothing could be fetched, 5 another crawl holds the
    store, 6 some outlets fetched nothing, 7 extraction workers kept dying,
    130 interrupted; 2 configuration error, 3 store error (disk full, too).

    \b
    With --redis URL the outlets are queued for a cluster's workers instead
    (aggregator worker, aggregator writer; docs/cluster.md).

    \b
    Example:
      aggregator crawl cfr nknews --db sqlite:///data/aggregator.sqlite
    """
    if redis_url:  # past one machine: the workers crawl, the story writer stores
        from aggregator.cli.cluster import enqueue_outlets

        enqueue_outlets(config_path, redis_url, outlets)
        return
    from spiders.runner import checked_overrides  # Scrapy is imported only for crawls

    config = load_config(config_path)
    selected = [o.key for o in config.select(outlets)]
    settings = checked_overrides(parse_overrides(overrides)) | {"AGGREGATOR_CONTACT": contact}
    progress = ProgressLine() if sys.stderr.isatty() else None
    # A bad --set or AGGREGATOR_* variable fails here, in one line, before the store is opened.
    crawl = prepare_crawl(config_path, db_url, refresh, settings)
    Store(db_url).close()  # fail here, with a clear message, rather than inside the crawl
    with crawl_lock(db_url, wait=lock_wait):
        stats = run_crawl(selected, crawl, progress)
    print_crawl_summary(stats, sys.stdout)
    error = fatal_error(stats)
    if error is not None:  # the store failed, or workers kept dying: exit 3 or 7, one line
        raise error
    if stats.get("finish_reason") == "shutdown":
        click.echo("interrupted: the next run resumes where this one stopped", err=True)
        sys.exit(EXIT_INTERRUPTED)
    error = fetch_failure(stats, selected)
    if error is not None:
        raise error


def fetch_failure(stats: dict[str, Any], outlets: list[str]) -> AggregatorError | None:
    """Why a crawl that ran to its end failed: nothing fetched (exit 4), or nothing from some
    outlets (exit 6); None when every outlet answered."""
    if not stats.get("response_received_count"):
        return NothingFetchedError()
    counts = by_outlet(stats)
    silent = [k for k in outlets if not any(counts.get(k, {}).get(n) for n in ("pages", "sources"))]
    return OutletsFailedError(silent) if silent else None


def parse_overrides(pairs: tuple[str, ...]) -> dict[str, Any]:
    """NAME=VALUE pairs; values are read as JSON when they are (numbers, true, lists), else text."""
    settings: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--set")
        try:
            settings[name.strip()] = json.loads(text)
        except json.JSONDecodeError:
            settings[name.strip()] = text
    return settings


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

    Serves the demo site bundled with the package on 127.0.0.1 (a free port),
    crawls its outlets (their own config, also bundled) with the real spider and
    pipelines, and lists the stories it found.
    """
    from aggregator.demo import DEMO_CONFIG, DEMO_OUTLETS, DEMO_URL_VARIABLE, DemoSite

    if sqlite_path(db_url) is None:
        raise click.ClickException("the demo writes to a SQLite store: give --db sqlite:///FILE")
    config_path = str(DEMO_CONFIG)
    # The store is deleted and rebuilt: under the crawl lock, so a second demo (or a crawl)
    # on the same store stops with exit 5 instead of wiping the first one's data.
    with crawl_lock(db_url, wait=0):
        _remove_demo_store(db_url, DEMO_OUTLETS)
        with DemoSite() as site:
            os.environ[DEMO_URL_VARIABLE] = site.url
            click.echo(f"demo site serving on {site.url}")
            load_config(config_path).select(DEMO_OUTLETS)
            progress = ProgressLine() if sys.stderr.isatty() else None
            stats = run_crawl(list(DEMO_OUTLETS), prepare_crawl(config_path, db_url), progress)
        print_crawl_summary(stats, sys.stdout)
        error = fatal_error(stats)
        if error is not None:
            raise error
        click.echo("")
        with Store(db_url) as store, store.session() as session:
            for story in load_stories(session, StoryFilter()):
                print_story_line(story)
    click.echo(f"\nexplore: aggregator stories --db {db_url}")


def prepare_crawl(
    config_path: str,
    db_url: str,
    refresh: bool = False,
    overrides: dict[str, Any] | None = None,
) -> tuple[Any, Any]:
    """The crawl's settings (the environment merged in) and its CrawlConfig, checked:
    a bad value is a ConfigError (exit 2) before anything is opened or fetched."""
    from spiders.runner import crawl_settings  # Scrapy is imported only for crawls

    level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
    settings, crawl_config = crawl_settings(config_path, db_url, level, refresh, overrides)
    DedupConfig.from_settings(settings)  # AGGREGATOR_DEDUP_* from --set or the environment
    return settings, crawl_config


def run_crawl(
    keys: list[str], crawl: tuple[Any, Any], progress: Callable[..., None] | None = None
) -> dict[str, Any]:
    from spiders.runner import run_crawl as run  # Scrapy is imported only for crawls

    return run(keys, *crawl, progress)


class ProgressLine:
    """One line on the terminal (stderr), rewritten every second: pages, articles, stories,
    drops, errors."""

    def __call__(self, stats: dict[str, Any], final: bool = False) -> None:
        sys.stderr.write("\r\033[K" + progress_text(stats) + ("\n" if final else ""))
        sys.stderr.flush()


def progress_text(stats: dict[str, Any]) -> str:
    def count(key: str) -> int:
        return int(stats.get(key, 0))

    drops = sum(with_prefix(stats, "aggregator/dropped/").values())
    errors = sum(with_prefix(stats, "aggregator/errors/").values())
    return (
        f"pages {count('response_received_count')} · "
        f"articles {count('aggregator/articles/new')} new · "
        f"stories {count('aggregator/stories/new')} new · "
        f"dropped {drops} · errors {errors}"
    )


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
    discovered = with_prefix(stats, "aggregator/discovered/")
    out.write(
        "incremental: "
        + (
            ", ".join(f"{k} {v}" for k, v in sorted(discovered.items())) + " new URLs; "
            if discovered
            else ""
        )
        + f"not modified {count('aggregator/pages/not_modified')}, "
        f"known and skipped {count('aggregator/pages/skipped')}\n"
    )
    for title, prefix in (
        ("dropped", "aggregator/dropped/"),
        ("refused", "aggregator/refused/"),  # what aggregator.scope did not let it fetch
        ("errors", "aggregator/errors/"),
    ):
        counts = with_prefix(stats, prefix)
        if counts:
            out.write(
                f"{title}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + "\n"
            )


def _remove_demo_store(db_url: str, demo_outlets: tuple[str, ...]) -> None:
    """Start the demo from an empty store (its pages move to a new port every run), but
    never delete a store that holds anything other than the demo's outlets."""
    path = sqlite_path(db_url)
    assert path is not None  # checked by demo()
    if not path.exists():
        return
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            keys = {key for (key,) in connection.execute("select key from outlets")}
    except sqlite3.Error:
        keys = {"(not an aggregator store)"}
    if not keys <= set(demo_outlets):
        raise click.ClickException(
            f"{path} holds outlets other than the demo's ({', '.join(sorted(keys - set(demo_outlets)))}); "
            "not deleting it: give the demo another --db"
        )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
