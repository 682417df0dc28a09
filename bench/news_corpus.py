"""A labelled dev corpus of real news text reposted the ways the web reposts it (issue 10).

Source text: the article pages of WCXB's dev split (``../shared/corpora/wcxb-dev``,
CC-BY-4.0, see its README): each page's hand-reviewed ``main_content``, paragraphs
as the ground truth separates them, its domain as its outlet. Pages with under
``MIN_WORDS`` words or ``MIN_BLOCKS`` paragraphs are left out, and so is a page
that repeats an earlier one's text (syndicated copies in the crawl: a shared
paragraph of ``DISTINCT_PARAGRAPH_WORDS`` words or ``DISTINCT_SHARE`` of its word
8-grams), so every label is true. The test is exact n-grams, not the detector.

**Two halves.** Each source goes, by a hash of its WCXB id, to the *tuning* half
or the *held-out* half; each half is reposted with its own template set
(``news_templates.TUNING`` / ``HELD_OUT``: site names, headers, footers,
intros, trailers, credit wordings). Tune on the first; the second tells whether
a rule learnt the templates rather than the structure.

**Per half**, sources are dealt (fixed seed) into three roles:

* *reposted* (``REPOSTED_SHARE``): the original, plus two to four reposts of
  different kinds on reposting sites:

  - ``lead``: the first 1-3 paragraphs, sometimes a "read more at X" trailer;
  - ``middle``: 1-3 consecutive paragraphs from the middle under a blogger's intro;
  - ``wire``: the first 50-70% of the words (whole paragraphs) with a wire credit line;
  - ``full``: the whole text inside the site's header and footer with a credit line
    ("Source: X" and the like);
  - ``edited``: two paragraphs swapped, a sentence dropped, a few words changed.

  An excerpt carries at least ``news_edits.MIN_EXCERPT_WORDS`` words of prose (a
  passage, not only headings, list items or code).
* *orphan* (``ORPHAN_SHARE``): one or two lead, middle or wire excerpts whose
  original is absent (labelled with the absent original's story).
* *unrelated*: the article alone, on its own outlet or (``UNRELATED_ON_SITES``)
  on a reposting site, carrying that site's header and footer lines.

Reposting sites (twelve a half) each print a fixed header and footer on every
page (two of them print none: the extractor removed theirs), plus per-page lines
(byline, date) that differ from page to page. Sites get pages in uneven shares;
three get only a handful (``SMALL_SITES``), too few for their lines to be chrome.

**Dates.** Each story is ``dated`` (the original and most reposts have dates,
reposts later), ``undated`` (no dates at all) or ``mixed`` (the original
undated, its reposts dated); unrelated articles and orphans are dated or not.
No text or id says what a page is: ids are opaque hashes, arrival order shuffled.

    from news_corpus import build_news_corpus
    docs = build_news_corpus()                 # both halves, labelled
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from news_edits import MIN_EXCERPT_WORDS, edit, first_share, span
from news_templates import HELD_OUT, TUNING, TemplateSet

WCXB = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "wcxb-dev"
HALVES = ("tuning", "held-out")
KINDS = ("lead", "middle", "wire", "full", "edited")
MIN_WORDS, MIN_BLOCKS = 200, 6
DISTINCT_PARAGRAPH_WORDS, DISTINCT_SHARE = 12, 0.05
REPOSTED_SHARE, ORPHAN_SHARE, UNRELATED_ON_SITES = 0.55, 0.12, 0.4
SITES_WITHOUT_WRAPPER = 2
SMALL_SITES, SMALL_WEIGHT = 3, 0.15  # sites with a handful of pages: too few for chrome
DATE_MODES = (("dated", 0.45), ("undated", 0.40), ("mixed", 0.15))


@dataclass(frozen=True)
class NewsDoc:
    """One page of the corpus with its label; ``credit`` is always None (the text has it)."""

    id: str
    text: str
    published: datetime | None
    outlet: str
    story: str  # the id of the original this page carries (itself for an original)
    kind: str  # "original", "unrelated" or one of KINDS
    half: str
    dates: str  # the story's date mode
    orphan: bool = False  # a repost whose original is not in the corpus
    credit: str | None = None


@dataclass(frozen=True)
class NewsSource:
    """A WCXB article: paragraphs (blocks; a block may hold list lines) and its outlet."""

    id: str
    blocks: tuple[str, ...]
    outlet: str
    published: datetime | None

    @property
    def words(self) -> int:
        return sum(len(b.split()) for b in self.blocks)


@dataclass(frozen=True)
class Site:
    """A reposting site: its outlet key, name and the lines it prints on every page."""

    outlet: str
    name: str
    header: tuple[str, ...]
    footer: tuple[str, ...]
    page_line: str | None


def half_of(source_id: str) -> str:
    """The half a source belongs to: a hash of its id, so it never moves."""
    return HALVES[hashlib.blake2b(source_id.encode(), digest_size=4).digest()[0] % 2]


def load_sources(root: Path = WCXB) -> list[NewsSource]:
    """The distinct WCXB article pages long enough to repost, in id order."""
    if not (root / "index.json").exists():
        raise SystemExit(f"news corpus: no WCXB dev split at {root} (see ../shared/corpora)")
    index = json.loads((root / "index.json").read_text(encoding="utf-8"))["files"]
    sources = []
    for page_id, entry in sorted(index.items()):
        if entry["page_type"] != "article":
            continue
        truth = json.loads((root / "ground-truth" / f"{page_id}.json").read_text("utf-8"))
        text = truth["ground_truth"].get("main_content") or ""
        blocks = tuple(b.strip() for b in text.split("\n\n") if b.strip())
        date = truth["ground_truth"].get("publish_date")
        published = _parse_date(date)
        source = NewsSource(page_id, blocks, entry["domain"], published)
        if source.words >= MIN_WORDS and len(blocks) >= MIN_BLOCKS:
            sources.append(source)
    return distinct(sources)


def _parse_date(value: str | None) -> datetime | None:
    try:
        return datetime.strptime(value or "", "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


def distinct(sources: list[NewsSource]) -> list[NewsSource]:
    """Leave out a source sharing a long paragraph or ``DISTINCT_SHARE`` of its 8-grams
    with a kept one (the same press release on two sites): labels must be true."""
    seen_blocks: set[str] = set()
    seen_grams: set[str] = set()
    kept = []
    for source in sources:
        blocks = {
            " ".join(b.casefold().split())
            for b in source.blocks
            if len(b.split()) >= DISTINCT_PARAGRAPH_WORDS
        }
        words = " ".join(source.blocks).casefold().split()
        grams = {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}
        if blocks & seen_blocks or len(grams & seen_grams) > DISTINCT_SHARE * len(grams):
            continue
        kept.append(source)
        seen_blocks |= blocks
        seen_grams |= grams
    return kept


def build_news_corpus(
    seed: int = 20121016, root: Path = WCXB, min_excerpt_words: int = MIN_EXCERPT_WORDS
) -> list[NewsDoc]:
    """Both halves, each shuffled; deterministic for a ``seed``. ``min_excerpt_words=0``
    lets an excerpt be any 1-3 paragraphs, however short (a stress test)."""
    sources = load_sources(root)
    docs: list[NewsDoc] = []
    for half, templates in zip(HALVES, (TUNING, HELD_OUT), strict=True):
        rng = random.Random(f"{seed}:{half}")
        mine = [s for s in sources if half_of(s.id) == half]
        docs.extend(_build_half(mine, half, templates, rng, min_excerpt_words))
    return docs


def _build_half(
    sources: list[NewsSource],
    half: str,
    templates: TemplateSet,
    rng: random.Random,
    min_excerpt_words: int,
) -> list[NewsDoc]:
    sources = sources[:]
    rng.shuffle(sources)
    reposted = round(len(sources) * REPOSTED_SHARE)
    orphans = round(len(sources) * ORPHAN_SHARE)
    sites = _sites(templates, rng)
    small = set(rng.sample(range(len(sites)), SMALL_SITES))
    weights = [SMALL_WEIGHT if n in small else rng.choice((1, 2, 4, 8)) for n in range(len(sites))]
    maker = _Maker(templates, rng, half, sites, weights, min_excerpt_words)
    docs: list[NewsDoc] = []
    for number, source in enumerate(sources):
        if number < reposted:
            docs.extend(maker.story(source))
        elif number < reposted + orphans:
            docs.extend(maker.orphans(source))
        else:
            docs.append(maker.unrelated(source))
    rng.shuffle(docs)
    return docs


def _sites(templates: TemplateSet, rng: random.Random) -> list[Site]:
    bare = set(rng.sample(range(len(templates.sites)), SITES_WITHOUT_WRAPPER))
    sites = []
    for number, name in enumerate(templates.sites):
        slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
        section = rng.choice(templates.sections)
        header = tuple(
            h.format(site=name, section=section)
            for h in rng.sample(templates.headers, rng.randrange(1, 3))
        )
        footer = tuple(
            f.format(site=name, section=section)
            for f in rng.sample(templates.footers, rng.randrange(1, 4))
        )
        page_line = rng.choice((None, *templates.page_lines))
        if number in bare:
            header, footer, page_line = (), (), None
        sites.append(Site(f"{slug}.example", name, header, footer, page_line))
    return sites


class _Maker:
    """Makes the pages of one half: stories, orphans and unrelated articles."""

    def __init__(
        self,
        templates: TemplateSet,
        rng: random.Random,
        half: str,
        sites: list[Site],
        weights: list[int],
        min_excerpt_words: int,
    ) -> None:
        self.t, self.rng, self.half = templates, rng, half
        self.sites, self.weights = sites, weights
        self.min_words = min_excerpt_words
        self.kind_counts = dict.fromkeys(KINDS, 0)
        self.serial = 0

    def story(self, source: NewsSource) -> list[NewsDoc]:
        mode = self._date_mode()
        first = self._date(source)
        published = first if mode == "dated" else None
        docs = [self._doc(source, "original", source.blocks, source.outlet, published, mode)]
        for kind in self._kinds(self.rng.choice((2, 3, 3, 4))):
            date = self._later(first) if mode != "undated" and self.rng.random() < 0.9 else None
            docs.append(self._repost(source, kind, date, mode))
        return docs

    def orphans(self, source: NewsSource) -> list[NewsDoc]:
        count = 1 if self.rng.random() < 0.8 else 2
        kinds = self.rng.sample(("lead", "middle", "wire"), count)
        mode = "dated" if self.rng.random() < 0.5 else "undated"
        first = self._date(source)
        return [
            self._repost(source, kind, self._later(first) if mode == "dated" else None, mode, True)
            for kind in kinds
        ]

    def unrelated(self, source: NewsSource) -> NewsDoc:
        mode = "dated" if self.rng.random() < 0.5 else "undated"
        date = self._date(source) if mode == "dated" else None
        if self.rng.random() < UNRELATED_ON_SITES:
            site = self._site(wrapped=True)
            lines = self._wrap(site, [*source.blocks])
            return self._doc(source, "unrelated", lines, site.outlet, date, mode)
        return self._doc(source, "unrelated", source.blocks, source.outlet, date, mode)

    def _kinds(self, count: int) -> list[str]:
        """``count`` different kinds, the least used first (so kinds stay balanced)."""
        order = sorted(KINDS, key=lambda k: (self.kind_counts[k], self.rng.random()))[:count]
        for kind in order:
            self.kind_counts[kind] += 1
        return order

    def _repost(
        self, source: NewsSource, kind: str, date: datetime | None, mode: str, orphan=False
    ) -> NewsDoc:
        rng, t = self.rng, self.t
        site = self._site(wrapped=kind == "full")
        credited = self._outlet_name(source)
        blocks = list(source.blocks)
        if kind == "lead":
            body = span(blocks, 0, rng.randrange(1, 4), self.min_words)
            if rng.random() < 0.5:
                body.append(rng.choice(t.lead_trailers).format(outlet=credited))
        elif kind == "middle":
            start = rng.randrange(len(blocks) // 4 or 1, max(len(blocks) * 3 // 4, 2))
            intro = " ".join(p for p in (rng.choice(part) for part in t.intros) if p)
            body = [intro, *span(blocks, start, rng.randrange(1, 4), self.min_words)]
        elif kind == "wire":
            body = first_share(blocks, rng.uniform(0.5, 0.7))
            credit = rng.choice(t.wire_credits).format(wire=rng.choice(t.wires))
            body = [credit, *body] if rng.random() < 0.3 else [*body, credit]
        elif kind == "full":
            body = [*blocks, rng.choice(t.credits).format(outlet=credited)]
        else:
            body = edit(blocks, rng)
        if kind in ("lead", "middle") and rng.random() < 0.35:
            body.append(rng.choice(t.credits).format(outlet=credited))
        return self._doc(
            source, kind, self._wrap(site, body), site.outlet, date, mode, orphan=orphan
        )

    def _wrap(self, site: Site, body: list[str]) -> list[str]:
        page = []
        if site.page_line:
            page = [
                site.page_line.format(
                    author=self.rng.choice(self.t.authors),
                    date=f"{self.rng.randrange(1, 29)} March {self.rng.randrange(2019, 2026)}",
                    n=self.rng.randrange(2, 400),
                    section=self.rng.choice(self.t.sections),
                )
            ]
        return [*site.header, *page, *body, *site.footer]

    def _site(self, wrapped: bool) -> Site:
        pool = [
            (s, w) for s, w in zip(self.sites, self.weights, strict=True) if s.header or not wrapped
        ]
        return self.rng.choices([s for s, _ in pool], [w for _, w in pool])[0]

    def _outlet_name(self, source: NewsSource) -> str:
        """How a credit line names the original's outlet: its domain, or a name made of it."""
        if self.rng.random() < 0.5:
            return source.outlet
        label = source.outlet.removeprefix("www.").rsplit(".", 1)[0]
        return " ".join(part.capitalize() for part in re.split(r"[.-]", label))

    def _date_mode(self) -> str:
        modes, weights = zip(*DATE_MODES, strict=True)
        return self.rng.choices(modes, weights)[0]

    def _date(self, source: NewsSource) -> datetime:
        return source.published or datetime(2024, 1, 1, tzinfo=UTC) + timedelta(
            hours=self.rng.randrange(24 * 600)
        )

    def _later(self, first: datetime) -> datetime:
        return first + timedelta(hours=self.rng.randrange(1, 24 * 30))

    def _doc(
        self,
        source: NewsSource,
        kind: str,
        blocks: Sequence[str],
        outlet: str,
        published: datetime | None,
        mode: str,
        orphan: bool = False,
    ) -> NewsDoc:
        story_id = _source_key(self.half, source)
        doc_id = story_id
        if kind not in ("original", "unrelated"):
            self.serial += 1
            doc_id = _opaque(f"{self.half}:{source.id}:{kind}:{self.serial}")
        return NewsDoc(
            doc_id, "\n".join(blocks), published, outlet, story_id, kind, self.half, mode, orphan
        )


def _source_key(half: str, source: NewsSource) -> str:
    """The id of a source's original, and the story label of every page carrying it."""
    return _opaque(f"{half}:{source.id}")


def _opaque(name: str) -> str:
    """An id that says nothing of what the page is (ids break ties in the canonical choice)."""
    return hashlib.blake2b(name.encode(), digest_size=6).hexdigest()
