"""Nothing a page holds reaches the operator's terminal as an escape sequence (finding 11).

A stored title, author, credit line, outlet name and URL carry escape
sequences (window title, screen clear, hyperlink, 8-bit CSI, bidi override);
``stories``, ``show``, ``stats``, ``state show``, ``outlets`` and error
messages print the text without them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from aggregator.cli import main
from aggregator.store import Store
from tests.store.factory import fill_store

EVIL = "\x1b]0;owned\x07\x1b[2J\x1b]8;;http://evil.example/\x1b\\"
RUNS = ("\x1b", "\x07", "\x9b", "\u202e")


def _hostile(value: str) -> str:
    return f"{EVIL}{value}\x9b31m\u202e\x08"


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with Store(url) as store:
        fill_store(store, stories=3, repost_every=1, outlets=2)
        with store.engine.begin() as connection:
            run = connection.execute
            run(text("update stories set title = :v"), {"v": _hostile("Pyongyang report")})
            run(text("update articles set title = :v"), {"v": _hostile("Pyongyang report")})
            run(text("update articles set author = :v"), {"v": _hostile("Kim Writer")})
            run(text("update articles set attribution_text = :v"), {"v": _hostile("Source: CFR")})
            run(text("update outlets set name = :v"), {"v": _hostile("Border Notes")})
            run(
                text("insert into crawl_state (outlet, url, kind, found_via, status, first_seen, "
                     "detail) values ('o0', :u, 'page', 'link', 'dropped', '2024-01-01', :d)"),
                {"u": "http://o0.test/" + _hostile("x"), "d": _hostile("listing")},
            )  # fmt: skip
    return url


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), env={"COLUMNS": "300"})
    return result.output


def _assert_clean(output: str, *visible: str) -> None:
    for run in RUNS:
        assert run not in output, repr(output)
    for words in visible:
        assert words in output, output


def test_stories_prints_no_escape_sequences(store_url: str) -> None:
    output = cli("stories", "--db", store_url)
    _assert_clean(output, "Pyongyang report", "Border Notes", "[Source: CFR]")
    assert "owned" not in output, "the window title sequence is removed whole"
    assert "evil.example" not in output, "and the hidden link"


def test_show_prints_no_escape_sequences(store_url: str) -> None:
    _assert_clean(
        cli("show", "1", "--db", store_url), "Pyongyang report", "by Kim Writer", "Source: CFR"
    )


def test_stats_and_state_print_no_escape_sequences(store_url: str) -> None:
    _assert_clean(cli("stats", "--db", store_url), "articles")
    _assert_clean(cli("state", "show", "--db", store_url, "--outlet", "o0"), "listing")


def test_outlets_and_errors_print_no_escape_sequences(tmp_path: Path) -> None:
    config = tmp_path / "outlets.toml"
    config.write_text(
        '[outlets.a]\nurl = "http://a.test/"\nname = "\\u001b]0;owned\\u0007Alpha\\u001b[31m"\n',
        encoding="utf-8",
    )
    _assert_clean(cli("outlets", "--config", str(config)), "Alpha")
    error = cli("crawl", "--config", str(config), "--db", "sqlite://", "\x1b[2Jnope\x1b]0;t\x07")
    _assert_clean(error, "error: unknown outlet: nope")
