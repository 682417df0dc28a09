"""Soak: kill -9 a crawl at random points, resume it each time, and count what went wrong.

    python bench/soak.py [--pages 2000] [--kills 20] [--seed 11]

Generates the site of ``bench/crawl.py`` (``--pages`` article pages of real
prose, a sitemap, a home page), serves it from 127.0.0.1 and crawls it into a
fresh SQLite store. Each of ``--kills`` crawls is killed with SIGKILL, the
crawl process alone (not its process group), at a random point: once a random
number of articles is stored, after a random fraction of a second more. The
next crawl resumes it; a last crawl runs to the end. Printed (issue 11, item 9;
all must be 0):

* lost: article pages of the site not in the store at the end;
* duplicated: article rows beyond one per URL, and beyond one per text;
* orphaned: processes of a killed crawl (extraction workers, multiprocessing's
  resource tracker) still alive 10 s after the kill; they are then killed.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from aggregator.demo import DemoSite  # noqa: E402
from bench.crawl import generate_site  # noqa: E402
from tests.faults.processes import alive, descendants  # noqa: E402

FAST = (
    "CONCURRENT_REQUESTS=16",
    "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "AUTOTHROTTLE_ENABLED=false",
    "DOWNLOAD_DELAY=0",
    "TELNETCONSOLE_ENABLED=false",
    "TWISTED_DNS_RESOLVER=tests.crawl.resolver.LocalOnlyResolver",  # 127.0.0.1 and nothing else
)
ORPHAN_GRACE = 10.0  # seconds a killed crawl's processes get to exit


def crawl_command(config: Path, db: Path) -> list[str]:
    settings = [part for setting in FAST for part in ("--set", setting)]
    return [sys.executable, "-m", "aggregator", "crawl", "--config", str(config),
            "--db", f"sqlite:///{db}", *settings]  # fmt: skip


def stored(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as connection:
            return connection.execute("select count(*) from articles").fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


def killed_run(command: list[str], db: Path, target: int, rng: random.Random) -> tuple[int, bool]:
    """Start a crawl, kill -9 it once ``target`` articles are stored (and a random moment more).

    Returns the processes of the crawl left alive, and whether the kill landed (a crawl
    that finishes first is not killed).
    """
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    while process.poll() is None and stored(db) < target:
        time.sleep(0.05)
    time.sleep(rng.uniform(0, 0.5))
    family = descendants(process.pid)
    if process.poll() is not None:
        return 0, False
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + ORPHAN_GRACE
    while alive(family) and time.monotonic() < deadline:
        time.sleep(0.1)
    orphans = alive(family)
    for pid in orphans:  # ours: clean up, after counting
        os.kill(pid, signal.SIGKILL)
    return len(orphans), True


def counts(db: Path, expected: set[str]) -> dict[str, int]:
    with sqlite3.connect(db) as connection:
        urls = [url for (url,) in connection.execute("select url from articles")]
        texts = connection.execute("select count(distinct text) from articles").fetchone()[0]
        integrity = connection.execute("pragma integrity_check").fetchone()[0]
    return {
        "lost": len(expected - set(urls)),
        "duplicated": (len(urls) - len(set(urls))) + (len(urls) - texts),
        "unexpected": len(set(urls) - expected),
        "corrupt": int(integrity != "ok"),
    }


def _hung_up(request: object, client_address: object) -> None:
    """A crawl killed mid-request hangs up on the site: expected here, not worth a traceback."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=11)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    targets = sorted(rng.sample(range(1, options.pages), options.kills))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="aggregator-soak-") as folder:
        work = Path(folder)
        files = generate_site(work / "site", options.pages)
        with DemoSite(root=work / "site") as site:
            site.server.handle_error = _hung_up
            expected = {
                f"{site.url}/{f.parent.relative_to(work / 'site').as_posix()}/" for f in files
            }
            config = work / "outlets.toml"
            config.write_text(f'[outlets.soak]\nurl = "{site.url}/blog/"\n', encoding="utf-8")
            db = work / "store.sqlite"
            command = crawl_command(config, db)
            orphaned, landed = 0, 0
            for target in targets:
                left, killed = killed_run(command, db, target, rng)
                orphaned += left
                landed += killed
            last = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
            figures = counts(db, expected)
    print(f"bench/soak.py: {options.pages} article pages from 127.0.0.1, "
          f"{landed} of {options.kills} kill -9 points landed (seed {options.seed}), "
          f"{time.monotonic() - started:.0f} s")  # fmt: skip
    print(f"kill points (articles stored): {', '.join(map(str, targets))}")
    print(f"final run exit {last.returncode}")
    print(f"lost {figures['lost']}, duplicated {figures['duplicated']}, orphaned {orphaned}")
    print(
        f"unexpected URLs {figures['unexpected']}, integrity {'bad' if figures['corrupt'] else 'ok'}"
    )
    if figures["lost"] or figures["duplicated"] or orphaned or last.returncode:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
