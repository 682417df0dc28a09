"""Exports write only regular files they create (issue 11, finding 3 and the CSV half of 11).

Run as root under cron, ``export -o`` used to replace whatever was at its path:
/dev/null became a regular file, a FIFO or a symlink was replaced, a planted
``OUT.partial`` symlink was followed, a 600-mode file came back 644. Here each
target is met: a device or FIFO is written into as it is, a symlink is refused
(exit 1, nothing touched), a regular file is replaced whole with its mode kept.
"""

from __future__ import annotations

import csv
import json
import os
import stat
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from aggregator.cli import main
from aggregator.store import Store
from tests.store.factory import fill_store

HOSTILE_TEXT = {
    1: '=HYPERLINK("http://evil.example/","click")',
    2: "@SUM(1+1)*cmd|' /C calc'!A0",
    3: "+1+1",
    4: "-2+3",
    5: "\tleading tab",
    6: "\rleading carriage return",
}


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with Store(url) as store:
        fill_store(store, stories=6, repost_every=2)
        with store.engine.begin() as connection:
            for story_id, value in HOSTILE_TEXT.items():
                connection.execute(
                    text("update stories set title = :v where id = :id"),
                    {"v": value, "id": story_id},
                )
                connection.execute(
                    text("update articles set author = :v where story_id = :id"),
                    {"v": value, "id": story_id},
                )
    return url


def export(store_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["export", "--db", store_url, *args])
    return result.exit_code, result.output


def test_dash_is_stdout(store_url: str, tmp_path: Path) -> None:
    code, output = export(store_url, "-o", "-")
    assert code == 0
    assert len([json.loads(line) for line in output.splitlines() if line.startswith("{")]) == 6
    assert not (tmp_path / "-").exists()


def test_a_new_file_gets_the_mode_the_umask_gives(store_url: str, tmp_path: Path) -> None:
    out = tmp_path / "stories.jsonl"
    code, output = export(store_url, "-o", str(out))
    assert code == 0, output
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    assert list(tmp_path.glob("*partial*")) == []


def test_a_replaced_file_keeps_its_mode_and_owner(store_url: str, tmp_path: Path) -> None:
    out = tmp_path / "stories.jsonl"
    out.write_text("the previous export\n", encoding="utf-8")
    out.chmod(0o600)
    if os.geteuid() == 0:
        os.chown(out, 12345, 12345)
    code, output = export(store_url, "-o", str(out))
    assert code == 0, output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    if os.geteuid() == 0:
        assert (out.stat().st_uid, out.stat().st_gid) == (12345, 12345)
    assert out.read_text(encoding="utf-8").count("\n") == 6


def test_a_symlink_is_refused_and_its_target_untouched(store_url: str, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    link = tmp_path / "stories.jsonl"
    link.symlink_to(victim)
    code, output = export(store_url, "-o", str(link))
    assert code == 1
    assert f"error: {link} is a symbolic link; not following it" in output
    assert link.is_symlink() and victim.read_text(encoding="utf-8") == "precious\n"


def test_a_planted_partial_symlink_is_never_followed(store_url: str, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    out = tmp_path / "stories.jsonl"
    for name in (f"{out.name}.partial", f".{out.name}.partial"):
        (tmp_path / name).symlink_to(victim)
    code, output = export(store_url, "-o", str(out))
    assert code == 0, output
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert stat.S_ISREG(out.lstat().st_mode)


def test_a_character_device_is_written_into_not_replaced(store_url: str, tmp_path: Path) -> None:
    """A /dev/null of our own (mknod needs root): the real one is never put at risk."""
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("mknod needs root")
    code, output = export(store_url, "-o", str(null), "--format", "csv")
    assert code == 0, output
    assert stat.S_ISCHR(null.lstat().st_mode), "still the device"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null", "store.sqlite"], "nothing beside"
    assert "note: reposts not written" in output


def test_a_fifo_is_written_into_not_replaced(store_url: str, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    code, output = export(store_url, "-o", str(fifo))
    reader.join(timeout=60)
    assert code == 0, output
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received and received[0].count(b"\n") == 6


def test_a_directory_is_refused(store_url: str, tmp_path: Path) -> None:
    code, output = export(store_url, "-o", str(tmp_path))
    assert code == 2
    assert "is a directory" in output


def test_csv_cells_a_spreadsheet_would_run_are_quoted(store_url: str, tmp_path: Path) -> None:
    out = tmp_path / "stories.csv"
    code, output = export(store_url, "--format", "csv", "-o", str(out))
    assert code == 0, output
    with out.open(newline="", encoding="utf-8") as f:
        stories = {int(r["story_id"]): r for r in csv.DictReader(f)}
    with (tmp_path / "stories.reposts.csv").open(newline="", encoding="utf-8") as f:
        reposts = list(csv.DictReader(f))
    quoted = {k: ("'" + v).replace("\r", "\n") for k, v in HOSTILE_TEXT.items()}
    for story_id, value in quoted.items():
        assert stories[story_id]["title"] == value
        assert stories[story_id]["author"] == value
    assert len(stories) == 6, "a carriage return never ends a row early"
    assert {r["author"] for r in reposts} <= set(quoted.values())
    assert reposts, "the repost rows are quoted too"
    assert stories[1]["story_id"] == "1", "numbers stay numbers"
