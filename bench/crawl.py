"""Crawl throughput: a bare Scrapy fetch, our full crawl, and trafilatura alone, over one site.

    python bench/crawl.py [--pages 2000] [--repeat 1] [--memory-pages 20000]

Generates a WordPress-like site of ``--pages`` article pages (real prose: the
Python documentation's topics that ship with Python, one distinct run of
sentences per article, wrapped in blog chrome), serves it from 127.0.0.1 and
prints pages per second for

* a bare Scrapy spider that only fetches the article pages (the ceiling),
* ``aggregator crawl`` with discovery (robots.txt, sitemap, home page),
  extraction, dedup and storage into a fresh SQLite store,
* trafilatura's extraction alone over the same HTML, in one process (the CPU
  cost we cannot avoid),

with the ratios, the CPU milliseconds each process spends per article, and the
peak RSS (``--memory-pages 20000`` adds a larger crawl's). Target (issue 12): full
crawl at least 1.0x trafilatura alone.
Each crawl runs in its own process (Twisted's reactor runs once per process);
with ``--repeat`` the median is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from html import escape
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from aggregator.demo import DemoSite  # noqa: E402

SEED = 20121016
SENTENCES_PER_ARTICLE = 30  # 24 for the article, 6 for its comments


def prose_sentences() -> list[str]:
    """English sentences from the Python documentation shipped with Python (PSF licence)."""
    from pydoc_data.topics import topics

    sentences = []
    for text in topics.values():
        for sentence in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
            if 50 <= len(sentence) <= 300 and re.fullmatch(r"[A-Z][\w ,;:'()\-\"]+[.!?]", sentence):
                sentences.append(sentence)
    return sentences


def article_html(number: int, day: str, sentences: list[str], chrome: list[str]) -> str:
    """A WordPress-style single post: the article, and the ~25 KB of chrome real pages carry."""
    body, comments, sidebar = sentences[:24], sentences[24:30], chrome
    paragraphs = "".join(
        f"<p>{escape(' '.join(body[i : i + 4]))}</p>" for i in range(0, len(body), 4)
    )
    title = escape(" ".join(body[0].split()[:8]))
    iso = day.replace("/", "-") + "T09:00:00+00:00"
    root = "{{DEMO_ROOT}}/blog"
    menu = "".join(
        f"<li class='menu-item'><a href='{root}/category/topic-{i}/'>{escape(w)}</a></li>"
        for i, w in enumerate(" ".join(sidebar).split()[:12])
    )
    recent = "".join(
        f"<li><a href='{root}/2016/01/{1 + i % 28:02d}/post-{i}/'>{escape(s[:70])}</a></li>"
        for i, s in enumerate(sidebar)
    )
    tags = " ".join(
        f"<a href='{root}/tag/t{i % 20}/' class='tag-cloud-link' style='font-size:{8 + i % 14}pt'>"
        f"{escape(w)}</a>"
        for i, w in enumerate(" ".join(sidebar[::-1]).split()[:60])
    )
    thread = "".join(
        f"<li class='comment'><div class='comment-author vcard'><cite class='fn'>Reader {i}</cite>"
        f" says:</div><div class='comment-meta'><a href='#comment-{i}'>{day} at 10:0{i} am</a>"
        f"</div><p>{escape(s)}</p><div class='reply'><a class='comment-reply-link' "
        f"href='?replytocom={i}#respond'>Reply</a></div></li>"
        for i, s in enumerate(comments)
    )
    script = "var wpcom = " + json.dumps({"blog": number, "text": " ".join(sidebar)[:1500]}) + ";"
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Bench Blog</title>
<link rel="canonical" href="{root}/{day}/post-{number}/">
<link rel="alternate" type="application/rss+xml" title="Bench Blog &raquo; Feed" href="{root}/feed/">
<meta property="og:type" content="article"><meta property="article:published_time" content="{iso}">
<style>body{{font-family:Georgia,serif}} .menu li{{display:inline}} #sidebar{{float:right}}</style>
<script>{escape(script)}</script></head>
<body class="single single-post postid-{number} single-format-standard">
<div id="masthead"><a href="{root}/">Bench Blog</a><ul class="menu">{menu}</ul></div>
<div id="content"><article class="post hentry">
<h1 class="entry-title">{title}</h1>
<div class="entry-meta">Posted on <time datetime="{iso}">{day}</time> by Bench Writer</div>
<div class="entry-content">{paragraphs}</div>
<div class="sharedaddy"><h3>Share this:</h3><a href="#">Twitter</a> <a href="#">Facebook</a></div>
<div class="entry-utility">Tags: {tags[:2000]}</div>
</article>
<div id="comments"><h3>{len(comments)} Responses</h3><ol class="commentlist">{thread}</ol>
<div id="respond"><h3>Leave a Reply</h3><p>Your email address will not be published.</p>
<form><textarea name="comment"></textarea><input type="submit" value="Post Comment"></form></div></div></div>
<div id="sidebar"><h3>Recent Posts</h3><ul>{recent}</ul><h3>Tags</h3><div class="tagcloud">{tags}</div>
<h3>Archives</h3><ul>{"".join(f"<li><a href='{root}/2016/{m:02d}/'>2016-{m:02d}</a></li>" for m in range(1, 13))}</ul></div>
<div id="footer">Blog at WordPress.com. <a href="{root}/about/">About these ads</a></div></body></html>"""


