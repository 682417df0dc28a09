"""Credit lines in plain text: "Source: X", "via X", "Originally published at X", ...

A crawl gets the credit line from the extractor (``Article.attribution``); a
caller of ``cluster`` hands over plain texts, so the line is found here, in the
first and last lines of the text, where reposting sites print it (under or over
their own header and footer lines). The line forms themselves are the
extractor's (``aggregator.extract.attribution.parse_credit``).
"""

from __future__ import annotations

from dataclasses import dataclass

from aggregator.extract.article import Attribution
from aggregator.extract.attribution import parse_credit

# How far from either end a credit line is looked for: a site's header or footer
# (a few lines each) may stand between it and the end of the page.
LOOK_AT_LAST = 8
LOOK_AT_FIRST = 6


@dataclass(frozen=True)
class Credited:
    """A text without its credit line, and what the line said (None: no credit line)."""

    text: str
    attribution: Attribution | None


def find_credit(text: str) -> Credited:
    """The credit line nearest either end of ``text`` (the end first), taken out of it.

    >>> found = find_credit("Body of the article.\\nSource: Council on Foreign Relations\\nShare this")
    >>> found.attribution.outlet, found.text
    ('Council on Foreign Relations', 'Body of the article.\\nShare this')
    >>> find_credit("No credit here.").attribution is None
    True
    """
    lines = text.split("\n")
    last = range(len(lines) - 1, max(len(lines) - 1 - LOOK_AT_LAST, -1), -1)
    first = range(min(LOOK_AT_FIRST, len(lines)))
    for index in (*last, *first):
        attribution = parse_credit(lines[index]) if lines[index].strip() else None
        if attribution is not None:
            return Credited("\n".join(lines[:index] + lines[index + 1 :]), attribution)
    return Credited(text, None)
