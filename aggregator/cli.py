"""The ``aggregator`` command: crawl outlets, list and export stories.

The library does the work; commands parse options, call it, format the result
and turn library errors into one-line messages with an exit code
(2 configuration, 3 store, 4 nothing could be fetched).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import click

from aggregator import __version__, defaults
from aggregator.config import OutletConfig, load_config
from aggregator.errors import AggregatorError
from aggregator.export import FORMATS, write_jsonl
from aggregator.queries import StoryFilter, iter_story_records, load_stories, load_story, reposts_of
from aggregator.store import ArticleRow, Store, StoryRow

EXIT_NOTHING_FETCHED = 4

config_option = click.option(
    "--config",
    "config_path",
    envvar="AGGREGATOR_CONFIG",
    default=defaults.AGGREGATOR_CONFIG,
    show_default=True,
    help="Outlet configuration file (env AGGREGATOR_CONFIG).",
)
db_option = click.option(
    "--db",
    "db_url",
    envvar="AGGREGATOR_DB",
    default=defaults.AGGREGATOR_DB,
    show_default=True,
    help="Store database URL (env AGGREGATOR_DB).",
)


class AggregatorGroup(click.Group):
    """Turns library errors into a one-line message and the error's exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AggregatorError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=AggregatorGroup)
@click.version_option(__version__, prog_name="aggregator")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
def main(verbose: int) -> None:
    """Crawl the outlets you follow, keep the article, and tell which pages are one story.

    \b
    aggregator crawl                  crawl every enabled outlet
    aggregator stories                list stories with their reposts
    aggregator export --format jsonl  one story per line, reposts attached
    aggregator demo                   crawl the bundled offline demo site
    """
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    handler = logging.StreamHandler()
    # On the handler, not only the root logger: Scrapy sets its own loggers to DEBUG.
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    if verbose < 2:
        handler.addFilter(_one_line_errors)
    logging.root.addHandler(handler)
    logging.root.setLevel(level)


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
    stats = _run_crawl([o.key for o in selected], config_path, db_url)
    _print_crawl_summary(stats, sys.stdout)
    if not stats.get("response_received_count"):
        click.echo("error: no page could be fetched (see the errors above)", err=True)
        sys.exit(EXIT_NOTHING_FETCHED)


@main.command()
@db_option
@click.option(
    "--since", type=click.DateTime(), help="Stories first published on or after this date."
)
@click.option("--until", type=click.DateTime(), help="Stories first published before this date.")
@click.option("--outlet", help="Stories with an article from this outlet (key).")
@click.option("--search", help="Words in the canonical title or text.")
@click.option(
    "--min-reposts", type=click.IntRange(min=0), default=0, help="At least this many reposts."
)
@click.option("--limit", type=click.IntRange(min=1), help="At most this many stories.")
def stories(db_url: str, **filters: Any) -> None:
    """List stories, newest first, each with its reposts.

    \b
    Example:
      aggregator stories --since 2012-10-01 --min-reposts 1
    """
    with Store(db_url) as store, store.session() as session:
        rows = load_stories(session, _story_filter(**filters))
        if not rows:
            click.echo("no stories")
            return
        for story in rows:
            _print_story_line(story)


@main.command()
@click.argument("story_id", type=int)
@db_option
def show(story_id: int, db_url: str) -> None:
    """Show one story: its canonical article, why it was chosen, and every repost.

    \b
    Example:
      aggregator show 1
    """
    with Store(db_url) as store, store.session() as session:
        story = load_story(session, story_id)
        if story is None:
            raise click.ClickException(f"no story with id {story_id}")
        canonical = story.canonical
        click.echo(f"Story {story.id}: {story.title}")
        click.echo(f"  canonical ({story.canonical_reason}):")
        _print_article(canonical, indent="    ")
        for repost in reposts_of(story):
            click.echo(
                f"  {repost.role}: similarity {repost.similarity:.2f}, "
                f"containment {repost.containment:.2f}"
            )
            _print_article(repost, indent="    ")


