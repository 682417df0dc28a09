"""Which paragraphs of the original a repost took, and the passages it shares (issue 14, item 1)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.report.align import ADDED, SKIPPED, TAKEN, Alignment, Original

ORIGINAL = [
    "Former deputy editor Melanie Kirkpatrick has written a compelling book describing the "
    "tortuous path North Koreans must undertake across China to freedom in the South.",
    "The book captures the multiple paths that desperate North Koreans have taken upon their "
    "departure from North Korea through China and other countries to safety.",
    "Chinese government policies receive the lion’s share of Kirkpatrick’s criticism precisely "
    "because those policies make the refugee path to freedom so dangerous.",
    "Over 20,000 North Koreans have fled to South Korea in the past decade, but there is no way "
    "of knowing how many fled the North but failed to find freedom.",
    "Escape from North Korea stands alongside Nothing to Envy as a book that highlights the "
    "tragic human consequences of the country’s systemic failure.",
    "A UN Human Rights rapporteur has submitted reports on the country for almost a decade, but "
    "has never been allowed to visit North Korea.",
    "The conditions reported by refugees who experienced detention are exactly the circumstances "
    "the world has resolved should never be allowed to happen again.",
]
INTRO = "We share this review because our readers asked about the book last week at the meeting."
ENDING = "Comments are welcome below, and our next reading group meets on Thursday at seven."


def align(repost: list[str]) -> Alignment:
    return Original("\n".join(ORIGINAL)).align("\n".join(repost))


def kinds(alignment: Alignment) -> list[str]:
    return [row.kind for row in alignment.rows]


def shared(paragraph: object) -> str:
    return "".join(s.text for s in paragraph.segments if s.shared)  # type: ignore[attr-defined]


def test_an_excerpt_of_two_paragraphs_shows_what_it_took_left_out_and_added() -> None:
    alignment = align([INTRO, ORIGINAL[2], ORIGINAL[3], ENDING])
    assert kinds(alignment) == [ADDED, SKIPPED, TAKEN, TAKEN, SKIPPED, ADDED]
    assert alignment.taken == (3, 4)
    assert alignment.original_paragraphs == 7
    intro, left_out, first, second, rest, ending = alignment.rows
    assert (intro.label, ending.label) == ("intro", "after")
    assert intro.repost.text == INTRO and ending.repost.text == ENDING
    assert [p.number for p in left_out.original] == [1, 2]
    assert [p.number for p in rest.original] == [5, 6, 7]
    assert rest.skipped_words == sum(len(p.split()) for p in ORIGINAL[4:])
    assert (first.original[0].number, first.repost.number) == (3, 2)
    # An unchanged paragraph is one shared passage on both sides.
    assert shared(first.original[0]) == ORIGINAL[2] and shared(first.repost) == ORIGINAL[2]
    assert first.share == 1.0
    assert (second.original[0].number, second.repost.number) == (4, 3)


def test_a_full_copy_takes_every_paragraph_in_order() -> None:
    alignment = align(ORIGINAL)
    assert kinds(alignment) == [TAKEN] * 7
    assert alignment.taken == (1, 2, 3, 4, 5, 6, 7)
    assert alignment.added == ()


def test_quotes_dashes_and_case_are_not_edits_but_changed_words_are() -> None:
    edited = (
        ORIGINAL[2]
        .replace("’", "'")
        .replace("Chinese government", "CHINESE GOVERNMENT")
        .replace("make the refugee path", "turn the escape route")
    )
    (_, taken, _) = align([edited]).rows
    assert taken.kind == TAKEN
    original_shared, repost_shared = shared(taken.original[0]), shared(taken.repost)
    assert "CHINESE GOVERNMENT policies receive the lion's share" in repost_shared
    assert "Chinese government policies receive the lion’s share" in original_shared
    # The rewritten words are shown, not highlighted, on both sides.
    assert "escape route" not in repost_shared and "escape route" in taken.repost.text
    assert "refugee path" not in original_shared
    assert 0.5 <= taken.share < 1.0


def test_segments_print_the_paragraph_exactly() -> None:
    edited = ORIGINAL[4].replace("stands alongside", "sits, (we think), beside")
    (*_, taken, _) = align([edited]).rows
    assert taken.repost.text == edited
    assert taken.original[0].text == ORIGINAL[4]


def test_a_rewritten_paragraph_on_the_same_topic_is_added_not_taken() -> None:
    rewrite = (
        "Kirkpatrick's book describes how North Koreans cross China, and she blames Beijing "
        "for making the journey deadly for the refugees who attempt it."
    )
    alignment = align([rewrite])
    assert kinds(alignment) == [SKIPPED, ADDED]
    assert alignment.rows[1].label == "added"
    assert alignment.taken == ()


@pytest.mark.parametrize(("line", "taken"), [("Follow", False), ("Key Conclusions", True)])
def test_lines_too_short_to_shingle_match_only_when_identical(line: str, taken: bool) -> None:
    original = Original("Key Conclusions\n" + "\n".join(ORIGINAL))
    alignment = original.align(line)
    assert (alignment.taken == (1,)) is taken


def test_an_empty_repost_took_nothing() -> None:
    alignment = align([])
    assert kinds(alignment) == [SKIPPED]
    assert alignment.taken == ()


def test_a_reordered_repost_shows_no_original_paragraph_twice() -> None:
    alignment = align([ORIGINAL[4], ORIGINAL[1]])
    assert kinds(alignment) == [SKIPPED, TAKEN, TAKEN, SKIPPED]
    assert [p.number for p in alignment.rows[0].original] == [1, 3, 4]
    assert alignment.rows[0].numbers == "¶1, ¶3–4"
    assert alignment.rows[3].numbers == "¶6–7"
    assert alignment.taken == (2, 5)


WORD = st.sampled_from([*" ".join(ORIGINAL).split()[:60], "—", "“quoted”", "(2,737", "Ünïcode"])
PARAGRAPH = st.lists(WORD, min_size=1, max_size=30).map(" ".join)


@given(
    original=st.lists(PARAGRAPH, min_size=1, max_size=6),
    picks=st.lists(st.tuples(st.booleans(), st.integers(0, 5), PARAGRAPH), max_size=6),
)
@settings(max_examples=150, deadline=None)
def test_every_paragraph_has_one_place_and_prints_exactly(
    original: list[str], picks: list[tuple[bool, int, str]]
) -> None:
    """Whatever the texts: each repost paragraph is shown once, in order; each original
    paragraph is taken or left out, never both; segments print the text unchanged."""
    repost = [original[i % len(original)] if copy else own for copy, i, own in picks]
    alignment = Original("\n".join(original)).align("\n".join(repost))
    shown = [row.repost for row in alignment.rows if row.repost is not None]
    assert [p.number for p in shown] == list(range(1, len(repost) + 1))
    assert [p.text for p in shown] == repost
    left_out = [p.number for row in alignment.rows if row.kind == SKIPPED for p in row.original]
    assert len(left_out) == len(set(left_out)) and not set(left_out) & set(alignment.taken)
    assert set(left_out) | set(alignment.taken) == set(range(1, len(original) + 1))
    for row in alignment.rows:
        for paragraph in row.original:
            assert paragraph.text == original[paragraph.number - 1]
