"""Story pages and digests on a store of 100,000 stories (issue 14, item 6).

    .venv/bin/python bench/report.py [--stories 100000] [--repeat 5]

Builds a SQLite store with tests/store/factory.py (100,000 stories over 400
days, a repost for every third, 60 outlets) plus one story of 12 paragraphs
(about 800 words) reposted by 50 outlets: full copies, excerpts with an intro
and a credit line, and edited copies. Then times, median of --repeat runs:

- the story page with 50 reposts and the digest of a month (6,751 stories,
  2,300 reposts), each read from the store, rendered and written to a file;
- the same pages served by ``aggregator serve`` (Datasette with our plugin);
- ``aggregator report`` end to end, in a fresh process (imports included);
- what a user would open instead, in the same Datasette: the reposts view
  filtered to the story (its 50 rows), the story_overview table page for the
  month (Datasette shows its first 100 rows and the count) and a
  who-reposts-whom GROUP BY for the month as an SQL query page.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from aggregator.report import Links, Renderer, load_digest, load_story_page  # noqa: E402
from aggregator.store import Store  # noqa: E402
from tests.store.factory import Piece, add_story, fill_store  # noqa: E402

OUTLETS = 60
MONTH = (datetime(2012, 3, 1, tzinfo=UTC), datetime(2012, 4, 1, tzinfo=UTC))
WIDE_PUBLISHED = datetime(2012, 3, 10, 8, 0, tzinfo=UTC)
VOCABULARY = (
    "refugees crossed the river at night while brokers waited on the far bank with vans "
    "families paid in advance and heard nothing for weeks officials denied any knowledge "
    "the border guards were replaced after the report and new fences went up near the town "
    "aid groups counted arrivals in the shelters and asked the government for more funding"
)
WORDS = VOCABULARY.split()


def wide_story_text(rng: random.Random, paragraphs: int = 12, words: int = 68) -> list[str]:
    """Paragraphs of varied words, numbered so no two are alike."""
    return [
        f"In part {n}, " + " ".join(rng.choice(WORDS) for _ in range(words)) + f" ({n * 37})."
        for n in range(1, paragraphs + 1)
    ]


def wide_story(reposts: int) -> list[Piece]:
    """The original by outlet 0, then its reposts: full, excerpted with an intro, edited."""
    rng = random.Random(14)
    original = wide_story_text(rng)
    pieces = [Piece(0, WIDE_PUBLISHED, "\n".join(original), title="The wide story")]
    for n in range(reposts):
        published = WIDE_PUBLISHED + timedelta(hours=6 * (n + 1))
        outlet = n % (OUTLETS - 1) + 1
        if n % 5 in (0, 1):  # a full copy
            text, role, containment = original, "repost", 1.0
        elif n % 5 in (2, 3):  # an excerpt of 2-4 paragraphs with an intro
            start = rng.randrange(0, 9)
            intro = f"Outlet {outlet} readers: this report from Outlet 0 matters, read it in full."
            text, role, containment = [intro, *original[start : start + 2 + n % 3]], "excerpt", 0.9
        else:  # an edited copy: a few words changed in every paragraph
            text = [p.replace("brokers", "smugglers").replace("night", "dusk") for p in original]
            role, containment = "repost", 0.8
        pieces.append(
            Piece(outlet, published, "\n".join(text), role=role, similarity=0.5,
                  containment=containment, credit="Source: Outlet 0")
        )  # fmt: skip
    return pieces


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def write_story(url: str, story_id: int, out: Path) -> None:
    with Store(url) as store, store.session() as session:
        out.write_text(Renderer().story(load_story_page(session, story_id)), encoding="utf-8")


def write_digest(url: str, out: Path) -> None:
    with Store(url) as store, store.session() as session:
        out.write_text(Renderer(Links()).digest(load_digest(session, *MONTH)), encoding="utf-8")


def cli(*args: str) -> None:
    command = [sys.executable, "-m", "aggregator", "report", *args]
    subprocess.run(command, check=True, capture_output=True, cwd=REPO)


def datasette_timings(path: Path, url: str, story_id: int, repeat: int) -> dict[str, float]:
    """Pages fetched from Datasette in-process (its ASGI client: no sockets)."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    from aggregator.report.datasette_plugin import PLUGIN_NAME, ReportPlugin

    store = Store(url)
    pm.register(ReportPlugin(store, database=path.stem), name=PLUGIN_NAME)
    datasette = Datasette(files=[str(path)], settings={"sql_time_limit_ms": 60_000})
    since, until = (d.strftime("%Y-%m-%d") for d in MONTH)  # until: exclusive, for SQL
    last_day = f"{MONTH[1] - timedelta(days=1):%Y-%m-%d}"  # ours: a bare --until includes it
    matrix_sql = (
        "select r.outlet_name, r.canonical_outlet, count(*) as reposts from reposts r "
        "join stories s on s.id = r.story_id "
        f"where s.first_published >= '{since}' and s.first_published < '{until}' "
        "group by 1, 2 order by reposts desc"
    )
    pages = {
        "story page: served (`aggregator serve`)": f"/-/story/{story_id}",
        "digest: served (`aggregator serve`)": f"/-/digest?since={since}&until={last_day}",
        "Datasette: reposts view, the story's 50 rows": f"/{path.stem}/reposts?story_id={story_id}",
        "Datasette: story_overview, the month (first 100 rows)": f"/{path.stem}/story_overview"
        f"?first_published__gte={since}&first_published__lt={until}",
        "Datasette: who-reposts-whom SQL, the month": f"/{path.stem}?sql={matrix_sql}",
    }

    async def fetch(page: str) -> None:
        response = await datasette.client.get(page)
        assert response.status_code == 200, (page, response.status_code)

    loop = asyncio.new_event_loop()
    try:
        return {
            name: median_seconds(lambda p=page: loop.run_until_complete(fetch(p)), repeat)
            for name, page in pages.items()
        }
    finally:
        loop.close()
        pm.unregister(name=PLUGIN_NAME)
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reposts", type=int, default=50)
    parser.add_argument(
        "--store", type=Path, help="keep the built store in this file and reuse it next time"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aggregator-bench-") as directory:
        out = Path(directory)
        path = args.store or out / "bench.sqlite"
        url = f"sqlite:///{path}"
        wide = args.stories + 1
        if not path.exists():
            build(url, args.stories, args.reposts)
        with Store(url) as store, store.session() as session:
            digest = load_digest(session, *MONTH)
        print(
            f"the month {MONTH[0]:%Y-%m}: {digest.story_count:,} stories, "
            f"{digest.repost_count:,} reposts; median of {args.repeat} runs, 2 shared cores",
            flush=True,
        )
        since, until = (f"{MONTH[0]:%Y-%m-%d}", f"{MONTH[1] - timedelta(days=1):%Y-%m-%d}")
        ours = {
            "story page, 50 reposts: library, to a file": median_seconds(
                lambda: write_story(url, wide, out / "story.html"), args.repeat
            ),
            "story page: `aggregator report ID -o` (process)": median_seconds(
                lambda: cli(str(wide), "--db", url, "-o", str(out / "s.html")), args.repeat
            ),
            "digest of the month: library, to a file": median_seconds(
                lambda: write_digest(url, out / "digest.html"), args.repeat
            ),
            "digest: `aggregator report --since -o` (process)": median_seconds(
                lambda: cli(
                    "--since", since, "--until", until, "--db", url, "-o", str(out / "d.html")
                ),
                args.repeat,
            ),
        }
        print_table({**ours, **datasette_timings(path, url, wide, args.repeat)}, out)


def build(url: str, stories: int, reposts: int) -> None:
    started = time.perf_counter()
    with Store(url) as store:
        fill_store(store, stories, outlets=OUTLETS)
        add_story(store, stories + 1, 2 * stories + 1, wide_story(reposts))
    print(
        f"store of {stories:,} stories (+1 with {reposts} reposts) "
        f"built in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def print_table(rows: dict[str, float], out: Path) -> None:
    """Each of our pages beside the Datasette page a user would open for the same rows."""
    story_base = rows["Datasette: reposts view, the story's 50 rows"]
    month_base = rows["Datasette: story_overview, the month (first 100 rows)"]
    width = max(map(len, rows)) + 2
    print(f"{'':<{width}}{'seconds':>9}{'vs Datasette':>14}")
    for name, seconds in rows.items():
        base = story_base if "story" in name.split(":")[0] else month_base
        ratio = "" if name.startswith("Datasette") else f"{seconds / base:.1f}x"
        print(f"{name:<{width}}{seconds:>9.3f}{ratio:>14}")
    sizes = {name: (out / name).stat().st_size for name in ("story.html", "digest.html")}
    print(
        "vs Datasette: the story page against the reposts view filtered to the story, the digest "
        "against story_overview filtered to the month"
    )
    print(
        f"page sizes: story {sizes['story.html'] / 1024:.0f} KiB, "
        f"digest {sizes['digest.html'] / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main()
