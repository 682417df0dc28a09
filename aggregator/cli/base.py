"""The ``aggregator`` command group, its shared options and its error handling.

The library does the work; commands parse options, call it, format the result
and turn library errors into one-line messages with the exit code each error
class carries (the tree and its codes: ``aggregator.errors``). Click's own usage
errors get the same one-line ``error: ...`` form, so a cron log never holds a
usage screen or a traceback.
"""

from __future__ import annotations

import logging
import math
import os
import sys
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from aggregator import __version__, defaults
from aggregator.errors import AggregatorError, StoreError
from aggregator.terminal import terminal_text

# Counts and ids are SQL integers (64-bit): a larger one is a typo, told as a range error.
SQL_INT_MAX = 2**63 - 1


def sql_int(low: int) -> click.IntRange:
    """An integer option from ``low`` up to what the store can compare against."""
    return click.IntRange(min=low, max=SQL_INT_MAX)


class Seconds(click.ParamType):
    """Seconds as a finite number of 0 or more (``nan`` would wait forever)."""

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(seconds) or seconds < 0:
            self.fail(f"{value!r} is not a finite number of seconds, 0 or more", param, ctx)
        return seconds


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

# For `crawl`: how long to wait for another crawl of the same store (aggregator.store.crawl_lock).
lock_wait_option = click.option(
    "--wait",
    "lock_wait",
    type=Seconds(),
    default=0,
    envvar="AGGREGATOR_LOCK_WAIT",
    show_default=True,
    help="Seconds to wait while another crawl writes to the same store, then exit 5 "
    "(env AGGREGATOR_LOCK_WAIT).",
)


def echo(message: object = "", err: bool = False) -> None:
    """``click.echo`` for lines holding stored or fetched text (titles, URLs, credit lines):
    nothing in them reaches the terminal as an escape sequence (``aggregator.terminal``)."""
    click.echo(terminal_text(message), err=err)


class AggregatorGroup(click.Group):
    """Turns library and usage errors into a one-line message and the error's exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort):
            raise
        except AggregatorError as exc:
            echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx else ctx.command_path
            message = exc.format_message().rstrip(".")
            echo(f"error: {message} (see {command} --help)", err=True)
            ctx.exit(exc.exit_code)
        except click.ClickException as exc:
            echo(f"error: {exc.format_message()}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:
            # `aggregator export | head`: the reader left; stop quietly, as other tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(1)
        except SQLAlchemyError as exc:
            if ctx.params.get("verbose", 0) >= 2:
                raise
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            echo(f"error: the store failed: {reason}", err=True)
            ctx.exit(StoreError.exit_code)
        except Exception as exc:  # a bug: one line for the cron log, the traceback with -vv
            if ctx.params.get("verbose", 0) >= 2:
                raise
            message = str(exc).splitlines()[0] if str(exc) else ""
            echo(
                f"error: unexpected {type(exc).__name__}: {message} (run with -vv for the traceback)",
                err=True,
            )
            ctx.exit(1)


@click.group(cls=AggregatorGroup)
@click.version_option(__version__, prog_name="aggregator")
@click.option(
    "-v", "--verbose", count=True, help="More log output (-v info, -vv debug with tracebacks)."
)
def main(verbose: int) -> None:
    """Crawl the outlets you follow, keep the article, and tell which pages are one story.

    \b
    aggregator crawl                      crawl every enabled outlet
    aggregator stories --since 2012-10-01 list stories with their reposts
    aggregator show 2                     one story: its original and each repost
    aggregator report 2 -o story.html     how a story spread, as a page for the browser
    aggregator export --format csv -o s.csv   stories and reposts, to work with elsewhere
    aggregator stats                      what the store holds, the last crawl
    aggregator serve                      browse and query the store in Datasette
    aggregator db upgrade                 bring an older store's schema up to date
    aggregator db copy --from F --to URL  copy a SQLite store into PostgreSQL, ids kept
    aggregator demo                       crawl the bundled offline demo site

    \b
    The store is --db (env AGGREGATOR_DB): sqlite:///FILE or postgresql+psycopg://...
    Exit codes: 0 done, 1 error, 2 configuration or usage, 3 store, 4 nothing
    fetched, 5 another crawl is writing to the store, 6 some outlets fetched
    nothing, 130 interrupted (the next crawl resumes).
    """
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    handler = logging.StreamHandler()
    # On the handler, not only the root logger: Scrapy sets its own loggers to DEBUG.
    handler.setLevel(level)
    handler.setFormatter(_TerminalFormatter("%(levelname)s %(name)s: %(message)s"))
    if verbose < 2:
        handler.addFilter(_one_line_errors)
    logging.root.addHandler(handler)
    logging.root.setLevel(level)


class _TerminalFormatter(logging.Formatter):
    """Log lines quote URLs and messages from the web: printed without escape sequences."""

    def format(self, record: logging.LogRecord) -> str:
        return terminal_text(super().format(record), keep_newlines=True)


def _one_line_errors(record: logging.LogRecord) -> bool:
    """Log records keep their message but lose the traceback (shown with -vv)."""
    record.exc_info = None
    record.exc_text = None
    return True
