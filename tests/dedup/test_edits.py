"""Edits do not hide a repost (issue 4, item 2), and stock phrases do not make one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.dedup import DedupConfig, cluster, cluster_stories
from aggregator.dedup.fingerprint import anchors

from ..helpers import CFR_ORIGINAL, HTW_ISN_REPOST, RRM_OPINION
from .support import CHROME, STOCK, at, demo_article


def paragraphs(path: str) -> list[str]:
    return demo_article(path).text.split("\n")


EDITS = {
    "quotes and dashes": lambda ps: [
        p.replace("’", "'").replace("“", '"').replace("”", '"').replace("―", "--") for p in ps
    ],
    "an added intro line": lambda ps: [
        "We are reposting this because it deserves a wider audience.",
        *ps,
    ],
    "a dropped paragraph": lambda ps: ps[:2] + ps[3:],
    "a different credit line": lambda ps: [*ps[:-1], "Via the ISN Blog at ETH Zurich"],
    "chrome the extractor missed": lambda ps: [*ps, *CHROME],
    "all of them at once": lambda ps: [
        "A reader sent this in.",
        *(p.replace("’", "'") for p in ps[:2] + ps[3:-1]),
        "Via ISN",
        *CHROME,
    ],
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edited_copy_is_still_a_repost(edit: str) -> None:
    original = paragraphs(HTW_ISN_REPOST)
    copy = "\n".join(EDITS[edit](original))
    stories = cluster_stories(
        [
            ("original", "\n".join(original), at(0), "Human Traffic Watch"),
            ("copy", copy, at(3), "A Blog"),
        ]
    )
    assert [story.keys for story in stories] == [["original", "copy"]]


def test_an_excerpt_of_two_paragraphs_joins_though_its_jaccard_is_low() -> None:
    original = paragraphs(CFR_ORIGINAL)
    excerpt = "\n".join([*original[4:6], "Source: Council on Foreign Relations", *CHROME[:3]])
    (story,) = cluster_stories([("original", "\n".join(original)), ("excerpt", excerpt)])
    (_, role, link) = story.members[1]
    assert role == "excerpt" and link.jaccard < 0.4 and link.containment_of("excerpt") > 0.8


def test_same_topic_articles_sharing_stock_sentences_stay_apart() -> None:
    one = "\n".join([*paragraphs(RRM_OPINION), STOCK, STOCK.replace("20,000", "30,000")])
    other = "\n".join([STOCK, *paragraphs(HTW_ISN_REPOST)])
    assert len(cluster([("a", one), ("b", other)])) == 2


def test_sketches_are_datasketch_minhashes_of_the_shingles() -> None:
    """The whole-text sketch equals datasketch's own MinHash of the same shingle hashes."""
    from datasketch import MinHash

    from aggregator.dedup import Fingerprinter
    from aggregator.dedup.sketch import Sketcher, sketch_bytes

    config = DedupConfig(num_perm=32, seed=7)
    fingerprint = Fingerprinter(config).fingerprint(
        "\n".join(f"Paragraph {i} of a text about refugees and the border." for i in range(30))
    )
    expected = MinHash(num_perm=32, seed=7, scheme="affine32", hashfunc=lambda h: h)
    expected.update_batch(fingerprint.shingle_set().tolist())
    sketch = Sketcher(config).sketch(fingerprint)
    assert list(sketch.hashvalues) == list(expected.hashvalues)
    assert Sketcher(config).load(sketch_bytes(sketch), 32, 7).jaccard(sketch) == 1.0
    assert Sketcher(config).load(sketch_bytes(sketch), 64, 7) is None, (
        "another num_perm never compares"
    )


def test_the_lsh_index_alone_finds_full_copies_but_not_excerpts() -> None:
    """With anchors switched off, whole-text MinHash LSH still merges copies; excerpts need anchors."""
    original = "\n".join(paragraphs(HTW_ISN_REPOST))
    copy = original.replace(" the ", " a ", 3)
    excerpt = paragraphs(HTW_ISN_REPOST)[1]  # 86 of 309 words: Jaccard far below the LSH 0.5
    docs = [("original", original), ("copy", copy), ("excerpt", excerpt)]
    no_anchors = DedupConfig(min_anchors=10**6, min_shared=10)
    assert {frozenset(s) for s in cluster(docs, no_anchors)} == {
        frozenset({"original", "copy"}),
        frozenset({"excerpt"}),
    }
    both = DedupConfig(min_shared=10)
    assert {frozenset(s) for s in cluster(docs, both)} == {
        frozenset({"original", "copy", "excerpt"})
    }


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 2**32 - 1), min_size=15, max_size=200, unique=True),
    st.integers(0, 10**6),
    st.lists(st.integers(0, 2**32 - 1), max_size=50),
    st.lists(st.integers(0, 2**32 - 1), max_size=50),
)
def test_any_passage_of_a_window_of_shingles_shares_an_anchor(
    source: list[int], at: int, before: list[int], after: list[int]
) -> None:
    """Winnowing's guarantee: 15 shingles (two windows at one anchor in eight) in common
    give both texts an anchor in common, whatever surrounds them."""
    source_array = np.array(source, np.uint32)
    start = at % (len(source) - 14)
    passage = source_array[start : start + 15]
    excerpt = np.concatenate((np.array(before, np.uint32), passage, np.array(after, np.uint32)))
    assert len(np.intersect1d(anchors(source_array, 8), anchors(excerpt, 8))) >= 1
