"""The fast tokeniser gives exactly the words of the regular expression it stands in for."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from aggregator.dedup.text import paragraph_tokens, paragraphs, tokens

news_text = st.text(
    alphabet=st.sampled_from(
        list(
            "aZ9_ \n\t.,;:'\"-()!?\u2019\u201c\u201d\u2014\u2013\u00e9\u00df\u00a0\u2026\u00b7"
            "\u20ac\u00b0\u2192\u0301\u00b2\u4e2d\U0001f600"
        )
    ),
    max_size=120,
)


@given(news_text)
def test_paragraph_tokens_match_the_regular_expression(text: str) -> None:
    expected = [words for words in (tokens(p) for p in paragraphs(text)) if words]
    assert [words for words in paragraph_tokens(text) if words] == expected
