"""The CLI: every command has help with an example, and bad input gets one line and an exit code."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from aggregator.cli import main
from aggregator.store import Store
from aggregator.store.migrate import FIRST_REVISION, head_revision

from ..helpers import CONFIG
from ..store.schema import migrate


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def all_commands() -> list[list[str]]:
    """Every command path: top-level commands and the subcommands of groups (``db upgrade``)."""
    paths = []
    for name, command in sorted(main.commands.items()):
        paths.append([name])
        if isinstance(command, click.Group):
            paths += [[name, sub] for sub in sorted(command.commands)]
    return paths


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_every_command_has_help(runner: CliRunner, path: list[str]) -> None:
    result = runner.invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output or path == ["demo"], f"{path}: no example in its help"


def test_the_main_help_names_every_command(runner: CliRunner) -> None:
    output = runner.invoke(main, ["--help"]).output
    for name in main.commands:
        assert f"  {name} " in output


def test_outlets_lists_the_configuration(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["outlets", "--config", str(CONFIG)])
    assert result.exit_code == 0
    assert "Council on Foreign Relations" in result.output
    config = tmp_path / "outlets.toml"
    config.write_text('[outlets.later]\nurl = "https://later.example/"\nenabled = false\n')
    result = runner.invoke(main, ["outlets", "--config", str(config)])
    assert "later" in result.output and "crawled only when named" in result.output


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
    assert "unknown outlet: bbc; known outlets: cfr, htw, isn, nknews" in result.output


def one_line_error(result: Result, exit_code: int) -> str:
    """The error line, after checking it is the whole output, with the exit code, no traceback."""
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def test_a_bad_database_url_exits_3(runner: CliRunner) -> None:
    line = one_line_error(runner.invoke(main, ["stories", "--db", "mysql+nodriver://x/y"]), 3)
    assert line.startswith("error: cannot use database URL")
    line = one_line_error(runner.invoke(main, ["export", "--db", "not a url"]), 3)
    assert line.startswith("error: not a database URL: 'not a url'")


def test_a_store_from_a_newer_version_exits_3(runner: CliRunner, db_url: str) -> None:
    Store(db_url).close()
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as connection:
        connection.execute("update alembic_version set version_num = 'zz99'")
    for command in (["stories"], ["export"], ["stats"], ["db", "upgrade"]):
        line = one_line_error(runner.invoke(main, [*command, "--db", db_url]), 3)
        assert "written by a newer version of aggregator (schema zz99" in line


def test_an_empty_store_has_no_stories(runner: CliRunner, db_url: str) -> None:
    Store(db_url).close()
    assert runner.invoke(main, ["stories", "--db", db_url]).output == "no stories\n"
    assert runner.invoke(main, ["export", "--db", db_url]).output == ""
    assert runner.invoke(main, ["export", "--format", "json", "--db", db_url]).output == "[]\n"


def test_show_an_unknown_story(runner: CliRunner, db_url: str) -> None:
    Store(db_url).close()
    line = one_line_error(runner.invoke(main, ["show", "42", "--db", db_url]), 1)
    assert line == "error: no story with id 42"


def test_export_to_a_missing_directory(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    missing = tmp_path / "no" / "x.jsonl"
    Store(db_url).close()
    result = runner.invoke(main, ["export", "--db", db_url, "--output", str(missing)])
    assert one_line_error(result, 1) == f"error: output directory {missing.parent} does not exist"


def test_an_unknown_export_format(runner: CliRunner, db_url: str) -> None:
    line = one_line_error(runner.invoke(main, ["export", "--db", db_url, "--format", "xml"]), 2)
    assert "'xml' is not one of 'jsonl', 'json', 'csv', 'parquet'" in line
    assert line.endswith("(see main export --help)")


def test_reposts_output_is_for_csv_only(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    result = runner.invoke(
        main, ["export", "--db", db_url, "--reposts-output", str(tmp_path / "r.csv")]
    )
    assert "only CSV writes reposts to a file of their own" in one_line_error(result, 2)


@pytest.mark.parametrize("option", ["--since", "--until"])
def test_dates_that_do_not_parse(runner: CliRunner, db_url: str, option: str) -> None:
    for command in ("stories", "export"):
        result = runner.invoke(main, [command, "--db", db_url, option, "last tuesday"])
        assert f"Invalid value for '{option}': 'last tuesday' is not a date" in one_line_error(
            result, 2
        )


def test_an_outlet_the_store_does_not_have(runner: CliRunner, db_url: str) -> None:
    Store(db_url).close()
    line = one_line_error(runner.invoke(main, ["stories", "--db", db_url, "--outlet", "bbc"]), 2)
    assert "no outlet 'bbc' in the store; it has none yet" in line


def test_db_status_and_upgrade(runner: CliRunner, db_url: str) -> None:
    migrate(db_url, FIRST_REVISION)
    result = runner.invoke(main, ["db", "status", "--db", db_url])
    assert result.exit_code == 1
    assert result.output == (
        f"schema 0001, this version needs {head_revision()}: run `aggregator db upgrade`\n"
    )
    result = runner.invoke(main, ["db", "upgrade", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert result.output.endswith(f"schema upgraded from 0001 to {head_revision()}\n")
    assert runner.invoke(main, ["db", "status", "--db", db_url]).output == (
        f"schema {head_revision()}, up to date\n"
    )
    result = runner.invoke(main, ["db", "upgrade", "--db", db_url])
    assert result.output.endswith("already up to date\n")


def test_db_status_does_not_create_a_store(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite"
    result = runner.invoke(main, ["db", "status", "--db", f"sqlite:///{missing}"])
    assert one_line_error(result, 3) == f"error: no store at {missing}"
    assert not missing.exists()