def generate_site(root: Path, pages: int) -> list[Path]:
    """Article pages, a home page, robots.txt and a sitemap; returns the article files."""
    sentences = prose_sentences()
    rng = random.Random(SEED)
    files = []
    entries = []
    for number in range(pages):
        day = f"2016/{1 + number % 12:02d}/{1 + number % 28:02d}"
        chosen = rng.sample(sentences, SENTENCES_PER_ARTICLE)
        chrome = rng.sample(sentences, 30)
        folder = root / "blog" / day / f"post-{number}"
        folder.mkdir(parents=True)
        page = article_html(number, day, chosen, chrome)
        (folder / "index.html").write_text(page, encoding="utf-8")
        files.append(folder / "index.html")
        entries.append(f"<url><loc>{{{{DEMO_ROOT}}}}/blog/{day}/post-{number}/</loc></url>")
    (root / "404.html").write_text("<html><body class='error404'>Not found</body></html>")
    (root / "robots.txt").write_text(
        "User-agent: *\nDisallow: /blog/wp-admin/\nSitemap: {{DEMO_ROOT}}/blog/sitemap.xml\n",
        encoding="utf-8",
    )
    (root / "blog" / "sitemap.xml").write_text(
        "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        + "".join(entries)
        + "</urlset>",
        encoding="utf-8",
    )
    links = "".join(
        f"<article class='post'><h2><a href='{e[len('<url><loc>') : -len('</loc></url>')]}'>Post</a>"
        "</h2></article>"
        for e in entries[:10]
    )
    (root / "blog" / "index.html").write_text(
        f"<html><head><title>Bench Blog</title></head><body class='home blog'>{links}</body></html>",
        encoding="utf-8",
    )
    return files


# Runs in a child process: a bare spider that fetches the article pages and nothing else.
BARE_SPIDER = """
import json, sys, time
import scrapy
from scrapy.crawler import CrawlerProcess

urls = json.load(open(sys.argv[1]))

class Bare(scrapy.Spider):
    name = "bare"
    async def start(self):
        for url in urls:
            yield scrapy.Request(url, dont_filter=True)
    def parse(self, response):
        pass

process = CrawlerProcess({**json.loads(sys.argv[2]), "LOG_LEVEL": "ERROR"})
crawler = process.create_crawler(Bare)
process.crawl(crawler)
process.start()
stats = crawler.stats.get_stats()
print(json.dumps({"pages": stats.get("response_received_count", 0),
                  "seconds": stats["elapsed_time_seconds"]}))
"""

# Runs in a child process: our full crawl, through the same runner the CLI uses. CPU time
# by stage: the crawl process itself (Scrapy, the spider, the pipelines' plumbing), the store
# writer process (its own count), the extraction workers (the children's rest).
FULL_CRAWL = """
import json, resource, sys
from spiders.runner import crawl_settings, run_crawl
crawl = crawl_settings(sys.argv[1], sys.argv[2], "ERROR", overrides=json.loads(sys.argv[3]))
stats = run_crawl(["bench"], *crawl)
own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
writer = stats.get("aggregator/writer/cpu_seconds", 0.0)
print(json.dumps({"pages": stats.get("aggregator/articles/new", 0),
                  "fetched": stats.get("response_received_count", 0),
                  "seconds": stats["elapsed_time_seconds"],
                  "cpu_crawl": own.ru_utime + own.ru_stime,
                  "cpu_writer": writer,
                  "cpu_extraction": children.ru_utime + children.ru_stime - writer,
                  "rss_crawl_mb": own.ru_maxrss / 1024, "rss_child_mb": children.ru_maxrss / 1024}))
"""

# The same concurrency for both crawls; politeness pauses would measure the site, not us.
FAST = {
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,
}


