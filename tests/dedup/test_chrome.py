"""Chrome the extractor missed: short posts are not "contained" in everything from their
site, and the links of earlier posts are re-verified once a paragraph becomes chrome."""

from __future__ import annotations

from aggregator.dedup import DedupConfig, Matcher, cluster

from .support import CHROME, ESCAPE, THREE_MAKE_CHROME, WORST, demo_article


def post(title: str) -> str:
    return "\n".join([title, *CHROME])


def test_a_paragraph_becoming_chrome_re_verifies_the_earlier_posts() -> None:
    matcher = Matcher(THREE_MAKE_CHROME)
    first = matcher.ingest("blog/1", "blog", matcher.fingerprint(post(demo_article(WORST).title)))
    second = matcher.ingest("blog/2", "blog", matcher.fingerprint(post(demo_article(ESCAPE).title)))
    assert first == [] and [link.b for link in second] == ["blog/1"], (
        "two posts that are mostly the same comment form look like copies of each other"
    )
    third = matcher.ingest(
        "blog/3", "blog", matcher.fingerprint(post("A third short post, on refugees in Laos."))
    )
    assert third == []
    assert third.relinked == {"blog/1": [], "blog/2": []}, "the false link is withdrawn"
    assert matcher.links("blog/2") == []


def test_chrome_is_per_outlet() -> None:
    stories = cluster(
        [
            ("a/1", post(demo_article(WORST).title), None, "a"),
            ("a/2", post(demo_article(ESCAPE).title), None, "a"),
            ("a/3", post("A third short post, on refugees in Laos."), None, "a"),
            ("b/1", post("A post on another blog with the same comment form."), None, "b"),
        ],
        THREE_MAKE_CHROME,
    )
    assert len(stories) == 4


def test_removing_an_article_can_turn_chrome_back_into_text() -> None:
    matcher = Matcher(THREE_MAKE_CHROME)
    for number, title in enumerate((demo_article(WORST).title, demo_article(ESCAPE).title, "Laos")):
        matcher.ingest(f"blog/{number}", "blog", matcher.fingerprint(post(title)))
    assert matcher.index.chrome("blog/0")
    changed = matcher.remove("blog/2")
    assert changed == {"blog/0", "blog/1"}
    assert not matcher.index.chrome("blog/0")


def test_a_candidate_without_a_fingerprint_anywhere_is_skipped_not_fatal(caplog) -> None:
    stored: dict = {}
    matcher = Matcher(DedupConfig(cache_size=1), load=lambda key: stored[key])
    text = "\n".join(demo_article(ESCAPE).text.split("\n"))
    matcher.ingest("lost", "blog", matcher.fingerprint(text))  # its store write "failed"
    links = matcher.ingest("copy", "wire", matcher.fingerprint(text))  # evicts "lost"
    assert links == [] and "no fingerprint for candidate lost of copy" in caplog.text
