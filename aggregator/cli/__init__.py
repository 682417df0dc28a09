"""The ``aggregator`` command line: one module per command family, all on one click group."""

from __future__ import annotations

import aggregator.cli.state  # noqa: F401  (issue 5: registers `aggregator state`)
from aggregator.cli import crawl, export, outlets, show, stories  # noqa: F401  (register commands)
from aggregator.cli.base import main

__all__ = ["main"]