def child(code: str, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=REPO, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"child failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def bare_fetch(urls: list[str], work: Path) -> float:
    url_file = work / "urls.json"
    url_file.write_text(json.dumps(urls), encoding="utf-8")
    result = child(BARE_SPIDER, str(url_file), json.dumps(FAST))
    return result["pages"] / result["seconds"]


def full_crawl(site_url: str, work: Path, run: str, workers: int = -1) -> tuple[float, dict]:
    config = work / "outlets.toml"
    config.write_text(f'[outlets.bench]\nurl = "{site_url}/blog/"\n', encoding="utf-8")
    db_url = f"sqlite:///{work / f'store-{run}.sqlite'}"
    settings = {**FAST, "AGGREGATOR_CRAWL_EXTRACT_WORKERS": workers}
    result = child(FULL_CRAWL, str(config), db_url, json.dumps(settings))
    return result["pages"] / result["seconds"], result


def trafilatura_alone(files: list[Path]) -> float:
    import trafilatura

    pages = [f.read_text(encoding="utf-8") for f in files]
    started = time.perf_counter()
    for page in pages:
        trafilatura.extract(page)
    return len(pages) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--memory-pages",
        type=int,
        default=0,
        help="also crawl a site this large once and print its peak RSS (e.g. 20000)",
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aggregator-bench-") as folder:
        work = Path(folder)
        files = generate_site(work / "site", options.pages)
        with DemoSite(root=work / "site") as site:
            urls = [f"{site.url}/{f.parent.relative_to(work / 'site').as_posix()}/" for f in files]
            bare, full, blocking, alone, details = [], [], [], [], []
            for run in range(options.repeat):
                bare.append(bare_fetch(urls, work))
                rate, detail = full_crawl(site.url, work, f"pool-{run}")
                full.append(rate)
                details.append(detail)
                blocking.append(full_crawl(site.url, work, f"inline-{run}", workers=0)[0])
                alone.append(trafilatura_alone(files))
        medians = [statistics.median(r) for r in (bare, full, blocking, alone)]
        print_table(options.pages, *medians)
        stored = details[-1]["pages"]
        print(
            f"full crawl stored {stored} of {options.pages} articles, {details[-1]['fetched']} responses"
        )
        print_stages(details, median_of(alone))
        print_memory(options.pages, details)
    if options.memory_pages:
        with tempfile.TemporaryDirectory(prefix="aggregator-bench-") as folder:
            work = Path(folder)
            generate_site(work / "site", options.memory_pages)
            with DemoSite(root=work / "site") as site:
                rate, detail = full_crawl(site.url, work, "memory")
            print(f"full crawl of {options.memory_pages} pages: {rate:.1f} pages/s")
            print_memory(options.memory_pages, [detail])


def median_of(rates: list[float]) -> float:
    return statistics.median(rates)


def print_table(pages: int, bare: float, full: float, blocking: float, alone: float) -> None:
    print(f"bench/crawl.py: {pages} article pages from 127.0.0.1, {os.cpu_count()} cores")
    print(f"{'':44}{'pages/s':>10}{'vs trafilatura':>16}")
    for name, rate in (
        ("bare Scrapy fetch (ceiling)", bare),
        ("full crawl (extraction in a process pool)", full),
        ("full crawl (extraction in the reactor)", blocking),
        ("trafilatura alone (one process)", alone),
    ):
        print(f"{name:44}{rate:>10.1f}{rate / alone:>15.2f}x")
    verdict = "meets" if full / alone >= 1.0 else "misses"
    print(f"full crawl / trafilatura alone = {full / alone:.2f} ({verdict} the 1.0x target)")
    print(f"full crawl / bare fetch = {full / bare:.2f}")


def print_stages(details: list[dict], alone: float) -> None:
    """CPU milliseconds per stored article, by process, medians of the full crawls."""
    print("CPU ms per article (full crawl, process pool; medians):")
    stages = (
        ("crawl process (Scrapy, spider, pipelines)", "cpu_crawl"),
        ("extraction workers", "cpu_extraction"),
        ("store writer (dedup, stories, store)", "cpu_writer"),
    )
    total = 0.0
    for name, key in stages:
        ms = statistics.median(1000 * d[key] / max(d["pages"], 1) for d in details)
        total += ms
        print(f"  {name:44}{ms:>8.1f}")
    print(f"  {'all processes':44}{total:>8.1f}")
    print(f"  {'trafilatura alone':44}{1000 / alone:>8.1f}")


def print_memory(pages: int, details: list[dict]) -> None:
    crawl = max(d["rss_crawl_mb"] for d in details)
    child = max(d["rss_child_mb"] for d in details)
    print(
        f"peak RSS at {pages} pages: crawl process {crawl:.0f} MB, "
        f"largest worker or writer {child:.0f} MB"
    )


if __name__ == "__main__":
    main()
