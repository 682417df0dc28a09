"""Roles, revisions, canonical choice and explanations, through the write path and the CLI."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest
from click.testing import CliRunner

from aggregator.cli import main
from aggregator.dedup import DedupConfig, cluster_stories
from aggregator.errors import ConfigError
from aggregator.store import ArticleRow, SignatureRow, Store, StoryRow
from aggregator.store.models import ArticleRevisionRow

from ..helpers import CFR_ORIGINAL, HTW_CFR_REPOST, HTW_ISN_REPOST, rows
from .support import CHROME, at, copy_of, demo_article, save

CONFIG = DedupConfig()


def test_a_full_copy_is_a_repost_and_a_part_an_excerpt(db_url: str) -> None:
    store = Store(db_url)
    cfr = demo_article(CFR_ORIGINAL)
    save(store, "cfr", cfr, 0)
    with_chrome = copy_of(cfr, "http://wire.test/full/", cfr.text + "\n" + "\n".join(CHROME))
    full = save(store, "wire", with_chrome, 1)
    part = save(store, "htw", demo_article(HTW_CFR_REPOST), 2)
    assert (full.role, part.role) == ("repost", "excerpt")
    with store.session() as session:
        story = session.get(StoryRow, full.story_id)
        assert story.canonical.url == cfr.url and story.article_count == 3
        assert session.get(ArticleRow, part.article_id).story_id == story.id


def test_an_update_is_a_revision_not_a_second_article(db_url: str) -> None:
    store = Store(db_url)
    cfr = demo_article(CFR_ORIGINAL)
    save(store, "cfr", cfr, 0)
    save(store, "htw", demo_article(HTW_CFR_REPOST), 1)
    corrected = dataclasses.replace(
        cfr,
        text=cfr.text.replace("forty-percent", "forty percent")
        + "\nUpdate: a figure was corrected.",
    )
    result = save(store, "cfr", corrected, 5)
    assert result.status == "updated" and result.revision == 1
    with store.session() as session:
        assert session.query(ArticleRow).count() == 2
        assert session.query(StoryRow).count() == 1, "never a duplicate of itself"
        (revision,) = session.query(ArticleRevisionRow).all()
        assert revision.text == cfr.text and revision.replaced_at == at(5)
        assert session.get(ArticleRow, result.article_id).text == corrected.text
    again = save(store, "cfr", corrected, 6)
    assert again.status == "unchanged"
    output = CliRunner().invoke(main, ["show", str(result.story_id), "--db", db_url]).output
    assert "update: text changed 2020-01-06" in output and "kept as revision 1" in output


def test_show_explains_the_story(db_url: str) -> None:
    store = Store(db_url)
    save(store, "htw", demo_article(HTW_CFR_REPOST), 0)
    result = save(store, "cfr", demo_article(CFR_ORIGINAL), 1)
    output = CliRunner().invoke(main, ["show", str(result.story_id), "--db", db_url]).output
    assert "canonical, chosen because: credited as the source by 1 repost" in output
    assert "Council on Foreign Relations · 2012-10-16" in output
    assert "excerpt: similarity 0.34, containment 1.00, carries 0.34 of the canonical" in output
    assert "Human Traffic Watch · 2012-10-20" in output
    assert "credit line: Source: Council on Foreign Relations" in output


def test_rebuild_applies_new_thresholds_and_keeps_story_ids(db_url: str) -> None:
    store = Store(db_url)
    save(store, "cfr", demo_article(CFR_ORIGINAL), 0)
    kept = save(store, "htw", demo_article(HTW_CFR_REPOST), 1).story_id
    save(store, "htw", demo_article(HTW_ISN_REPOST), 2)
    runner = CliRunner()
    strict = runner.invoke(main, ["dedup", "--rebuild", "--min-shared", "100000", "--db", db_url])
    assert strict.exit_code == 0 and "0 links, 3 stories (1 new)" in strict.output
    default = runner.invoke(main, ["dedup", "--rebuild", "--db", db_url])
    assert "1 links, 2 stories" in default.output
    with store.session() as session:
        assert session.get(StoryRow, kept).article_count == 2, "the story kept its canonical and id"
    assert "3 articles, 1 links, 2 stories" in runner.invoke(main, ["dedup", "--db", db_url]).output


def test_a_new_shingle_size_refreshes_fingerprints_from_the_texts(db_url: str) -> None:
    store = Store(db_url)
    save(store, "cfr", demo_article(CFR_ORIGINAL), 0)
    save(store, "htw", demo_article(HTW_CFR_REPOST), 1)
    runner = CliRunner()
    stale = runner.invoke(main, ["dedup", "--shingle-size", "4", "--db", db_url])
    assert "2 fingerprints use another shingle size" in stale.output
    rebuilt = runner.invoke(main, ["dedup", "--rebuild", "--shingle-size", "4", "--db", db_url])
    assert "1 links, 1 stories (0 new), 2 fingerprints refreshed" in rebuilt.output
    with store.session() as session:
        assert {row.shingle_size for row in session.query(SignatureRow)} == {4}


def test_the_original_is_canonical_even_when_it_arrives_last() -> None:
    cfr = demo_article(CFR_ORIGINAL)
    docs = [
        ("copy", cfr.text, at(400), "A Wire"),
        ("excerpt", demo_article(HTW_CFR_REPOST).text, at(300), "Human Traffic Watch"),
        ("original", cfr.text, cfr.published, "Council on Foreign Relations"),
    ]
    (story,) = cluster_stories(docs)
    assert story.canonical == "original" and story.reason == "earliest published"
    roles = {
        key: (role, link.jaccard, link.containment_of(key)) for key, role, link in story.members[1:]
    }
    assert roles["copy"] == ("repost", 1.0, 1.0)
    assert roles["excerpt"][0] == "excerpt" and roles["excerpt"][2] > 0.95


def test_settings_are_validated_with_exact_messages() -> None:
    with pytest.raises(ConfigError, match=r"dedup containment must be in \(0, 1\], got 1.5"):
        DedupConfig.from_settings({"AGGREGATOR_DEDUP_CONTAINMENT": "1.5"})
    with pytest.raises(
        ConfigError, match="setting AGGREGATOR_DEDUP_ANCHOR_RATE: 'x' is not a number"
    ):
        DedupConfig.from_settings({"AGGREGATOR_DEDUP_ANCHOR_RATE": "x"})
    assert DedupConfig.from_settings({"AGGREGATOR_DEDUP_MIN_SHARED": "40"}).min_shared == 40


def test_the_revisions_table_is_plain_sql(db_url: str) -> None:
    store = Store(db_url)
    cfr = demo_article(CFR_ORIGINAL)
    save(store, "cfr", cfr, 0)
    save(store, "cfr", dataclasses.replace(cfr, text=cfr.text + "\nCorrection appended."), 1)
    revisions = rows(
        db_url,
        "select a.url, r.revision, r.fetched_at, r.replaced_at from article_revisions r"
        " join articles a on a.id = r.article_id",
    )
    assert revisions == [(cfr.url, 1, "2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z")]


def test_fingerprints_of_an_older_format_are_recomputed_on_rebuild(db_url: str) -> None:
    store = Store(db_url)
    save(store, "cfr", demo_article(CFR_ORIGINAL), 0)
    save(store, "htw", demo_article(HTW_CFR_REPOST), 1)
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as connection:
        (blob,) = connection.execute("select fingerprint from signatures limit 1").fetchone()
        old = blob[:4] + b"\x01" + blob[5:]  # the version byte of the first format
        connection.execute(
            "update signatures set fingerprint = ? where fingerprint = ?", (old, blob)
        )
    result = CliRunner().invoke(main, ["dedup", "--rebuild", "--db", db_url])
    assert "1 links, 1 stories (0 new), 1 fingerprints refreshed" in result.output