@main.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help="File to write (stdout when omitted).",
)
@click.option("--since", type=click.DateTime())
@click.option("--until", type=click.DateTime())
@click.option("--outlet")
@click.option("--search")
@click.option("--min-reposts", type=click.IntRange(min=0), default=0)
@click.option("--limit", type=click.IntRange(min=1))
def export(db_url: str, fmt: str, output: str | None, **filters: Any) -> None:
    """Export stories, one record per story with its reposts attached.

    \b
    Example:
      aggregator export --format jsonl --output stories.jsonl
    """
    with Store(db_url) as store, store.session() as session, _open_output(output) as out:
        count = write_jsonl(iter_story_records(session, _story_filter(**filters)), out)
    if output:
        click.echo(f"wrote {count} stories to {output}", err=True)


@main.command()
@config_option
def outlets(config_path: str) -> None:
    """List the configured outlets.

    \b
    Example:
      aggregator outlets --config data/outlets.toml
    """
    config = load_config(config_path)
    _print_outlets(config)


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
        stats = _run_crawl(list(DEMO_OUTLETS), config_path, db_url)
    _print_crawl_summary(stats, sys.stdout)
    click.echo("")
    with Store(db_url) as store, store.session() as session:
        for story in load_stories(session, StoryFilter()):
            _print_story_line(story)
    click.echo(f"\nexplore: aggregator stories --db {db_url}")


def _one_line_errors(record: logging.LogRecord) -> bool:
    """Log records keep their message but lose the traceback (shown with -vv)."""
    record.exc_info = None
    record.exc_text = None
    return True


def _run_crawl(keys: list[str], config_path: str, db_url: str) -> dict[str, Any]:
    from spiders.runner import run_crawl  # Scrapy is imported only for crawls

    level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
    return run_crawl(keys, config_path, db_url, log_level=level)


def _story_filter(**filters: Any) -> StoryFilter:
    for name in ("since", "until"):
        value: datetime | None = filters.get(name)
        if value is not None and value.tzinfo is None:
            filters[name] = value.astimezone()
    return StoryFilter(**filters)


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


def _remove_sqlite_store(db_url: str) -> None:
    prefix = "sqlite:///"
    if db_url.startswith(prefix):
        for suffix in ("", "-wal", "-shm"):
            Path(db_url.removeprefix(prefix) + suffix).unlink(missing_ok=True)


def _print_crawl_summary(stats: dict[str, Any], out: TextIO) -> None:
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


def _print_story_line(story: StoryRow) -> None:
    width = shutil.get_terminal_size((100, 20)).columns
    canonical = story.canonical
    date = _date(canonical.published)
    line = f"#{story.id:<4} {date}  {canonical.outlet.name}: {story.title}"
    click.echo(line[:width])
    for repost in reposts_of(story):
        credit = f"  [{repost.attribution_text}]" if repost.attribution_text else ""
        detail = (
            f"      └ {repost.role} {_date(repost.published)}  {repost.outlet.name}  "
            f"containment {repost.containment:.2f}{credit}"
        )
        click.echo(detail[:width])


def _print_article(article: ArticleRow, indent: str) -> None:
    click.echo(
        f"{indent}{article.outlet.name} · {_date(article.published)} · {article.title or '(untitled)'}"
    )
    click.echo(f"{indent}{article.url}")
    if article.author:
        click.echo(f"{indent}by {article.author}")
    if article.attribution_text:
        click.echo(f"{indent}credit line: {article.attribution_text}")


def _print_outlets(config: OutletConfig) -> None:
    for key in config.keys:
        outlet = config.outlets.get(key)
        if outlet is None:
            click.echo(f"{key:<12} (needs {config.unresolved[key][1]})")
            continue
        state = "" if outlet.enabled else "  (crawled only when named)"
        click.echo(f"{key:<12} {outlet.name:<32} {outlet.url}{state}")


def _date(value: datetime | None) -> str:
    return value.date().isoformat() if value else "undated   "
