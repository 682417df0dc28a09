"""The postings structure answers exactly what a dict of lists would, through flushes,
merges and dead slots."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.dedup.postings import Postings

terms = st.lists(st.integers(0, 40), min_size=0, max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(terms, min_size=1, max_size=80), st.sets(st.integers(0, 79)), terms)
def test_lookup_matches_a_dict_of_lists(added, dead, query) -> None:
    alive = np.ones(len(added), bool)
    postings = Postings(np.uint32, alive=lambda slots: alive[slots], buffer_postings=7)
    reference: defaultdict[int, list[int]] = defaultdict(list)
    for slot, article_terms in enumerate(added):
        unique_terms = sorted(set(article_terms))
        postings.add(np.array(unique_terms, np.uint32), slot)
        for term in unique_terms:
            reference[term].append(slot)
        if slot in dead:
            alive[slot] = False  # dead slots may be returned; merges drop them
    positions, slots = postings.lookup(np.array(query, np.uint32))
    live = alive[slots]
    found = sorted(zip(positions[live].tolist(), slots[live].tolist(), strict=True))
    expected = sorted(
        (position, slot)
        for position, term in enumerate(query)
        for slot in reference[term]
        if alive[slot]
    )
    assert found == expected
    assert len(postings) <= sum(len(set(t)) for t in added)
