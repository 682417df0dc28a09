"""``aggregator serve`` shows the story pages and the digest inside Datasette (issue 14, item 3)."""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request

import lxml.html
import pytest

from ..store.support import DemoStore

pytestmark = pytest.mark.slow

TITLE = "The Underground Railroad from North Korea to Freedom"


def get(url: str) -> tuple[int, str, str]:
    """Status, content type and body of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.headers["content-type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["content-type"], error.read().decode()


def test_a_story_page_is_served_like_the_file(served: str, demo_story_id: int) -> None:
    status, kind, body = get(f"{served}/-/story/{demo_story_id}")
    assert (status, kind) == (200, "text/html; charset=utf-8")
    page = lxml.html.fromstring(body)
    assert page.findtext(".//h1") == TITLE
    assert [a.get("href") for a in page.cssselect("nav.crumbs a")] == [
        "/demo/story_overview",
        "/-/digest",
    ]
    assert len(page.cssselect("section.repost mark")) > 0


def test_a_missing_story_is_a_404_with_one_line(served: str) -> None:
    assert get(f"{served}/-/story/999999")[::2] == (404, "no story with id 999999")


def test_the_digest_defaults_to_the_newest_month_and_reads_dates_like_the_cli(
    served: str, demo_store: DemoStore
) -> None:
    with sqlite3.connect(demo_store.path) as connection:
        (newest,) = connection.execute("select max(first_published) from stories").fetchone()
    status, _, body = get(f"{served}/-/digest")
    assert status == 200
    assert (
        lxml.html.fromstring(body)
        .findtext(".//h1")
        .startswith(f"Stories first published {newest[:7]}-01 to {newest[:7]}-")
    )
    status, _, body = get(f"{served}/-/digest?since=2012-10-01&until=2012-10-31")
    page = lxml.html.fromstring(body)
    assert page.findtext(".//h1") == "Stories first published 2012-10-01 to 2012-10-31"
    assert [a.text for a in page.cssselect("table.top td a")] == [TITLE]
    assert page.cssselect("table.top td a")[0].get("href").startswith("/-/story/")
    assert get(f"{served}/-/digest?since=October")[:1] == (400,)
    assert get(f"{served}/-/digest?since=2012-10-31&until=2012-10-01")[::2] == (
        400,
        "Invalid value for 'until': must be after since",
    )


@pytest.mark.parametrize(
    ("table", "column"),
    [("story_overview", "story_id"), ("reposts", "story_id"), ("stories", "id")],
)
def test_story_rows_link_to_their_pages(served: str, table: str, column: str) -> None:
    _, _, body = get(f"{served}/demo/{table}?_size=max")
    links = {a.get("href") for a in lxml.html.fromstring(body).cssselect("td a")}
    _, _, data = get(f"{served}/demo/{table}.json?_shape=array&_size=max")
    ids = {row[column] for row in json.loads(data)}
    assert ids and {f"/-/story/{story_id}" for story_id in ids} <= links


def test_the_json_api_is_unchanged(served: str, demo_store: DemoStore) -> None:
    _, _, data = get(f"{served}/demo/story_overview.json?_shape=array&_size=max")
    with sqlite3.connect(demo_store.path) as connection:
        stored = connection.execute("select story_id, title from story_overview").fetchall()
    assert sorted((row["story_id"], row["title"]) for row in json.loads(data)) == sorted(stored)


def test_the_menu_offers_the_digest(served: str) -> None:
    _, _, body = get(f"{served}/demo")
    assert "/-/digest" in {a.get("href") for a in lxml.html.fromstring(body).iter("a")}
