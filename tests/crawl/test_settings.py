"""A crawl's settings: the environment merged at a named priority, one checked CrawlConfig
(issue 12, item 6)."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.crawler import CrawlerRunner
from scrapy.settings import Settings

import aggregator.settings
from aggregator.crawlconfig import CrawlConfig
from aggregator.errors import ConfigError
from spiders.environment import merge_environment
from spiders.runner import crawl_settings
from tests.helpers import REPO
from tests.sites.feeds import FeedSite
from tests.sites.generated import Server

from .support import write_config


def project() -> Settings:
    settings = Settings()
    settings.setmodule("aggregator.settings", priority="project")
    return settings


def test_importing_the_settings_reads_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGGREGATOR_CRAWL_MAX_FEED_PAGES", "7")
    module = importlib.reload(aggregator.settings)
    assert module.AGGREGATOR_CRAWL_MAX_FEED_PAGES == 50
    assert project().getint("AGGREGATOR_CRAWL_MAX_FEED_PAGES") == 50


def test_the_environment_beats_the_project_and_loses_to_the_command_line() -> None:
    settings = project()
    settings.set("AGGREGATOR_CRAWL_MAX_API_PAGES", 9, priority="cmdline")
    environ = {"AGGREGATOR_CRAWL_MAX_FEED_PAGES": "7", "AGGREGATOR_CRAWL_MAX_API_PAGES": "3"}
    merge_environment(settings, environ)
    merge_environment(settings, environ)  # twice changes nothing
    assert settings.getint("AGGREGATOR_CRAWL_MAX_FEED_PAGES") == 7
    assert settings.getpriority("AGGREGATOR_CRAWL_MAX_FEED_PAGES") == 20  # "project"
    assert settings.getint("AGGREGATOR_CRAWL_MAX_API_PAGES") == 9


def test_scrapy_crawl_gets_the_environment_from_the_add_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGGREGATOR_CRAWL_SITEMAP_DEPTH", "1")
    runner = CrawlerRunner(project())  # as `scrapy crawl` and Scrapyd build theirs
    assert runner.settings.getint("AGGREGATOR_CRAWL_SITEMAP_DEPTH") == 1


def test_the_cli_builds_one_checked_crawl_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGGREGATOR_CRAWL_MAX_SITEMAPS", "12")
    settings, config = crawl_settings(
        "o.toml", "sqlite:///s.sqlite", refresh=True, overrides={"AGGREGATOR_CRAWL_API_PER_PAGE": 5}
    )
    assert config == CrawlConfig(
        config="o.toml", db="sqlite:///s.sqlite", refresh=True, api_per_page=5, max_sitemaps=12
    )
    assert settings.getint("AGGREGATOR_CRAWL_MAX_SITEMAPS") == 12
    monkeypatch.setenv("AGGREGATOR_CRAWL_MAX_SITEMAPS", "-1")
    with pytest.raises(ConfigError, match="AGGREGATOR_CRAWL_MAX_SITEMAPS must be at least 0"):
        crawl_settings("o.toml", "sqlite:///s.sqlite")


@pytest.mark.slow  # runs `aggregator crawl` in a subprocess
@pytest.mark.parametrize(
    ("pair", "variable", "message"),
    [
        (
            "AGGREGATOR_CRAWL_API_PER_PAGE=500",
            None,
            "setting AGGREGATOR_CRAWL_API_PER_PAGE must be between 1 and 100",
        ),
        (
            None,
            "AGGREGATOR_CRAWL_SOURCES_WAIT=soon",
            "environment variable AGGREGATOR_CRAWL_SOURCES_WAIT",
        ),
        (None, "AGGREGATOR_DEDUP_NUM_PERM=3", "dedup num_perm must be between 16 and 1024"),
    ],
)
def test_a_bad_crawl_value_is_one_line_and_exit_2(
    tmp_path: Path, pair: str | None, variable: str | None, message: str
) -> None:
    config = tmp_path / "outlets.toml"
    config.write_text('[outlets.a]\nurl = "http://127.0.0.1:9/"\n', encoding="utf-8")
    store = tmp_path / "store.sqlite"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    if variable:
        name, _, value = variable.partition("=")
        env[name] = value
    result = subprocess.run(
        [sys.executable, "-m", "aggregator", "crawl", "--config", str(config),
         "--db", f"sqlite:///{store}", *(("--set", pair) if pair else ())],
        capture_output=True, text=True, cwd=REPO, timeout=120, env=env,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {message}"), result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert not store.exists(), "checked before the store is opened"


PROGRESS_CRAWL = """
import json, sys
from spiders.runner import crawl_settings, run_crawl
calls = []
settings, config = crawl_settings(sys.argv[1], sys.argv[2], "ERROR")
run_crawl(["jsonblog"], settings, config, lambda stats, final: calls.append((final, stats)))
print(json.dumps({"finals": [f for f, _ in calls if f], "pages": calls[-1][1].get("response_received_count")}))
"""


@pytest.mark.slow  # crawls over HTTP in a subprocess
def test_progress_is_called_without_passing_through_the_settings(tmp_path: Path) -> None:
    with Server(FeedSite()) as server:
        config = write_config(tmp_path / "outlets.toml", jsonblog={"url": f"{server.url}/json/"})
        db = f"sqlite:///{tmp_path / 'store.sqlite'}"
        result = subprocess.run(
            [sys.executable, "-c", PROGRESS_CRAWL, str(config), db],
            capture_output=True, text=True, cwd=REPO, timeout=240,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.splitlines()[-1])
    assert outcome["finals"] == [True], "called once at the end"
    assert outcome["pages"] >= 5
