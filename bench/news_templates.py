"""The lines reposting sites add around real news text, in two disjoint sets.

``bench/news_corpus.py`` reposts the *tuning* half of its source articles with
``TUNING`` and the *held-out* half with ``HELD_OUT``, so a rule fitted to one
set's wording shows up as a gap between the halves. Both sets use the general
credit-line forms any reader knows ("Source: X", "via X", "originally published
at X", "[Excerpts from ...]", "This article first appeared in X") but word
everything else differently: site names, headers and footers, bloggers' intros,
"read more" trailers, wire services.

Placeholders: ``{site}`` the reposting site's name, ``{outlet}`` the credited
outlet, ``{wire}`` a wire service, ``{author}`` a byline, ``{n}`` a number,
``{date}`` a date, ``{section}`` a section name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TemplateSet:
    """Everything a reposting site writes that is not the article."""

    sites: tuple[str, ...]
    headers: tuple[str, ...]  # lines above the article, the same on every page of a site
    footers: tuple[str, ...]  # lines below it, likewise
    page_lines: tuple[str, ...]  # per-page lines (byline, date): differ from page to page
    # A blogger's words above a quoted passage: an opener, then (maybe) a reason, then a
    # lead-in, so that few pages of a site carry the same intro.
    intros: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
    lead_trailers: tuple[str, ...]  # under a lead excerpt
    credits: tuple[str, ...]  # naming the original's outlet
    wire_credits: tuple[str, ...]  # naming a wire service
    wires: tuple[str, ...]
    authors: tuple[str, ...]
    sections: tuple[str, ...]


TUNING = TemplateSet(
    sites=(
        "The Morning Ledger",
        "Civic Notes",
        "Harbor Town Dispatch",
        "The Weekly Scroll",
        "Open Desk Review",
        "Pinecrest Daily",
        "The Aggregate",
        "Northgate Bulletin",
        "Plainview Post",
        "The Clipping Room",
        "Lantern Street Journal",
        "Redwood Reader",
    ),
    headers=(
        "{site} - the stories worth your time, collected every morning",
        "Welcome to {site}. We gather the best reporting from around the web.",
        "You are reading {site}, an independent news roundup",
        "{site} | Home | World | Business | Technology | Culture | Contact",
        "Skip to content {site} Menu Search",
        "Support independent curation: become a member of {site} today",
    ),
    footers=(
        "Share this: Facebook Twitter LinkedIn Email Print",
        "Subscribe to the {site} newsletter and get every new story in your inbox.",
        "Copyright {site}. All rights reserved. Reproduction without permission is prohibited.",
        "Related posts from {site} are listed in the sidebar; comments are moderated.",
        "Tags: news, analysis, roundup, daily reading, {section}",
        "Did you find this useful? Tell a friend about {site} and follow us for updates.",
        "About {site} | Privacy policy | Terms of use | Advertise with us",
    ),
    page_lines=(
        "Posted by {author} on {date}",
        "Filed under {section} by {author}, {date}",
        "{n} comments",
    ),
    intros=(
        (
            "Worth a read this week.",
            "I came across this piece and wanted to share a part of it with readers here.",
            "Some food for thought from elsewhere on the web.",
            "A friend sent me this and I think it deserves attention.",
            "Interesting take on a topic we have covered before.",
            "Quick share before the weekend.",
            "Back from a short break, and this was the first thing I read.",
        ),
        (
            "It says something I have been trying to put into words for a while.",
            "The argument is better made than anything I could write.",
            "Several of you asked about exactly this in the comments last month.",
            "I keep coming back to it.",
            "It changed my mind on a couple of points.",
            "",
            "",
        ),
        (
            "Here is the passage that caught my eye:",
            "An extract follows.",
            "From the article:",
            "The key paragraphs are quoted below.",
            "This bit stood out to me:",
            "Read it for yourself:",
        ),
    ),
    lead_trailers=(
        "Continue reading at {outlet}",
        "Read the rest of this article at {outlet}.",
        "The full article is available from {outlet}.",
    ),
    credits=(
        "Source: {outlet}",
        "Originally published at {outlet}.",
        "Via {outlet}",
        "This article first appeared in {outlet}.",
        "[Excerpts from an article in {outlet}]",
    ),
    wire_credits=(
        "Source: {wire}",
        "({wire})",
        "Via {wire}",
    ),
    wires=("Associated Press", "Reuters", "Continental Newswire", "Metro Press Service"),
    authors=("Dana Whitfield", "Marco Ruiz", "Priya Natarajan", "Tom Becker", "Editorial Staff"),
    sections=("Business", "Health", "Technology", "Lifestyle", "Science", "Money"),
)

HELD_OUT = TemplateSet(
    sites=(
        "Bayside Chronicle",
        "The Round Table",
        "Eastfield Observer",
        "News Harvest",
        "The Reading List",
        "Mill Creek Monitor",
        "Second Opinion Blog",
        "The Curator",
        "Summit Valley Times",
        "Quill and Ink",
        "The Front Porch",
        "Crosswind Gazette",
    ),
    headers=(
        "{site}: hand-picked articles from trusted sources",
        "This page is part of {site}'s daily selection of articles from other publications.",
        "Home » {section} » Latest from {site}",
        "Menu Home Latest Popular About {site} Donate",
        "{site} is reader-supported. When you buy through links on our site, we may earn a commission.",
        "Breaking news, features and commentary, curated by the {site} team",
    ),
    footers=(
        "Like this article? Share it with your friends on social media.",
        "Sign up for {site}'s free weekly digest and never miss a story.",
        "All content on {site} remains the property of its respective owners.",
        "Comments are closed for this article. Please read our community guidelines.",
        "More from {section}: see the latest articles in this section on {site}.",
        "Follow {site} on social media for more articles like this one.",
        "Contact us | Editorial policy | Cookie settings | Accessibility statement",
    ),
    page_lines=(
        "By {author} | {date}",
        "Updated {date} · {n} min read",
        "{n} people shared this",
    ),
    intros=(
        (
            "A colleague pointed me to this article.",
            "Here is something our readers may find useful.",
            "I do not agree with every point made here.",
            "Sharing a short extract from a longer article.",
            "From the archives of the wider web comes this one.",
            "Spotted this on my morning commute.",
            "Another one for the reading pile.",
        ),
        (
            "Still, the central section is well argued.",
            "Many of you asked about this subject.",
            "We have kept the wording exactly as published.",
            "It sums up the debate nicely.",
            "My notes are at the end.",
            "",
            "",
        ),
        (
            "The passage worth quoting:",
            "It is reproduced below for discussion in the comments.",
            "Quoted in full below:",
            "The relevant part reads as follows.",
            "See what you make of it:",
            "Here it is:",
        ),
    ),
    lead_trailers=(
        "Read the full story on {outlet}",
        "Full article: {outlet}",
        "Click through to {outlet} for the complete piece.",
    ),
    credits=(
        "Source: {outlet}",
        "This story was originally published by {outlet}.",
        "via {outlet}",
        "Reprinted with permission from {outlet}.",
        "[Excerpts from a report by {outlet}]",
        "This article first appeared on {outlet}",
    ),
    wire_credits=(
        "Source: {wire}",
        "Distributed by {wire}",
        "Copyright {wire}",
    ),
    wires=("Agence France-Presse", "United Press International", "Global Wire Service", "NewsLink"),
    authors=("Ana Kowalski", "Sam O'Neill", "Leila Haddad", "Jonas Berg", "The Editors"),
    sections=("Economy", "Wellness", "Tech", "Home", "Environment", "Careers"),
)
