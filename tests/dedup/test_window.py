"""The story writer's window (issue 15, item 3): with AGGREGATOR_DEDUP_WINDOW_DAYS set, the
writer indexes only the articles fetched in the last N days before the newest, at start and
while it runs, and gives back the memory of those that leave; articles are then compared
with the window's only. Unset (the default), every stored article is indexed, as before."""

from __future__ import annotations

import dataclasses
import random

import pytest
from click.testing import CliRunner

from aggregator.batches import ArticleWrite, BatchWriter
from aggregator.cli import main
from aggregator.dedup import DedupConfig, Matcher
from aggregator.dedup.signatures import StoredFingerprints, load_matcher, stored_fingerprints
from aggregator.dedup.window import Window
from aggregator.errors import ConfigError
from aggregator.store import ArticleRow, Store

from ..helpers import CFR_ORIGINAL, CONFIG, HTW_CFR_REPOST
from .support import CHROME, OUTLETS, THREE_MAKE_CHROME, at, demo_article, labelled_corpus

WEEK = DedupConfig(window_days=7)


def write(writer: BatchWriter, outlet: str, article, day: int) -> str:
    (stored,) = writer.apply([ArticleWrite(outlet, article, at(day))])
    return stored.status


def story_of(store: Store, url: str) -> int | None:
    with store.session() as session:
        return session.query(ArticleRow.story_id).filter(ArticleRow.url == url).scalar()


def test_at_start_the_writer_indexes_the_window_only(db_url: str) -> None:
    store = Store(db_url)
    corpus = labelled_corpus()
    writer = BatchWriter(store, OUTLETS, DedupConfig())
    for day, item in enumerate(corpus):  # one article a day
        write(writer, item.outlet, item.article, day)
    newest = len(corpus) - 1
    windowed = BatchWriter(store, OUTLETS, DedupConfig(window_days=3)).matcher
    expected = {item.article.url for day, item in enumerate(corpus) if day >= newest - 3}
    assert {item.article.url for item in corpus if item.article.url in windowed} == expected
    assert len(windowed) == 4
    unbounded = load_matcher(store, DedupConfig())  # the default: no window, every article
    assert DedupConfig().window_days == 0 and unbounded.window is None
    assert len(unbounded) == len(corpus)
    with store.session() as session:  # selected in SQL: the others are never read
        loader = StoredFingerprints(store, WEEK)
        found = [url for _, url, *_ in stored_fingerprints(session, loader, since=at(newest - 3))]
    assert set(found) == expected


def test_a_repost_inside_the_window_merges_with_its_original(db_url: str) -> None:
    store = Store(db_url)
    original, repost = demo_article(CFR_ORIGINAL), demo_article(HTW_CFR_REPOST)
    write(BatchWriter(store, OUTLETS, WEEK), "cfr", original, 0)
    writer = BatchWriter(store, OUTLETS, WEEK)  # a restarted writer: the original is in it
    write(writer, "blog", corpus_article("blog/link"), 5)
    write(writer, "htw", repost, 6)
    assert story_of(store, repost.url) == story_of(store, original.url)


@pytest.mark.parametrize("restarted", [False, True])
def test_a_repost_of_an_article_older_than_the_window_is_a_story_of_its_own(
    db_url: str, restarted: bool
) -> None:
    """Documented: articles outside the window are never candidates."""
    store = Store(db_url)
    original, repost = demo_article(CFR_ORIGINAL), demo_article(HTW_CFR_REPOST)
    writer = BatchWriter(store, OUTLETS, WEEK)
    write(writer, "cfr", original, 0)
    if restarted:
        writer = BatchWriter(store, OUTLETS, WEEK)
    write(writer, "htw", repost, 8)
    assert original.url not in writer.matcher
    assert story_of(store, repost.url) != story_of(store, original.url)
    unbounded = Store(db_url.replace("store.sqlite", "unbounded.sqlite"))
    writer = BatchWriter(unbounded, OUTLETS, DedupConfig())
    write(writer, "cfr", original, 0)
    write(writer, "htw", repost, 800)
    assert story_of(unbounded, repost.url) == story_of(unbounded, original.url), "no window"


def test_a_link_to_an_article_that_left_the_window_stands_when_the_repost_changes(
    db_url: str,
) -> None:
    """The repost is measured again against the window only; its stored link to the
    original, which it cannot be compared with any more, is kept with the story."""
    store = Store(db_url)
    original, repost = demo_article(CFR_ORIGINAL), demo_article(HTW_CFR_REPOST)
    writer = BatchWriter(store, OUTLETS, WEEK)
    write(writer, "cfr", original, 0)
    write(writer, "htw", repost, 5)
    story = story_of(store, original.url)
    assert story_of(store, repost.url) == story
    edited = dataclasses.replace(repost, text=repost.text + "\nUpdated: a typo fixed.")
    assert write(writer, "htw", edited, 9) == "updated"
    assert original.url not in writer.matcher
    assert story_of(store, repost.url) == story_of(store, original.url) == story


