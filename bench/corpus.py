"""The labelled corpus ``bench/dedup.py`` measures: real article text, reposted the ways blogs do.

Sources, all real prose and none written for this benchmark:

* the demo site's article pages (``aggregator/demo/site``: the seed pages and the
  other Human Traffic Watch posts), extracted by ``aggregator.extract``;
* the Python documentation as Debian ships it (``python3.X-doc``, PSF licence):
  the reStructuredText sources of the HOWTOs, the tutorial, "What's New", the
  FAQ and the library and language references, with markup and code removed,
  cut into articles of about 800 words at section boundaries; an article that
  repeats another's text (as "What's New" pages repeat each other) is left out,
  by a test on exact 8-grams that does not involve the detector (``distinct``).

From these a fixed random seed generates the labelled corpus: originals, and
reposts of five kinds (full copies, excerpts, edited copies, edited excerpts,
copies with leftover chrome and a credit line), plus same-topic negatives: two
articles from one document that share stock sentences copied between them.
Every repost is labelled with its original's story, so pairwise precision and
recall can be counted.
"""

from __future__ import annotations

import glob
import itertools
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

DOC_GLOB = "/usr/share/doc/python3*/html/_sources"
DOC_PARTS = ("howto", "tutorial", "whatsnew", "faq", "library", "reference", "using", "extending")
ARTICLE_WORDS = 800
MIN_PARAGRAPH_WORDS = 20

# Chrome lines the extractor can miss, verbatim from the seed pages
# (/work/shared/seeds: WordPress.com and self-hosted WordPress blogs).
CHROME_LINES = (
    "About these ads",
    "Leave a Reply",
    "Fill in your details below or click an icon to log in:",
    "You are commenting using your WordPress.com account. Log Out / Change )",
    "You are commenting using your Twitter account. Log Out / Change )",
    "You are commenting using your Facebook account. Log Out / Change )",
    "Get every new post delivered to your Inbox.",
    "Join {n} other followers",
    "Your email address will not be published. Required fields are marked *",
    "CFR experts give their take on the cutting-edge issues emerging in Asia today.",
    "Print Print Cite Cite Style: MLA APA Chicago Close",
    "%d bloggers like this:",
)
# Intro lines reposting blogs put above a copy, as the seed pages and their peers do.
INTRO_LINES = (
    "A reader sent us this piece; it is worth reading in full.",
    "The following article was first published elsewhere and is reproduced here with thanks.",
    "We are reposting this because it deserves a wider audience.",
    "An excerpt from a longer article follows; the full text is at the source.",
)
CREDIT_FORMS = ("Source: {outlet}", "[Excerpts from an article by {outlet}]", "Via {outlet}")
REPOST_KINDS = ("full", "excerpt", "edited", "edited_excerpt", "chrome")


@dataclass(frozen=True)
class LabelledDoc:
    """One article of the corpus, with the story it belongs to and how it was made."""

    id: str
    text: str
    published: datetime | None
    outlet: str
    credit: str | None
    story: str  # the id of the original this article carries (itself for an original)
    kind: str  # "original", "negative" (an original with stock sentences), or a REPOST_KIND


@dataclass(frozen=True)
class Source:
    """An original article before any reposting."""

    id: str
    paragraphs: tuple[str, ...]
    outlet: str
    topic: str  # the document it came from: articles of one topic share vocabulary


def doc_root() -> Path:
    """Where the Debian python3.X-doc package put the reStructuredText sources."""
    found = sorted(glob.glob(DOC_GLOB))
    if not found:
        raise SystemExit(
            "bench corpus: no Python documentation found under "
            f"{DOC_GLOB}; install it with `apt-get install python3-doc`"
        )
    return Path(found[-1])


_ROLE = re.compile(r":[\w:+-]+:`~?([^`<]*?)(?:\s*<[^>]*>)?`")
_LINK = re.compile(r"`([^`<]+?)\s*<[^>]*>`_+")
_LITERAL = re.compile(r"``([^`]*)``")
_EMPHASIS = re.compile(r"\*\*?([^*]+)\*\*?")
_REFERENCE = re.compile(r"`([^`]+)`_*")
_WORDLIKE = re.compile(r"^[\"(\u201c]?[A-Za-z][a-z\u2019'-]*[,.;:!?)\"\u201d]*$")
_UNDERLINE = re.compile(r"^([=\-~^\"'*+#`:.])\1{3,}\s*$")


