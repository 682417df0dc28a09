"""``aggregator report``: the files it writes and its errors (issue 14, items 3 and 5)."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from ..helpers import RunCli
from ..store.support import DemoStore
from .support import HOSTILE_OUTLET, HOSTILE_PARAGRAPHS, HOSTILE_REPOSTER, HOSTILE_TITLE

pytestmark = pytest.mark.slow

TITLE = "The Underground Railroad from North Korea to Freedom"


def test_a_story_page_is_one_self_contained_file(
    demo_store: DemoStore, demo_story_id: int, tmp_path: Path, run_cli: RunCli
) -> None:
    out = tmp_path / "story.html"
    result = run_cli("report", str(demo_story_id), "--db", demo_store.url, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"wrote story {demo_story_id} to {out}\n"
    assert list(tmp_path.iterdir()) == [out]  # no .partial left behind
    page = lxml.html.fromstring(out.read_text(encoding="utf-8"))
    assert page.findtext(".//h1") == TITLE
    assert_self_contained(page)


def test_a_digest_covers_the_range_given(
    demo_store: DemoStore, tmp_path: Path, run_cli: RunCli
) -> None:
    out = tmp_path / "digest.html"
    result = run_cli(
        "report",
        "--since",
        "2012-10-01",
        "--until",
        "2012-10-31",
        "--db",
        demo_store.url,
        "-o",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    page = lxml.html.fromstring(out.read_text(encoding="utf-8"))
    assert page.findtext(".//h1") == "Stories first published 2012-10-01 to 2012-10-31"
    assert [a.text for a in page.cssselect("table.top td a")] == [TITLE]
    assert_self_contained(page)


def test_without_output_the_page_goes_to_stdout(
    demo_store: DemoStore, demo_story_id: int, run_cli: RunCli
) -> None:
    result = run_cli("report", str(demo_story_id), "--db", demo_store.url)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("<!DOCTYPE html>")


def test_a_story_that_does_not_exist_is_one_line_and_exit_1(
    demo_store: DemoStore, tmp_path: Path, run_cli: RunCli
) -> None:
    out = tmp_path / "story.html"
    result = run_cli("report", "999999", "--db", demo_store.url, "-o", str(out))
    assert (result.returncode, result.stderr) == (1, "error: no story with id 999999\n")
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_mistyped_store_path_is_exit_3_and_creates_nothing(
    tmp_path: Path, run_cli: RunCli
) -> None:
    missing = tmp_path / "typo" / "store.sqlite"
    result = run_cli("report", "1", "--db", f"sqlite:///{missing}")
    assert result.returncode == 3
    assert result.stderr.startswith(f"error: no store at {missing} ")
    assert not missing.parent.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give a STORY_ID for a story page, or --since DATE for a digest"),
        (("1", "--since", "2012-10-01"), "give a STORY_ID or a date range (--since/--until), not both"),
        (("--since", "2012-10-31", "--until", "2012-10-01"), "Invalid value for '--until': must be after --since"),
        (("--since", "October"), "Invalid value for '--since': 'October' is not a date"),
        (("99999999999999999999",), "Invalid value for '[STORY_ID]': 99999999999999999999 is not in the range 1<=x<=9223372036854775807"),
    ],
)  # fmt: skip
def test_usage_errors_are_one_line_and_exit_2(
    demo_store: DemoStore, args: tuple[str, ...], message: str, run_cli: RunCli
) -> None:
    result = run_cli("report", *args, "--db", demo_store.url)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {message}") and result.stderr.count("\n") == 1


def test_an_output_directory_that_does_not_exist_is_an_error(
    demo_store: DemoStore, demo_story_id: int, tmp_path: Path, run_cli: RunCli
) -> None:
    result = run_cli(
        "report", str(demo_story_id), "--db", demo_store.url, "-o", str(tmp_path / "no" / "x")
    )
    assert result.returncode == 1
    assert result.stderr == f"error: output directory {tmp_path / 'no'} does not exist\n"


@pytest.mark.parametrize("args", [("1",), ("--since", "2012-01-01")])
def test_hostile_values_are_text_never_markup(
    hostile_store: str, tmp_path: Path, args: tuple[str, ...], run_cli: RunCli
) -> None:
    out = tmp_path / "page.html"
    result = run_cli("report", *args, "--db", hostile_store, "-o", str(out))
    assert result.returncode == 0, result.stderr
    page = lxml.html.fromstring(out.read_text(encoding="utf-8"))
    assert_self_contained(page)
    text = page.text_content()
    for value in (HOSTILE_TITLE, HOSTILE_OUTLET, HOSTILE_REPOSTER):
        assert value in text
    if args == ("1",):
        assert page.findtext(".//h1") == HOSTILE_TITLE
        assert HOSTILE_PARAGRAPHS[0] in text  # the text as printed, tags and all
        assert "Source: <a href=\"javascript:alert('credit')\">Evil</a>" in text


def assert_self_contained(page: lxml.html.HtmlElement) -> None:
    """No element that runs or fetches anything, and links only to http(s) or this page."""
    assert page.cssselect("script, iframe, img, object, embed, link, foreignObject") == []
    assert [
        (element.tag, name)
        for element in page.iter()
        if isinstance(element.tag, str)
        for name in element.attrib
        if name.startswith("on") or name in ("src", "srcdoc")
    ] == []
    hrefs = [a.get("href") for a in page.iter("a") if a.get("href") is not None]
    assert all(h.startswith(("http://", "https://", "#")) for h in hrefs), hrefs
    policy = page.cssselect('meta[http-equiv="Content-Security-Policy"]')[0].get("content")
    assert policy.startswith("default-src 'none'")
    assert "@import" not in page.findtext(".//style") and "url(" not in page.findtext(".//style")
