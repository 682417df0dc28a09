"""Story detection on the seed texts: excerpts join, digests glue nothing, order does not matter."""

from __future__ import annotations

import random

import numpy as np

from aggregator.dedup import DedupConfig, Doc, Fingerprint, Fingerprinter, cluster, cluster_stories
from aggregator.extract import extract_article

from ..helpers import CFR_ORIGINAL, HTW_CFR_REPOST, HTW_ISN_REPOST, NEW_YORK, RRM_OPINION, demo_page
from .support import tag_archive_doc

OUTLET_OF = {
    "htw": "Human Traffic Watch",
    "cfr": "Council on Foreign Relations",
    "rrm": "Refugee Rights Monitor",
}


def seed_doc(path: str) -> Doc:
    article = extract_article(*demo_page(path), NEW_YORK)
    credit = article.attribution.outlet if article.attribution else None
    return Doc(path, article.text, article.published, OUTLET_OF[path.split("/")[0]], credit)


def seed_docs() -> list[Doc]:
    return [seed_doc(p) for p in (HTW_CFR_REPOST, CFR_ORIGINAL, HTW_ISN_REPOST, RRM_OPINION)]


def as_sets(stories: list[list]) -> set[frozenset]:
    return {frozenset(s) for s in stories}


def test_fingerprints_round_trip_and_anchor_a_shared_passage() -> None:
    fingerprinter = Fingerprinter(DedupConfig())
    original = fingerprinter.fingerprint(seed_doc(CFR_ORIGINAL).text)
    restored = Fingerprint.from_bytes(original.to_bytes())
    assert np.array_equal(restored.shingles, original.shingles)
    assert np.array_equal(restored.paragraph_hashes, original.paragraph_hashes)
    excerpt = fingerprinter.fingerprint(seed_doc(HTW_CFR_REPOST).text)
    shared = np.intersect1d(excerpt.anchors(8), original.anchors(8))
    assert len(shared) >= 5, "the two quoted paragraphs carry the same anchors in both"
    assert 0.05 < len(original.anchors(8)) / len(original.shingle_set()) < 0.25


def test_four_seed_articles_make_three_stories() -> None:
    stories = cluster_stories(seed_docs())
    assert as_sets([s.keys for s in stories]) == {
        frozenset({CFR_ORIGINAL, HTW_CFR_REPOST}),
        frozenset({HTW_ISN_REPOST}),
        frozenset({RRM_OPINION}),
    }
    cfr = next(s for s in stories if s.canonical == CFR_ORIGINAL)
    assert cfr.reason == "credited as the source by 1 repost"
    (_, role, link) = cfr.members[1]
    assert role == "excerpt"
    assert link.containment_of(HTW_CFR_REPOST) > 0.95, (
        "two of seven paragraphs, all found in the original"
    )
    assert link.jaccard < 0.45, "far below what plain Jaccard LSH would merge"


def test_a_listing_that_slipped_through_glues_no_two_stories() -> None:
    stories = cluster([*seed_docs(), tag_archive_doc()])
    cfr_story = next(s for s in stories if CFR_ORIGINAL in s)
    isn_story = next(s for s in stories if HTW_ISN_REPOST in s)
    assert cfr_story is not isn_story
    assert sum("htw/tag/north-korea" in s for s in stories) == 1
    assert cfr_story[0] == CFR_ORIGINAL and isn_story[0] == HTW_ISN_REPOST


def test_topically_close_articles_stay_apart() -> None:
    """Ten Human Traffic Watch posts on North Korean refugees, one real repost among them."""
    paths = [
        "htw/2013/03/31/escape-from-north-korea-a-modern-refugee-crisis",
        "htw/2013/02/17/2781",
        "htw/2012/08/21/north-korea-human-traffickers-and-the-chinese-market-for-brides",
        "htw/2012/06/27/u-s-names-n-korea-one-of-worst-countries-of-human-trafficking",
        "htw/2012/06/21/s-korean-embassy-staff-add-to-nk-defectors-blues",
        "htw/2012/06/21/u-s-adds-syria-to-list-of-nations-failing-to-combat-human-trafficking",
        "htw/2012/05/28/n-koreas-human-rights-condition-extremely-poor-u-s-govt",
    ]
    stories = cluster([*seed_docs(), *(seed_doc(p) for p in paths)])
    assert [sorted(s) for s in stories if len(s) > 1] == [sorted([CFR_ORIGINAL, HTW_CFR_REPOST])]


def test_a_shared_stock_sentence_does_not_merge() -> None:
    stock = "Over 20,000 North Koreans have fled to South Korea in the past decade."
    one = seed_doc(RRM_OPINION).text + "\n" + stock
    other = seed_doc(HTW_ISN_REPOST).text + "\n" + stock
    assert len(cluster([("a", one), ("b", other)])) == 2


def test_an_edited_excerpt_is_still_a_repost() -> None:
    original = seed_doc(CFR_ORIGINAL).text.split("\n")
    edited = [
        "A reader sent us this piece on the underground railroad; worth reading in full.",
        original[2].replace("’", "'").replace("—", "-"),
        original[3].replace("Kirkpatrick", "Kirkpatrick,").upper(),
        "Source: CFR",
    ]
    stories = cluster([("original", "\n".join(original)), ("excerpt", "\n".join(edited))])
    assert stories == [["original", "excerpt"]]


def test_order_does_not_change_the_stories() -> None:
    docs = [*seed_docs(), tag_archive_doc(), seed_doc("htw/2013/02/17/2781")]
    reference = cluster(docs)
    canonicals = {s[0] for s in reference}
    for seed in range(12):
        shuffled = docs[:]
        random.Random(seed).shuffle(shuffled)
        result = cluster(shuffled)
        assert as_sets(result) == as_sets(reference)
        assert {s[0] for s in result} == canonicals


def test_plain_id_text_pairs_are_enough() -> None:
    text = seed_doc(CFR_ORIGINAL).text
    assert cluster([("x", text), ("y", text), ("z", seed_doc(RRM_OPINION).text)]) in (
        [["x", "y"], ["z"]],
        [["z"], ["x", "y"]],
    )
