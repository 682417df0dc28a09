"""The original is the canonical without dates (issue 10): the structure of the texts decides.

Every text is the demo site's real prose; reposts are made of it the ways the
web makes them, with no publish dates anywhere unless a test says so.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from aggregator.cli import main
from aggregator.dedup import Doc, cluster, cluster_stories, read_credit
from aggregator.dedup.credit import find_credit
from aggregator.store import ArticleRow, LinkRow, Store, StoryRow

from ..helpers import CFR_ORIGINAL, HTW_ISN_REPOST
from .support import BROKERS, ESCAPE, demo_article, save

CFR = "Council on Foreign Relations"
HEADER = ["Skip to content The Daily Roundup Menu Search", "Welcome to The Daily Roundup."]
FOOTER = [
    "Share this: Facebook Twitter LinkedIn Email Print",
    "Subscribe to The Daily Roundup newsletter and get every new story in your inbox.",
    "Copyright The Daily Roundup. All rights reserved. Reproduction without permission is "
    "prohibited.",
    "Related posts from The Daily Roundup are listed in the sidebar; comments are moderated.",
]


def paragraphs(path: str) -> list[str]:
    return demo_article(path).text.split("\n")


def text(*lines: str) -> str:
    return "\n".join(lines)


def original() -> Doc:
    return Doc("original", text(*paragraphs(CFR_ORIGINAL)), None, CFR)


def excerpts() -> list[Doc]:
    """The shape of the issue: three excerpts of one original on three blogs, undated."""
    cfr = paragraphs(CFR_ORIGINAL)
    intro = "I came across this piece and wanted to share a part of it with readers here."
    return [
        Doc("lead", text(*cfr[:2]), None, "blog-a"),
        Doc("middle", text(intro, cfr[3]), None, "blog-b"),
        Doc("late", text("Quick share before the weekend:", *cfr[5:7]), None, "blog-c"),
    ]


def story_of(stories, key):
    return next(s for s in stories if key in s.keys)


def test_an_undated_original_is_the_canonical_of_its_excerpts_in_any_order() -> None:
    docs = [original(), *excerpts()]
    for seed in range(8):
        random.Random(seed).shuffle(docs)
        (story,) = cluster_stories(docs)
        assert story.canonical == "original", "an original is never a digest of its excerpts"
        assert story.reason == "contains the others' text"
        assert {role for _, role, _ in story.members[1:]} == {"excerpt"}


def test_teasers_on_the_original_s_own_site_do_not_make_it_a_digest() -> None:
    """Without dates, an outlet's page holding two of its other pages is its original, not a
    listing (a listing is undated and carries dated posts: see test_dedup)."""
    teasers = [Doc(doc.id, doc.text, None, CFR) for doc in excerpts()]
    (story,) = cluster_stories([*teasers, original()])
    assert story.canonical == "original"


def test_a_wrapped_copy_crediting_the_original_in_its_text_is_a_repost() -> None:
    cfr = paragraphs(CFR_ORIGINAL)
    copy = Doc("copy", text(*HEADER, *cfr, f"Source: {CFR}", *FOOTER), None, "roundup")
    (story,) = cluster_stories([copy, original()])
    assert story.canonical == "original"
    assert story.reason == "credited as the source by 1 repost"
    assert story.members[1][1] == "repost"


def test_a_credit_line_naming_someone_else_demotes_a_full_copy() -> None:
    cfr = paragraphs(CFR_ORIGINAL)
    copy = Doc("copy", text(*cfr, "This article first appeared in Asia Unbound."), None, "wire")
    (story,) = cluster_stories([copy, original()])
    assert story.canonical == "original" and story.reason == "the others credit another source"


def test_a_wire_copy_is_inside_its_original() -> None:
    cfr = paragraphs(CFR_ORIGINAL)
    wire = Doc("wire", text("(Continental Newswire)", *cfr[:4]), None, "wire")
    assert cluster([wire, original()]) == [["original", "wire"]]


def test_an_edited_copy_is_shorter_than_its_original() -> None:
    """Two paragraphs swapped, a sentence dropped, a few words changed."""
    cfr = paragraphs(CFR_ORIGINAL)
    edited = [cfr[0], cfr[2], cfr[1], *cfr[3:]]
    edited[3] = ". ".join(edited[3].split(". ")[1:])  # its first sentence dropped
    edited[5] = edited[5].replace(" the ", " a ", 2)
    copy = Doc("edited", text(*edited), None, "blog")
    (story,) = cluster_stories([copy, original()])
    assert story.canonical == "original" and story.reason == "longest text"


def test_lines_around_a_copy_tell_it_from_the_original() -> None:
    """A page line and a trailer around the whole text: no credit line, no site chrome."""
    cfr = paragraphs(CFR_ORIGINAL)
    copy = Doc(
        "copy",
        text("Posted by Dana Whitfield on 3 March 2023", *cfr, "Continue reading at CFR.org"),
        None,
        "blog",
    )
    (story,) = cluster_stories([copy, original()])
    assert story.canonical == "original" and story.reason == "the others add lines of their own"


def test_dates_still_come_first_when_both_pages_have_them() -> None:
    """A short press statement quoted whole in a later, longer article is the original."""
    statement = paragraphs(CFR_ORIGINAL)[3]
    early = demo_article(CFR_ORIGINAL).published
    docs = [
        Doc("statement", statement, early, "press"),
        Doc("article", text(*paragraphs(CFR_ORIGINAL)), early + timedelta(days=1), CFR),
    ]
    (story,) = cluster_stories(docs)
    assert story.canonical == "statement" and story.reason == "earliest published"


def test_a_roundup_of_two_earlier_articles_is_a_digest_that_glues_nothing() -> None:
    escape, brokers = demo_article(ESCAPE), demo_article(BROKERS)
    roundup = Doc(
        "roundup",
        text("This week's reading:", escape.text, "And also:", brokers.text),
        brokers.published + timedelta(days=3),
        "digest",
    )
    docs = [
        roundup,
        Doc("escape", escape.text, escape.published, "htw"),
        Doc("brokers", brokers.text, brokers.published, "htw"),
    ]
    stories = cluster(docs)
    assert len(stories) == 2 and all(s[0] in ("escape", "brokers") for s in stories)


def short_posts(count: int) -> list[str]:
    """Short posts of a reposting site: a real paragraph inside the site's header and footer."""
    firsts = [paragraphs(p)[n] for p in (ESCAPE, HTW_ISN_REPOST, BROKERS) for n in (1, 3)]
    return [text(*HEADER, firsts[n], *FOOTER) for n in range(count)]


