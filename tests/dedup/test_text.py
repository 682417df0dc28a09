"""The fast tokeniser gives exactly the words of the regular expression it stands in for."""

from __future__ import annotations

import xxhash
from hypothesis import given
from hypothesis import strategies as st

from aggregator.dedup import DedupConfig, Fingerprinter
from aggregator.dedup.text import paragraphs, tokens, word_bytes

news_text = st.text(
    alphabet=st.sampled_from(
        list(
            "aZ9_ \n\t.,;:'\"-()!?\u2019\u201c\u201d\u2014\u2013\u00e9\u00df\u00a0\u2026\u00b7"
            "\u20ac\u00b0\u2192\u0301\u00b2\u4e2d\U0001f600\ufb01\u0130\u0345\u03a3\uff21\u1e9e\u01c5"
        )
    ),
    max_size=120,
)


@given(news_text)
def test_word_bytes_give_the_words_of_the_regular_expression(text: str) -> None:
    expected = [words for words in (tokens(p) for p in paragraphs(text)) if words]
    lines = [line.split() for line in word_bytes(text).split(b"\n")]
    assert [[w.decode() for w in words] for words in lines if words] == expected


@given(news_text)
def test_fingerprints_keep_the_paragraphs_of_three_words_or_more(text: str) -> None:
    kept = [words for words in (tokens(p) for p in paragraphs(text)) if len(words) >= 3]
    fingerprint = Fingerprinter(DedupConfig()).fingerprint(text)
    assert fingerprint.paragraph_tokens.tolist() == [len(words) for words in kept]
    assert fingerprint.paragraph_hashes.tolist() == [
        xxhash.xxh64_intdigest(" ".join(words).encode()) for words in kept
    ]
