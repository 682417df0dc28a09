"""AGGREGATOR_* settings from the environment, merged at one named priority (issue 12, item 6).

The CLI merges them when it builds a crawl's settings (``spiders.runner``);
``scrapy crawl`` and Scrapyd get the same merge from this module's add-on
(``ADDONS`` in ``aggregator.settings``), which runs when the crawler process
is built, never at import. At ``ENVIRONMENT_PRIORITY`` the environment
overrides the project's values and loses to the command line (``aggregator
crawl --set``, ``scrapy crawl -s``); merging twice changes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from scrapy.settings import BaseSettings

from aggregator.defaults import from_environment

# Scrapy's "project" priority: the module's own values are set at it, and an equal
# priority replaces them; "cmdline" (40) stays above.
ENVIRONMENT_PRIORITY = "project"


def merge_environment(settings: BaseSettings, environ: Mapping[str, str] = os.environ) -> None:
    """Set the AGGREGATOR_* variables ``environ`` holds, typed like their defaults."""
    settings.setdict(from_environment(environ), priority=ENVIRONMENT_PRIORITY)


class EnvironmentAddon:
    """A Scrapy add-on: the environment merged before any crawler reads the settings."""

    @classmethod
    def update_pre_crawler_settings(cls, settings: BaseSettings) -> None:
        merge_environment(settings)