def prose_paragraphs(rst: str) -> list[list[str]]:
    """Prose paragraphs of a reStructuredText file, grouped by section.

    Directives, tables, lists and code are left out: a paragraph is kept when it
    starts with a capital letter and at least three in four of its words are words.
    """
    sections: list[list[str]] = [[]]
    for block in re.split(r"\n\s*\n", rst):
        lines = [line.strip() for line in block.splitlines()]
        if not lines:
            continue
        if any(_UNDERLINE.match(line) for line in lines):
            sections.append([])
            continue
        text = _strip_markup(" ".join(lines))
        if _is_prose(lines[0], text):
            sections[-1].append(text)
    return [s for s in sections if s]


def _strip_markup(text: str) -> str:
    for pattern in (_ROLE, _LINK, _LITERAL, _EMPHASIS, _REFERENCE):
        text = pattern.sub(r"\1", text)
    text = re.sub(r"::$", ":", text)
    return re.sub(r"\s+", " ", text).strip()


def _is_prose(first_line: str, text: str) -> bool:
    if not first_line[:1].isupper() or first_line.startswith(("..", ">>>")):
        return False
    words = text.split()
    plain = sum(bool(_WORDLIKE.match(w)) for w in words)
    return len(words) >= MIN_PARAGRAPH_WORDS and plain >= 0.75 * len(words)


def documentation_sources(root: Path, limit: int) -> list[Source]:
    """Articles of about ``ARTICLE_WORDS`` words cut from the documentation, section-aligned."""
    sources: list[Source] = []
    for part in DOC_PARTS:
        for path in sorted((root / part).glob("*.rst.txt")):
            topic = f"{part}/{path.name.removesuffix('.rst.txt')}"
            for number, paragraphs in enumerate(_articles(path.read_text(encoding="utf-8"))):
                outlet = OUTLET_NAMES[f"pydocs-{part}"]
                sources.append(Source(f"{topic}#{number}", paragraphs, outlet, topic))
                if len(sources) >= limit:
                    return sources
    return sources


def distinct(sources: list[Source], share: float = 0.1) -> list[Source]:
    """Leave out documentation articles that repeat an earlier one's text (a "What's New"
    page repeats whole paragraphs of the one before): a source is kept only if none of
    its paragraphs and under ``share`` of its word 8-grams occur in the kept ones. The
    test is independent of the detector (exact 8-grams, a low bar), so the labels are true."""
    seen_paragraphs: set[str] = set()
    seen_grams: set[str] = set()
    kept = []
    for source in sources:
        paragraphs = [" ".join(p.casefold().split()) for p in source.paragraphs]
        words = " ".join(paragraphs).split()
        grams = {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}
        if seen_paragraphs.intersection(paragraphs) or len(grams & seen_grams) >= share * len(
            grams
        ):
            continue
        kept.append(source)
        seen_paragraphs.update(paragraphs)
        seen_grams |= grams
    return kept


def _articles(rst: str) -> Iterator[tuple[str, ...]]:
    current: list[str] = []
    words = 0
    for section in prose_paragraphs(rst):
        for paragraph in section:
            current.append(paragraph)
            words += len(paragraph.split())
            if words >= ARTICLE_WORDS:
                yield tuple(current)
                current, words = [], 0
    if words >= ARTICLE_WORDS // 2:
        yield tuple(current)


