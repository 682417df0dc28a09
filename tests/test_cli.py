"""The CLI: every command has help with an example, and bad input gets one line and an exit code."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregator.cli import main

from .conftest import CONFIG


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help(runner: CliRunner, command: str) -> None:
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert main.commands[command].help, f"{command} has no help text"
    assert "Example" in result.output or command == "demo"


def test_outlets_lists_the_configuration(runner: CliRunner) -> None:
    result = runner.invoke(
        main,
        ["outlets", "--config", str(CONFIG)],
        env={"AGGREGATOR_DEMO_URL": "http://127.0.0.1:1"},
    )
    assert result.exit_code == 0
    assert "Council on Foreign Relations" in result.output
    assert "demo-htw" in result.output and "crawled only when named" in result.output


def test_a_broken_config_names_file_line_and_key(runner: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "outlets.toml"
    config.write_text('[outlets.a]\nurl = "https://a.example/"\ntimezone = "Nowhere/Land"\n')
    result = runner.invoke(main, ["crawl", "--config", str(config)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"error: {config}:3: outlets.a.timezone: unknown time zone 'Nowhere/Land' "
        "(use an IANA name such as 'America/New_York')"
    )


def test_an_unknown_outlet_lists_the_known_ones(runner: CliRunner, db_url: str) -> None:
    result = runner.invoke(main, ["crawl", "bbc", "--config", str(CONFIG), "--db", db_url])
    assert result.exit_code == 2
    assert (
        "unknown outlet: bbc; known outlets: cfr, demo-cfr, demo-htw, demo-rrm, htw, isn, nknews"
        in result.output
    )


def test_a_bad_database_url_exits_3(runner: CliRunner) -> None:
    result = runner.invoke(main, ["stories", "--db", "mysql+nodriver://x/y"])
    assert result.exit_code == 3
    assert result.output.startswith("error: cannot use database URL")
    assert "Traceback" not in result.output


def test_an_empty_store_has_no_stories(runner: CliRunner, db_url: str) -> None:
    assert runner.invoke(main, ["stories", "--db", db_url]).output == "no stories\n"
    assert runner.invoke(main, ["export", "--db", db_url]).output == ""


def test_show_an_unknown_story(runner: CliRunner, db_url: str) -> None:
    result = runner.invoke(main, ["show", "42", "--db", db_url])
    assert result.exit_code == 1
    assert "no story with id 42" in result.output


def test_export_to_a_missing_directory(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    result = runner.invoke(
        main, ["export", "--db", db_url, "--output", str(tmp_path / "no" / "x.jsonl")]
    )
    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_dates_that_do_not_parse(runner: CliRunner, db_url: str) -> None:
    result = runner.invoke(main, ["stories", "--db", db_url, "--since", "last tuesday"])
    assert result.exit_code == 2
    assert "'last tuesday' does not match the formats" in result.output