def test_an_article_that_leaves_the_window_is_forgotten_everywhere() -> None:
    matcher = Matcher(DedupConfig(), window=Window(days=2))
    original, repost = demo_article(CFR_ORIGINAL), demo_article(HTW_CFR_REPOST)
    fingerprint = matcher.fingerprint(original.text)
    matcher.ingest(original.url, "cfr", fingerprint, fetched=at(0))
    assert [link.b for link in matcher.ingest("copy", "htw", fingerprint, fetched=at(1))] == [
        original.url
    ]
    links = matcher.ingest(repost.url, "htw", matcher.fingerprint(repost.text), fetched=at(3))
    assert [link.b for link in links] == ["copy"], "the copy is in the window, not the original"
    assert original.url not in matcher and "copy" in matcher
    assert len(matcher.fingerprints) == 2 == len(matcher.window)
    assert original.url not in matcher.near_duplicates.query("x", matcher.sketch(fingerprint))


def test_forgetting_gives_the_memory_back_and_it_stays_flat() -> None:
    """2,400 articles over 24 days through a two-day window: the index holds three days'
    300 (start day included), and its memory at the end is what it was on day three."""
    days, per_day = 24, 100
    texts = shuffled_texts(days * per_day)
    windowed = Matcher(DedupConfig(), window=Window(days=2))
    unbounded = Matcher(DedupConfig())
    early = 0
    for number, text in enumerate(texts):
        day = number // per_day
        fingerprint = windowed.fingerprint(text)
        windowed.ingest(f"a{number}", f"outlet-{number % 7}", fingerprint, fetched=at(day))
        unbounded.ingest(f"a{number}", f"outlet-{number % 7}", fingerprint)
        if number == 3 * per_day - 1:
            early = windowed.index.nbytes
    assert len(windowed) == 3 * per_day == len(windowed.fingerprints) == len(windowed.window)
    assert len(windowed.near_duplicates.lsh.keys) == 3 * per_day
    assert windowed.index.nbytes < 1.5 * early
    assert windowed.index.nbytes < 0.25 * unbounded.index.nbytes
    last = texts[-1]  # still found: compaction kept every live article's postings
    assert [link.b for link in windowed.links(f"a{len(texts) - 1}")] == []
    (link,) = windowed.ingest("copy", "elsewhere", windowed.fingerprint(last), fetched=at(days))
    assert link.b == f"a{len(texts) - 1}"


def test_compacting_the_index_changes_no_answer() -> None:
    """Forgetting 400 of 500 articles compacts the index; the 100 left get the links,
    chrome and candidates an index of only them gives (copies and outlet chrome included)."""
    chrome = "\n".join(CHROME[:3])
    texts = shuffled_texts(250)
    articles = [(f"a{n}", f"o{n % 5}", f"{text}\n{chrome}") for n, text in enumerate(texts)]
    articles += [
        (f"c{n}", f"o{(n + 1) % 5}", f"A reader sent this.\n{text}") for n, text in enumerate(texts)
    ]
    kept = {key for number, (key, _, _) in enumerate(articles) if number % 5 == 0}
    every, only_kept = Matcher(THREE_MAKE_CHROME), Matcher(THREE_MAKE_CHROME)
    for key, outlet, text in articles:
        every.add(key, outlet, every.fingerprint(text))
        if key in kept:
            only_kept.add(key, outlet, only_kept.fingerprint(text))
    before = every.index.nbytes
    for key, _, _ in articles:
        if key not in kept:
            every.remove(key)
    assert every.index.nbytes < 0.4 * before
    assert any(every.links(key) for key in kept) and any(every.index.chrome(k) for k in kept)
    for key in sorted(kept):
        assert every.links(key) == only_kept.links(key)
        assert every.index.chrome(key) == only_kept.index.chrome(key)
        fingerprint = every.fingerprints.get(key)
        assert sorted(every.index.candidates(key, fingerprint)) == sorted(
            only_kept.index.candidates(key, fingerprint)
        )


def test_a_windowed_matcher_needs_fetch_dates() -> None:
    matcher = Matcher(DedupConfig(), window=Window(days=2))
    with pytest.raises(ValueError, match="fetch date"):
        matcher.add("a", "cfr", matcher.fingerprint(demo_article(CFR_ORIGINAL).text))


def test_a_bad_window_is_a_config_error_naming_it() -> None:
    with pytest.raises(ConfigError, match=r"window_days must be between 0 \(no window\) and"):
        DedupConfig(window_days=-1)
    with pytest.raises(ConfigError, match="AGGREGATOR_DEDUP_WINDOW_DAYS: 'a week'"):
        DedupConfig.from_settings({"AGGREGATOR_DEDUP_WINDOW_DAYS": "a week"})
    assert DedupConfig.from_settings({"AGGREGATOR_DEDUP_WINDOW_DAYS": "30"}).window_days == 30
    args = ["writer", "--config", str(CONFIG), "--redis", "redis://127.0.0.1:1/0"]
    result = CliRunner().invoke(main, [*args, "--window-days", "-3"])
    assert result.exit_code == ConfigError.exit_code
    assert "window_days must be between 0 (no window) and 36500, got -3" in result.output


def corpus_article(key: str):
    return next(item.article for item in labelled_corpus() if item.key == key)


def shuffled_texts(count: int, seed: int = 15) -> list[str]:
    """Distinct texts with real word statistics: the corpus's paragraphs, words shuffled."""
    paragraphs = [p for item in labelled_corpus() for p in item.article.text.split("\n")]
    paragraphs = [p.split() for p in paragraphs if len(p.split()) >= 30]
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        chosen = rng.sample(paragraphs, 3)
        texts.append("\n".join(" ".join(rng.sample(words, len(words))) for words in chosen))
    return texts