def demo_sources() -> tuple[list[LabelledDoc], list[Source]]:
    """The demo site's articles; the CFR piece and its Human Traffic Watch excerpt are one story."""
    from aggregator.demo import DEMO_SITE
    from aggregator.extract import ExtractOptions, extract_article

    docs, sources = [], []
    pages = sorted(DEMO_SITE.glob("*/**/index.html"))
    for page in pages:
        path = str(page.parent.relative_to(DEMO_SITE))
        if re.search(r"/(?:category|tag|page)/|^htw/\d{4}/\d{2}$|^(?:htw|cfr/asia|rrm)$", path):
            continue
        html = page.read_text(encoding="utf-8").replace("{{DEMO_ROOT}}", "http://demo.test")
        article = extract_article(html, f"http://demo.test/{path}/", ExtractOptions())
        if article is None:
            continue
        outlet = OUTLET_NAMES["demo-" + path.split("/")[0]]
        credit = article.attribution.outlet if article.attribution else None
        story = _demo_story(path)
        docs.append(
            LabelledDoc(path, article.text, article.published, outlet, credit, story, "demo")
        )
        sources.append(Source(path, tuple(article.text.split("\n")), outlet, "demo"))
    return docs, sources


def _demo_story(path: str) -> str:
    if path.endswith("the-underground-railroad-from-north-korea-to-freedom"):
        return "cfr/asia/2012/10/16/the-underground-railroad-from-north-korea-to-freedom"
    return path


OUTLET_NAMES = {
    "pydocs-howto": "Python HOWTOs",
    "pydocs-tutorial": "The Python Tutorial",
    "pydocs-whatsnew": "What's New in Python",
    "pydocs-faq": "Python FAQ",
    "pydocs-library": "The Python Library Reference",
    "pydocs-reference": "The Python Language Reference",
    "pydocs-using": "Python Setup and Usage",
    "pydocs-extending": "Extending and Embedding Python",
    "demo-htw": "Human Traffic Watch",
    "demo-cfr": "Council on Foreign Relations",
    "demo-rrm": "Refugee Rights Monitor",
}
REPOSTING_OUTLETS = 24


