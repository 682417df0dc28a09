"""The pages as a person sees them: headless Chromium renders them, the tests read the screen.

What is checked comes from the rendered page (laid-out boxes, computed
colours, visible text), not from the HTML source: the timeline's lanes and
marks, the highlighted passages side by side, the matrix cell that links to
its stories (issue 14, item 4).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ..helpers import RunCli
from ..store.support import DemoStore
from .support import HOSTILE_OUTLET, HOSTILE_TITLE, Visit, file_url

pytestmark = pytest.mark.slow

CFR, HTW = "Council on Foreign Relations", "Human Traffic Watch"
SHARED_COLOUR = "rgb(255, 240, 168)"  # --shared in base.html


@pytest.fixture(scope="module")
def story_file(
    demo_store: DemoStore,
    demo_story_id: int,
    tmp_path_factory: pytest.TempPathFactory,
    run_cli: RunCli,
) -> Path:
    out = tmp_path_factory.mktemp("pages") / "story.html"
    result = run_cli("report", str(demo_story_id), "--db", demo_store.url, "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def digest_file(
    demo_store: DemoStore, tmp_path_factory: pytest.TempPathFactory, run_cli: RunCli
) -> Path:
    out = tmp_path_factory.mktemp("pages") / "digest.html"
    result = run_cli("report", "--since", "2012-01-01", "--db", demo_store.url, "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


def visible(tab: Any, selector: str) -> list[str]:
    """Text of the elements matching ``selector`` that have a box on screen."""
    return tab.eval_on_selector_all(
        selector,
        "els => els.filter(e => { const r = e.getBoundingClientRect();"
        " return r.width > 0 && r.height > 0; }).map(e => e.textContent.trim())",
    )


def test_the_timeline_has_a_lane_per_outlet_and_the_gap_to_the_original(
    page: tuple[Any, Visit], story_file: Path
) -> None:
    tab, visit = page
    tab.goto(file_url(story_file))
    assert visible(tab, "svg.timeline .lane-name") == [CFR, HTW]
    assert visible(tab, "svg.timeline .mark text") == ["original", "+4 days"]
    lanes = {
        outlet: tab.locator(f'svg.timeline .lane[data-outlet="{outlet}"] .lane-line').bounding_box()
        for outlet in (CFR, HTW)
    }
    original = tab.locator("svg.timeline .role-canonical circle").bounding_box()
    repost = tab.locator("svg.timeline .role-excerpt circle").bounding_box()
    # Each mark sits on its outlet's lane; the repost four days to the right of the original.
    assert abs(centre_y(original) - centre_y(lanes[CFR])) < 2
    assert abs(centre_y(repost) - centre_y(lanes[HTW])) < 2
    assert repost["x"] - original["x"] > 300
    assert visit.dialogs == [] and visit.requests == [file_url(story_file)]


def centre_y(box: dict[str, float]) -> float:
    return box["y"] + box["height"] / 2


def test_the_passages_taken_are_highlighted_side_by_side(
    page: tuple[Any, Visit], story_file: Path
) -> None:
    tab, _ = page
    tab.goto(file_url(story_file))
    section = tab.locator("section.repost")
    assert section.locator("h3").inner_text().startswith(f"{HTW}:")
    assert "Took paragraphs 2, 3 of 6" in section.locator("p.meta").nth(1).inner_text()
    rows = section.locator("table.align tbody tr")
    classes = [rows.nth(i).get_attribute("class") for i in range(rows.count())]
    assert classes == ["skipped", "taken", "taken", "skipped", "added credit"]
    for index in (1, 2):  # the original's passage and the repost's, on one line
        left, right = (
            rows.nth(index).locator("td.original-side"),
            rows.nth(index).locator("td.repost-side"),
        )
        left_box, right_box = left.bounding_box(), right.bounding_box()
        assert abs(left_box["y"] - right_box["y"]) < 1 and left_box["x"] < right_box["x"]
        left_marks, right_marks = left.locator("mark"), right.locator("mark")
        assert left_marks.all_inner_texts() == right_marks.all_inner_texts() != []
        colour = right_marks.first.evaluate("m => getComputedStyle(m).backgroundColor")
        assert colour == SHARED_COLOUR
    skipped = rows.nth(0).locator("summary").inner_text()
    assert skipped.startswith("¶1 not taken")
    assert rows.nth(3).locator("summary").inner_text().startswith("¶4–6 not taken")
    credit = rows.nth(4).locator("td.repost-side").inner_text()
    assert credit == "CREDIT LINE Source: Council on Foreign Relations"


def test_the_reposts_table_and_why_the_original_was_chosen(
    page: tuple[Any, Visit], story_file: Path
) -> None:
    tab, _ = page
    tab.goto(file_url(story_file))
    assert tab.locator("dd.canonical-reason").inner_text() == "credited as the source by 1 repost"
    cells = tab.locator("table.reposts tbody tr td").all_inner_texts()
    assert cells == [
        HTW, "2012-10-20", "+4 days", "excerpt", "0.34", "1.00", "0.34",
        "Source: Council on Foreign Relations",
    ]  # fmt: skip
    # The timeline's repost mark leads to the repost's side-by-side view.
    tab.locator("svg.timeline .role-excerpt").click()
    assert tab.evaluate("location.hash").startswith("#repost-")
    assert tab.locator(tab.evaluate("location.hash")).is_visible()


def test_the_digest_matrix_links_each_cell_to_its_stories(
    page: tuple[Any, Visit], digest_file: Path
) -> None:
    tab, visit = page
    tab.goto(file_url(digest_file))
    assert visible(tab, "table.matrix thead th.col") == [CFR]
    assert visible(tab, "table.matrix tbody th") == [HTW]
    cell = tab.locator(f'table.matrix tbody tr[data-outlet="{HTW}"] td[data-original="{CFR}"]')
    assert cell.inner_text() == "1"
    shade = cell.evaluate("c => getComputedStyle(c).backgroundColor")
    assert shade not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    cell.locator("a").click()
    target = tab.locator(tab.evaluate("location.hash"))
    assert target.locator("h3").inner_text() == f"{HTW} reposting {CFR}"
    assert target.locator("li a").all_inner_texts() == [
        "The Underground Railroad from North Korea to Freedom"
    ]
    assert in_viewport(tab, target)
    assert visible(tab, "table.top tbody td:nth-child(6)") == [HTW]
    assert visit.dialogs == [] and visit.requests == [file_url(digest_file)]


def in_viewport(tab: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    return 0 <= box["y"] < tab.viewport_size["height"]


def test_printing_keeps_the_highlights_and_drops_navigation(
    page: tuple[Any, Visit], story_file: Path
) -> None:
    tab, _ = page
    tab.goto(file_url(story_file))
    tab.emulate_media(media="print")
    colour = tab.locator("section.repost mark").first.evaluate(
        "m => getComputedStyle(m).backgroundColor"
    )
    assert colour == SHARED_COLOUR
    assert tab.locator("svg.timeline").is_visible()
    pdf = tab.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize("args", [("1",), ("--since", "2012-01-01")])
def test_hostile_values_show_as_text_and_run_nothing(
    page: tuple[Any, Visit],
    hostile_store: str,
    tmp_path: Path,
    args: tuple[str, ...],
    run_cli: RunCli,
) -> None:
    out = tmp_path / "page.html"
    assert run_cli("report", *args, "--db", hostile_store, "-o", str(out)).returncode == 0
    tab, visit = page
    tab.goto(file_url(out))
    assert (
        tab.evaluate("document.querySelectorAll('script, img, iframe, svg [onload]').length") == 0
    )
    assert HOSTILE_OUTLET in tab.locator("body").inner_text()
    if args == ("1",):
        assert tab.locator("h1").inner_text() == HOSTILE_TITLE
        assert tab.title().startswith(HOSTILE_TITLE)
    assert visit.dialogs == [] and visit.requests == [file_url(out)]


def test_served_story_rows_link_to_the_story_pages(
    page: tuple[Any, Visit], served: str, demo_store: DemoStore, demo_story_id: int
) -> None:
    tab, _ = page
    tab.goto(f"{served}/{demo_store.path.stem}/story_overview")
    tab.locator(f'a[href="/-/story/{demo_story_id}"]', has_text="Underground").click()
    tab.wait_for_url(f"{served}/-/story/{demo_story_id}")
    assert tab.locator("h1").inner_text() == "The Underground Railroad from North Korea to Freedom"
    assert visible(tab, "svg.timeline .lane-name") == [CFR, HTW]
    assert tab.locator("section.repost mark").count() > 0
    # From the story page to the digest of the store, and back to a story.
    tab.locator("nav.crumbs a", has_text="digest").click()
    tab.wait_for_url(f"{served}/-/digest")
    tab.locator("input[name=since]").fill("2012-10-01")
    tab.locator("input[name=until]").fill("2012-10-31")
    tab.locator("form.range button").click()
    tab.wait_for_url(f"{served}/-/digest?since=2012-10-01&until=2012-10-31")
    assert tab.locator("h1").inner_text() == "Stories first published 2012-10-01 to 2012-10-31"
    tab.locator("table.top td a").first.click()
    tab.wait_for_url(f"{served}/-/story/{demo_story_id}")
