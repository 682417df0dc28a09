"""Stories and exports on the crawled demo store: filters, table, four formats, bound parameters."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from sqlalchemy import event

from aggregator.cli import main
from aggregator.queries import StoryFilter, iter_stories
from aggregator.store import Store

from .support import CFR_PATH, HTW_PATH, DemoStore

pytestmark = pytest.mark.slow


def run(*args: str, columns: int = 200) -> str:
    result = CliRunner().invoke(main, list(args), env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.output


def story_ids(demo_store: DemoStore, *filters: str) -> list[int]:
    lines = run("export", "--db", demo_store.url, *filters).splitlines()
    return [json.loads(line)["story_id"] for line in lines]


def cfr_story_id(demo_store: DemoStore) -> int:
    records = map(json.loads, run("export", "--db", demo_store.url).splitlines())
    return next(r["story_id"] for r in records if r["canonical"]["url"].endswith(CFR_PATH))


def test_the_stories_table(demo_store: DemoStore) -> None:
    lines = run("stories", "--db", demo_store.url, "--min-reposts", "1").splitlines()
    assert lines[0].split() == ["ID", "FIRST", "REPOSTS", "ORIGINAL", "OUTLET", "TITLE"]
    row = lines[1].split()
    assert row[0] == str(cfr_story_id(demo_store))
    assert row[1:5] == ["2012-10-16", "1", "Council", "on"]
    assert lines[1].endswith("The Underground Railroad from North Korea to Freedom")
    assert lines[2].split()[:5] == ["└", "excerpt", "2012-10-20", "Human", "Traffic"]
    assert lines[2].endswith("[Source: Council on Foreign Relations]")
    assert len(lines) == 3


def test_the_table_fits_the_terminal(demo_store: DemoStore) -> None:
    lines = run("stories", "--db", demo_store.url, columns=60).splitlines()
    assert max(len(line) for line in lines) <= 60
    assert lines[1].endswith("…")


def test_stories_are_newest_first_and_undated_last(demo_store: DemoStore) -> None:
    records = [json.loads(line) for line in run("export", "--db", demo_store.url).splitlines()]
    dates = [r["first_published"] for r in records]
    dated = [d for d in dates if d is not None]
    assert dated == sorted(dated, reverse=True)
    assert dates[len(dated) :] == [None] * (len(dates) - len(dated))
    assert len(records) == 10


def test_date_filters_take_utc_days_and_until_includes_its_day(demo_store: DemoStore) -> None:
    cfr = cfr_story_id(demo_store)
    assert story_ids(demo_store, "--since", "2012-10-16", "--until", "2012-10-16") == [cfr]
    assert story_ids(demo_store, "--since", "2012-10-16T04:00:01Z", "--until", "2012-10-16") == []
    assert story_ids(demo_store, "--since", "2012-10-16T00:00:00-04:00", "--until", "2012-10-16") == [cfr]  # fmt: skip
    october = story_ids(demo_store, "--since", "2012-10-01", "--until", "2012-10-31")
    assert october == [cfr]


def test_outlet_search_and_repost_filters(demo_store: DemoStore) -> None:
    cfr = cfr_story_id(demo_store)
    assert story_ids(demo_store, "--outlet", "demo-cfr") == [cfr]
    assert cfr in story_ids(demo_store, "--outlet", "demo-htw"), "a story counts for its reposts"
    assert story_ids(demo_store, "--min-reposts", "1") == [cfr]
    assert story_ids(demo_store, "--min-reposts", "2") == []
    assert story_ids(demo_store, "--search", "Kirkpatrick COMPELLING") == [cfr]
    assert story_ids(demo_store, "--search", "railroad", "--outlet", "demo-rrm") == []
    assert len(story_ids(demo_store, "--limit", "3")) == 3


@pytest.mark.parametrize(
    "search", ['"unbalanced', "AND OR NOT", "NEAR(a b", "col:text", "*", "rail*road"]
)
def test_search_words_are_words_not_fts_syntax(demo_store: DemoStore, search: str) -> None:
    result = CliRunner().invoke(main, ["stories", "--db", demo_store.url, "--search", search])
    assert result.exit_code == 0, result.output


def test_filters_reach_the_database_as_bound_parameters(demo_store: DemoStore) -> None:
    hostile = "x' OR 1=1; DROP TABLE stories; --"
    statements: list[tuple[str, object]] = []
    with Store(demo_store.url) as store:
        event.listen(
            store.engine,
            "before_cursor_execute",
            lambda _c, _cur, sql, params, _ctx, _many: statements.append((sql, params)),
        )
        with store.session() as session:
            found = list(iter_stories(session, StoryFilter(outlet=hostile, search=hostile)))
    assert found == []
    assert statements and not [sql for sql, _ in statements if "DROP" in sql or "1=1" in sql]
    values = [value for _, params in statements for value in params]
    assert hostile in values, "the outlet key is a parameter"
    assert any(isinstance(v, str) and "DROP TABLE stories" in v for v in values), "and the search"
    assert len(story_ids(demo_store)) == 10


def test_keyset_pages_give_the_same_stories_as_one_page(demo_store: DemoStore) -> None:
    with Store(demo_store.url) as store, store.session() as session:
        whole = [s.id for s in iter_stories(session, StoryFilter(), page_size=500)]
        paged = [s.id for s in iter_stories(session, StoryFilter(), page_size=3)]
        limited = [s.id for s in iter_stories(session, StoryFilter(limit=7), page_size=2)]
    assert paged == whole and len(set(whole)) == 10
    assert limited == whole[:7]


def test_json_is_the_jsonl_records_as_one_array(demo_store: DemoStore) -> None:
    lines = [json.loads(line) for line in run("export", "--db", demo_store.url).splitlines()]
    assert json.loads(run("export", "--db", demo_store.url, "--format", "json")) == lines
    cfr = next(r for r in lines if r["canonical"]["url"].endswith(CFR_PATH))
    assert cfr["repost_count"] == 1 and cfr["first_published"] == "2012-10-16T04:00:00Z"
    assert cfr["last_published"] == "2012-10-20T18:53:05Z"
    assert cfr["canonical"]["date_source"] and cfr["canonical"]["word_count"] > 100
    assert "a call for action" in cfr["canonical"]["text"], "the full text"


def test_csv_writes_stories_and_a_linked_reposts_file(
    demo_store: DemoStore, tmp_path: Path
) -> None:
    output = tmp_path / "stories.csv"
    result = CliRunner().invoke(
        main, ["export", "--db", demo_store.url, "--format", "csv", "-o", str(output)]
    )
    assert result.exit_code == 0, result.output
    reposts_file = tmp_path / "stories.reposts.csv"
    assert f"wrote 10 stories to {output} and their reposts to {reposts_file}" in result.output
    stories = list(csv.DictReader(output.open(encoding="utf-8")))
    reposts = list(csv.DictReader(reposts_file.open(encoding="utf-8")))
    assert len(stories) == 10 and len(reposts) == 1
    (story,) = [s for s in stories if s["story_id"] == reposts[0]["story_id"]]
    assert story["url"].endswith(CFR_PATH) and story["author"] == "Scott A. Snyder"
    assert story["published"] == "2012-10-16T04:00:00Z" and len(story["text"]) > 1000
    assert reposts[0]["url"].endswith(HTW_PATH) and reposts[0]["role"] == "excerpt"
    assert reposts[0]["credited_outlet"] == "Council on Foreign Relations"
    assert not list(tmp_path.glob("*.partial"))


def test_csv_on_stdout_says_where_the_reposts_went(demo_store: DemoStore) -> None:
    result = CliRunner().invoke(main, ["export", "--db", demo_store.url, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 10
    assert "note: reposts not written (give --reposts-output FILE)" in result.stderr


def test_parquet_nests_reposts_with_typed_dates(demo_store: DemoStore, tmp_path: Path) -> None:
    output = tmp_path / "stories.parquet"
    run("export", "--db", demo_store.url, "--format", "parquet", "-o", str(output), "--min-reposts", "1")  # fmt: skip
    (record,) = pq.read_table(output).to_pylist()
    assert record["canonical"]["url"].endswith(CFR_PATH)
    assert record["canonical"]["published"].isoformat() == "2012-10-16T04:00:00+00:00"
    (repost,) = record["reposts"]
    assert repost["role"] == "excerpt" and repost["containment"] > 0.95
    assert repost["attribution"]["outlet"] == "Council on Foreign Relations"