def build_corpus(
    seed: int = 20121016, originals: int = 800, digests: int = 20
) -> list[LabelledDoc]:
    """Demo articles, ``originals`` documentation articles, two or three reposts of four
    sources in five, and ``digests`` composite pages; shuffled with the fixed ``seed``."""
    rng = random.Random(seed)
    demo_docs, demo = demo_sources()
    sources = distinct(documentation_sources(doc_root(), originals))
    docs = list(demo_docs)
    start = datetime(2012, 1, 1, tzinfo=UTC)
    dates = {d.id: d.published for d in demo_docs}
    dates.update({s.id: start + timedelta(hours=rng.randrange(24 * 700)) for s in sources})
    negatives = _stock_sentence_pairs(sources, rng)
    for source in sources:
        kind = "negative" if source.id in negatives else "original"
        text = "\n".join(negatives.get(source.id, source.paragraphs))
        docs.append(
            LabelledDoc(source.id, text, dates[source.id], source.outlet, None, source.id, kind)
        )
    outlets = reposting_outlets(rng)
    pool = [s for s in sources + demo if s.id == _demo_story(s.id)]
    reposted = rng.sample(pool, k=len(pool) * 4 // 5)
    number = 0
    for source in reposted:
        for copy in range(rng.choice((2, 3))):
            kind = REPOST_KINDS[number % len(REPOST_KINDS)]
            number += 1
            outlet = rng.choice(outlets)
            docs.append(
                _repost(source, kind, f"{source.id}~{copy}", dates.get(source.id), outlet, rng)
            )
    docs.extend(digest_pages(docs, digests, rng))
    rng.shuffle(docs)
    return docs


def _stock_sentence_pairs(sources: list[Source], rng: random.Random) -> dict[str, tuple[str, ...]]:
    """Same-topic negatives: neighbouring articles of one document, a sentence or two copied
    from one into the other (the "Over 20,000 North Koreans have fled" case)."""
    changed: dict[str, tuple[str, ...]] = {}
    for first, second in itertools.pairwise(sources):
        if first.topic != second.topic or first.id in changed or second.id in changed:
            continue
        if rng.random() > 0.5:
            continue
        sentences = [s for p in first.paragraphs for s in _sentences(p) if len(s.split()) >= 8]
        if not sentences:
            continue
        stock = rng.sample(sentences, k=min(len(sentences), rng.choice((1, 2))))
        paragraphs = list(second.paragraphs)
        for sentence in stock:
            at = rng.randrange(len(paragraphs))
            paragraphs[at] = f"{paragraphs[at]} {sentence}"
        changed[first.id] = first.paragraphs
        changed[second.id] = tuple(paragraphs)
    return changed


def _sentences(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", paragraph) if s]


@dataclass(frozen=True)
class ReposterOutlet:
    key: str
    chrome: tuple[str, ...]
    chrome_rate: float  # share of its posts where the extractor left chrome in


def reposting_outlets(rng: random.Random) -> list[ReposterOutlet]:
    outlets = []
    for number in range(REPOSTING_OUTLETS):
        lines = rng.sample(CHROME_LINES, k=rng.randrange(3, 7))
        chrome = tuple(line.format(n=f"{rng.randrange(100, 5000):,}") for line in lines)
        outlets.append(ReposterOutlet(f"reposter-{number:02d}", chrome, rng.choice((0.0, 0.8))))
    return outlets


def _repost(
    source: Source,
    kind: str,
    doc_id: str,
    published: datetime | None,
    outlet: ReposterOutlet,
    rng: random.Random,
) -> LabelledDoc:
    paragraphs = list(source.paragraphs)
    if kind in ("excerpt", "edited_excerpt") and len(paragraphs) > 3:
        size = rng.choice((2, 2, 3, 4))
        begin = 0 if rng.random() < 0.4 else rng.randrange(len(paragraphs) - size + 1)
        paragraphs = paragraphs[begin : begin + size]
    if kind in ("edited", "edited_excerpt"):
        paragraphs = _edit(paragraphs, rng)
    credit = None
    if rng.random() < 0.7:
        credit = source.outlet
        paragraphs.append(rng.choice(CREDIT_FORMS).format(outlet=credit))
    if kind == "chrome" or rng.random() < outlet.chrome_rate:
        paragraphs.extend(outlet.chrome)
    date = None
    if published is not None and rng.random() < 0.9:
        date = published + timedelta(hours=rng.randrange(1, 24 * 30))
    return LabelledDoc(doc_id, "\n".join(paragraphs), date, outlet.key, credit, source.id, kind)


def _edit(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Copy-editing: typography, an intro line, a dropped paragraph, merged paragraphs, words."""
    edited = [_typography(p) for p in paragraphs]
    if len(edited) > 3 and rng.random() < 0.5:
        del edited[rng.randrange(1, len(edited))]
    if len(edited) > 2 and rng.random() < 0.3:
        at = rng.randrange(len(edited) - 1)
        edited[at : at + 2] = [f"{edited[at]} {edited[at + 1]}"]
    edited = [_edit_words(p, rng) for p in edited]
    if rng.random() < 0.5:
        edited.insert(0, rng.choice(INTRO_LINES))
    return edited


def _typography(paragraph: str) -> str:
    return (
        paragraph.replace("'", "\u2019")
        .replace(" -- ", " \u2014 ")
        .replace('"', "\u201c", 1)
        .replace('"', "\u201d", 1)
    )


def _edit_words(paragraph: str, rng: random.Random, rate: float = 1 / 40) -> str:
    """About one small edit per forty words: a word dropped, doubled, swapped or re-cased."""
    words = paragraph.split()
    out: list[str] = []
    for word in words:
        if rng.random() >= rate:
            out.append(word)
            continue
        action = rng.randrange(4)
        if action == 1:
            out.extend((word, word))
        elif action == 2:
            out.append(rng.choice(words))
        elif action == 3:
            out.append(word.upper())
    return " ".join(out)


def digest_pages(docs: list[LabelledDoc], count: int, rng: random.Random) -> list[LabelledDoc]:
    """Composite pages: two paragraphs from each of two different originals, as a digest prints."""
    originals = [d for d in docs if d.kind in ("original", "negative")]
    pages = []
    for number in range(count):
        first, second = rng.sample(originals, 2)
        parts = [p for d in (first, second) for p in d.text.split("\n")[:2]]
        pages.append(
            LabelledDoc(f"digest-{number}", "\n".join(parts), None, "digest", None, "", "digest")
        )
    return pages
