"""Every value is checked (issue 11, findings 12, 13 and 14): one line, an exit code, no harm.

A careless operator's values: ``delay = inf`` in the config, ``--set NAME=abc``,
``--until 9999-12-31``, a 20-digit story id, a mistyped ``--db``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregator.cli import main
from aggregator.store import Store
from tests.helpers import REPO
from tests.store.factory import fill_store


def one_line(result: object, code: int) -> str:
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == code, output  # type: ignore[attr-defined]
    assert "Traceback" not in output
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    return lines[0]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("delay = inf", "delay: delay must be a finite number, not inf"),
        ("delay = nan", "delay: delay must be a finite number, not nan"),
        ("delay = -inf", "delay: delay must be a finite number, not -inf"),
        ("delay = -1", "delay: delay must be 0 or more seconds"),
        ("delay = 86400", "delay: delay must be at most 3,600"),
        ("concurrency = 100000", "concurrency: concurrency must be at most 64"),
        ("max_pages = 99999999999", "max_pages: max_pages must be at most 10,000,000"),
        ("offsite = 1", "offsite: offsite must be true or false, not int"),
    ],
)
def test_outlets_check_refuses_numbers_out_of_bounds(
    tmp_path: Path, setting: str, message: str
) -> None:
    config = tmp_path / "outlets.toml"
    config.write_text(f'[outlets.a]\nurl = "http://a.test/"\n{setting}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["outlets", "--config", str(config), "check"])
    assert result.exit_code == 2
    assert f"error: {config}:3: outlets.a.{message}" in result.output


@pytest.mark.slow  # runs `aggregator crawl` in a subprocess
@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("DOWNLOAD_TIMEOUT=abc", "--set DOWNLOAD_TIMEOUT=abc: expected a finite number"),
        ("DOWNLOAD_DELAY=NaN", "--set DOWNLOAD_DELAY=nan: expected a finite number"),
        ("DOWNLOAD_TIMEOUT=Infinity", "--set DOWNLOAD_TIMEOUT=inf: expected a finite number"),
        ("CONCURRENT_REQUESTS=-3", "--set CONCURRENT_REQUESTS=-3: expected 0 or more"),
        ("ROBOTSTXT_OBEY=perhaps", "--set ROBOTSTXT_OBEY=perhaps: expected true or false"),
        ("DOWNLOAD_TIMOUT=10", "--set DOWNLOAD_TIMOUT: no such setting"),
        ("ITEM_PIPELINES=[1]", "--set ITEM_PIPELINES=[1]: expected a JSON object"),
    ],
)
def test_a_bad_set_value_is_one_line_and_exit_2(tmp_path: Path, pair: str, message: str) -> None:
    config = tmp_path / "outlets.toml"
    config.write_text('[outlets.a]\nurl = "http://127.0.0.1:9/"\n', encoding="utf-8")
    store = tmp_path / "store.sqlite"
    result = subprocess.run(
        [sys.executable, "-m", "aggregator", "crawl", "--config", str(config),
         "--db", f"sqlite:///{store}", "--set", pair],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {message}"), result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert not store.exists(), "checked before the store is opened"


def test_a_lock_wait_that_is_not_finite_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["crawl", "--wait", "nan", "--db", "sqlite://"])
    assert "'nan' is not a finite number of seconds" in one_line(result, 2)


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with Store(url) as store:
        fill_store(store, stories=3)
    return url


def test_until_the_last_day_there_is_includes_everything(store_url: str) -> None:
    result = CliRunner().invoke(main, ["stories", "--db", store_url, "--until", "9999-12-31"])
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) >= 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "99999999999999999999"], "99999999999999999999 is not in the range 1<="),
        (["stories", "--limit", "1" + "0" * 19], "is not in the range 1<="),
        (["stories", "--min-reposts", "9" * 20], "is not in the range 0<="),
        (["stories", "--since", "0001-01-01T00:00:00+01:00"], "is out of range (dates from"),
        (["export", "--until", "10000-01-01"], "'10000-01-01' is not a date"),
    ],
)
def test_ids_counts_and_dates_out_of_range_are_one_line(
    store_url: str, args: list[str], message: str
) -> None:
    line = one_line(CliRunner().invoke(main, [*args, "--db", store_url]), 2)
    assert message in line


@pytest.mark.parametrize(
    "command",
    [
        ["stats"],
        ["stories"],
        ["show", "1"],
        ["export"],
        ["export", "--format", "csv", "-o", "-"],
        ["state", "show"],
        ["dedup"],
        ["serve"],
    ],
    ids=" ".join,
)
def test_read_commands_never_create_a_store(tmp_path: Path, command: list[str]) -> None:
    mistyped = tmp_path / "dta" / "aggregator.sqlite"
    line = one_line(CliRunner().invoke(main, [*command, "--db", f"sqlite:///{mistyped}"]), 3)
    assert line.startswith(f"error: no store at {mistyped}")
    assert not mistyped.parent.exists()


def test_an_empty_database_is_no_store_either(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    line = one_line(CliRunner().invoke(main, ["stories", "--db", f"sqlite:///{empty}"]), 3)
    assert line == (
        f"error: no store at sqlite:///{empty}: the database holds no aggregator store "
        "(a crawl creates one)"
    )
    assert empty.stat().st_size == 0
