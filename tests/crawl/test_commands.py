"""The crawl-side commands: `outlets check`, exit codes a cron job can act on, progress text."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregator.cli import main
from aggregator.cli.crawl import fetch_failure, progress_text
from tests.sites.generated import Server, WordPressSite

from .support import crawl, write_config


def test_outlets_check_reports_every_error_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "outlets.toml"
    path.write_text(
        '[outlets.a]\nurl = "ftp://a.example/"\nfeedz = []\n\n[outlets.b]\nurl = "https://b.example/"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["outlets", "--config", str(path), "check"])
    assert result.exit_code == 2
    assert f"error: {path}:3: outlets.a.feedz: unknown setting 'feedz'" in result.output
    assert f"error: {path}:2: outlets.a.url: 'ftp://a.example/' is not an absolute" in result.output
    good = tmp_path / "good.toml"
    good.write_text('[outlets.b]\nurl = "https://b.example/"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["outlets", "--config", str(good), "check"])
    assert result.exit_code == 0 and "1 outlets, no errors" in result.output


def test_exit_codes() -> None:
    fetched = {"response_received_count": 3, "aggregator/outlet/a/pages": 3}
    assert fetch_failure({**fetched, "finish_reason": "finished"}, ["a"]) is None
    nothing = fetch_failure({"finish_reason": "finished"}, ["a"])
    assert nothing is not None and nothing.exit_code == 4
    assert str(nothing) == "no page could be fetched (see the errors above)"
    silent = fetch_failure({**fetched, "finish_reason": "finished"}, ["a", "b"])
    assert silent is not None and silent.exit_code == 6
    assert str(silent) == "nothing could be fetched from b"


def test_progress_text_counts_pages_articles_stories_drops_and_errors() -> None:
    stats = {
        "response_received_count": 12,
        "aggregator/articles/new": 4,
        "aggregator/stories/new": 3,
        "aggregator/dropped/listing": 5,
        "aggregator/dropped/too_short": 1,
        "aggregator/errors/timeout": 2,
    }
    assert progress_text(stats) == (
        "pages 12 · articles 4 new · stories 3 new · dropped 6 · errors 2"
    )


@pytest.mark.slow
@pytest.mark.e2e
def test_an_outlet_that_fetches_nothing_exits_6(tmp_path: Path) -> None:
    with Server(WordPressSite(count=2)) as server:
        config = write_config(
            tmp_path / "outlets.toml",
            wp={"url": f"{server.url}/wp/", "platform": "wordpress"},
            down={"url": "http://127.0.0.1:9/news/"},
        )
        result = crawl(config, f"sqlite:///{tmp_path / 's.sqlite'}", "wp", "down")
    assert result.returncode == 6, result.stderr
    assert "nothing could be fetched from down" in result.stderr
    assert "articles new 2" in result.stdout
    assert "Traceback" not in result.stderr