@pytest.mark.parametrize("site_pages", [5, 6])
def test_lines_many_pages_of_one_site_share_never_link_two_stories(site_pages: int) -> None:
    """Excerpts whose originals are absent, on one reposting site: mostly its own lines."""
    posts = short_posts(site_pages)
    without_site = cluster([(f"post-{n}", post) for n, post in enumerate(posts)])
    assert len(without_site) < site_pages, "were the lines not the site's, they would link"
    docs = [Doc(f"post-{n}", post, None, "roundup") for n, post in enumerate(posts)]
    assert len(cluster(docs)) == site_pages


def test_credit_lines_are_found_in_plain_text() -> None:
    body = paragraphs(CFR_ORIGINAL)[1]
    for line, outlet in [
        (f"Source: {CFR}", CFR),
        ("via The Korea Times", "The Korea Times"),
        ("Originally published at nknews.org", "nknews.org"),
        ("This article first appeared in The Diplomat.", "The Diplomat"),
    ]:
        found = find_credit(text(*HEADER, body, line, *FOOTER))
        assert found.attribution.outlet == outlet
        assert line not in found.text and body in found.text
    excerpt = find_credit(text("[Excerpts from Opinion by Evan Jones, coordinator]", body))
    assert excerpt.attribution.author == "Evan Jones" and excerpt.text == body
    assert find_credit(text(body, "Share this: Facebook Twitter")).attribution is None


def test_a_credit_the_caller_gives_is_kept_and_the_text_left_alone() -> None:
    doc = read_credit(Doc("x", text("Body text.", "Source: Someone Else"), credit=CFR))
    assert doc.credit == CFR and doc.credit_line and "Source: Someone Else" in doc.text


def test_a_url_id_gives_a_doc_its_site() -> None:
    """Without an outlet, a doc whose id is a URL counts its host's repeated lines as chrome."""
    docs = [(f"https://www.roundup.example/{n}", post) for n, post in enumerate(short_posts(5))]
    assert len(cluster(docs)) == 5


def test_a_site_that_reposts_one_story_four_times_keeps_every_copy_in_it() -> None:
    """Its lead excerpt, two longer excerpts and the full copy on one site: their shared
    paragraphs are the story's text, not the site's chrome."""
    cfr = paragraphs(CFR_ORIGINAL)
    copies = [cfr[:2], cfr[:4], cfr[:6], cfr]
    docs = [
        Doc(f"copy-{n}", text(*HEADER, *body, *FOOTER), None, "roundup")
        for n, body in enumerate(copies)
    ]
    (story,) = cluster_stories([original(), *docs])
    assert story.canonical == "original" and len(story.members) == 5


def test_a_rebuild_gives_an_older_store_the_new_stories(db_url: str) -> None:
    """A store kept by the previous version: framing never measured, an excerpt as canonical."""
    store = Store(db_url)
    cfr = demo_article(CFR_ORIGINAL)
    undated = dataclasses.replace(cfr, published=None)
    save(store, "cfr", undated, 0)
    for number, doc in enumerate(excerpts()):
        page = dataclasses.replace(undated, url=f"http://blog.test/{doc.id}/", text=doc.text)
        save(store, "blog", page, number + 1)
    with store.session() as session, session.begin():
        assert session.query(StoryRow).one().canonical.url == cfr.url
        session.execute(
            update(LinkRow).values(article_framing_lines=None, other_framing_lines=None)
        )
        excerpt = session.scalar(select(ArticleRow).where(ArticleRow.url != cfr.url).limit(1))
        session.query(StoryRow).update(
            {"canonical_article_id": excerpt.id, "canonical_reason": "digest"}
        )
    result = CliRunner().invoke(main, ["dedup", "--rebuild", "--db", db_url])
    assert result.exit_code == 0 and "4 articles: 3 links, 1 stories" in result.output
    with store.session() as session:
        story = session.query(StoryRow).one()
        assert (
            story.canonical.url == cfr.url and story.canonical_reason == "contains the others' text"
        )
