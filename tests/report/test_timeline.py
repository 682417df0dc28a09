"""The timeline's geometry: one lane per outlet, marks by date, gaps to the original."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aggregator.report.timeline import Entry, gap_text, layout

ORIGINAL = datetime(2012, 10, 16, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("later", "text"),
    [
        (timedelta(days=4, hours=14, minutes=53), "+4 days"),
        (timedelta(days=1), "+1 day"),
        (timedelta(hours=3, minutes=59), "+3 hours"),
        (timedelta(minutes=1), "+1 minute"),
        (timedelta(seconds=20), "same time"),
        (-timedelta(days=2, hours=1), "-2 days"),
    ],
)
def test_the_gap_to_the_original_reads_as_people_say_it(later: timedelta, text: str) -> None:
    assert gap_text(ORIGINAL + later, ORIGINAL) == text


def test_an_undated_article_has_no_gap() -> None:
    assert gap_text(None, ORIGINAL) == "undated"
    assert gap_text(ORIGINAL, None) == "undated"


def entry(article_id: int, outlet: str, days: float | None, role: str = "excerpt") -> Entry:
    published = None if days is None else ORIGINAL + timedelta(days=days)
    return Entry(article_id, outlet, published, role, gap_text(published, ORIGINAL))


def test_one_lane_per_outlet_the_original_first_then_by_first_repost() -> None:
    timeline = layout(
        [
            entry(5, "Late Blog", 9),
            entry(2, "Human Traffic Watch", 4),
            entry(1, "Council on Foreign Relations", 0, role="canonical"),
            entry(3, "Human Traffic Watch", 6),
            entry(4, "Undated Digest", None),
        ],
        ORIGINAL,
    )
    assert [lane.outlet for lane in timeline.lanes] == [
        "Council on Foreign Relations",
        "Human Traffic Watch",
        "Late Blog",
        "Undated Digest",
    ]
    lane_y = {lane.outlet: lane.y for lane in timeline.lanes}
    marks = {mark.entry.article_id: mark for mark in timeline.marks}
    assert all(mark.y == lane_y[mark.entry.outlet] for mark in timeline.marks)
    # Later is further right, all inside the plot; the undated article in its own column.
    assert timeline.plot_left < marks[1].x < marks[2].x < marks[3].x < marks[5].x
    assert marks[5].x < timeline.plot_right < timeline.undated_x == marks[4].x
    assert timeline.origin_x == marks[1].x
    assert timeline.width > timeline.undated_x
    assert [marks[i].entry.gap for i in (1, 2, 3, 4, 5)][1:] == [
        "+4 days",
        "+6 days",
        "undated",
        "+9 days",
    ]


def test_ticks_fall_inside_the_plot_and_are_dates() -> None:
    timeline = layout([entry(1, "A", 0, "canonical"), entry(2, "B", 40)], ORIGINAL)
    assert 2 <= len(timeline.ticks) <= 7
    assert all(timeline.plot_left <= t.x <= timeline.plot_right for t in timeline.ticks)
    assert all(datetime.strptime(t.label, "%Y-%m-%d") for t in timeline.ticks)


def test_close_labels_in_one_lane_do_not_overlap() -> None:
    timeline = layout(
        [entry(1, "A", 0, "canonical"), entry(2, "B", 10), entry(3, "B", 10.01)], ORIGINAL
    )
    first, second = (m for m in timeline.marks if m.entry.outlet == "B")
    assert first.label_y != second.label_y


def test_a_story_with_nothing_dated_still_draws_its_lanes() -> None:
    timeline = layout([entry(1, "A", None, "canonical"), entry(2, "B", None)], None)
    assert len(timeline.lanes) == 2 and timeline.ticks == () and timeline.origin_x is None
    assert {mark.x for mark in timeline.marks} == {timeline.undated_x}
