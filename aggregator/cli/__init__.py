"""The ``aggregator`` command line: one module per command family, all on one click group."""

from __future__ import annotations

from aggregator.cli import (  # noqa: F401  (register commands)
    cluster,
    crawl,
    db,
    dedup,
    export,
    outlets,
    report,
    serve,
    show,
    state,
    stats,
    stories,
)
from aggregator.cli.base import main

__all__ = ["main"]
