"""Credit lines: "Source: X", "[Excerpts from Opinion by A, role at X]", "Originally published at X".

A repost's credit line becomes structured data (credited outlet, author, link)
and leaves the body text, so it neither pollutes the text nor the comparison.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from lxml import etree, html

from aggregator.extract.article import Attribution

_OUTLET = r"(?P<outlet>[^\n]{2,120}?)"
_BY_AUTHOR = r"(?:\s+by\s+(?P<author>[^,\n]{2,80}?))?"
# A trailing date ("... in The Diplomat on March 3, 2013") is not part of the outlet's name.
_DATE_TAIL = (
    r"(?:,?\s+(?:on\s+)?(?:\w+\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+\w+\.?\s+\d{4}|\d{4}-\d{2}-\d{2}))?"
)
_END = _DATE_TAIL + r"\s*[.)\]]?\s*$"
_CREDIT_FORMS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # Source: Council on Foreign Relations / (Source: ISN Blog) / Sources: X
        rf"^\(?\s*(?:source|sources|quelle|fuente)\s*[:：]\s*{_OUTLET}{_END}",
        # [Excerpts from Opinion by Evan Jones, program coordinator at the ... Network]
        r"^\[?\s*(?:excerpts?|excerpted|adapted|extracts?)\s+from\s+(?:an?\s+|the\s+)?"
        r"(?P<kind>opinion|op-?ed|article|editorial|column|essay|report|piece|commentary|interview)?\s*"
        r"(?:by\s+(?P<author>[^,\]\n]{2,80}?))?"
        r"(?:\s+(?:in|on|from)\s+" + _OUTLET + r")?"
        r"(?:,\s*(?P<role>[^\]\n]{2,200}?))?\s*\]?\s*\.?\s*$",
        # Originally published at/in/on X / First published in X
        rf"^(?:this (?:article|story|post|piece) was )?(?:originally|first)\s+(?:published|posted|appeared|ran)\s+"
        rf"(?:at|in|on|by)\s+{_OUTLET}{_END}",
        # This article (by A) first appeared in X
        rf"^this\s+(?:article|story|post|piece|op-?ed|commentary){_BY_AUTHOR}\s+(?:first|originally)\s+"
        rf"(?:appeared|was published|ran)\s+(?:in|on|at)\s+{_OUTLET}{_END}",
        # Reprinted with permission of/from X
        rf"^(?:reprinted|republished|reposted|reproduced)\s+(?:with\s+(?:kind\s+)?permission\s+)?"
        rf"(?:of|from|by)\s+{_OUTLET}{_END}",
        # Via X / H/T X / Courtesy of X / Read more at X
        rf"^(?:via|h/t|hat tip|courtesy of|read (?:more|the original|the full article) (?:at|on))"
        rf"\s*[:\-–]?\s*{_OUTLET}{_END}",
    )
)
_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "at",
        "de",
        "del",
        "der",
        "des",
        "die",
        "du",
        "for",
        "in",
        "la",
        "le",
        "of",
        "on",
        "the",
        "to",
        "und",
    ]
)
_LOOK_AT_LAST = 3
_LOOK_AT_FIRST = 1
_MAX_CREDIT_WORDS = 40


@dataclass(frozen=True)
class CreditSplit:
    paragraphs: list[str]
    attribution: Attribution | None


_BLOCKS = etree.XPath(
    ".//*[self::p or self::div or self::blockquote or self::h4 or self::h5 or self::h6"
    " or self::li or self::em or self::strong][normalize-space()]"
    "[not(.//p or .//div or .//blockquote or .//li)]"
)


def take_credit(root: html.HtmlElement) -> Attribution | None:
    """Find the credit line among the article container's last (or first) blocks and remove it.

    Done on the DOM, before trafilatura, so a credit line that is mostly a link
    (which trafilatura may judge as boilerplate) is still read, with its href.
    """
    blocks = _outermost(_BLOCKS(root))
    last = blocks[-_LOOK_AT_LAST:][::-1]
    first = blocks[:_LOOK_AT_FIRST]
    for block in (*last, *first):
        attribution = parse_credit(block.text_content())
        if attribution:
            links = block.xpath(".//a/@href")
            if links:
                attribution = replace(attribution, url=links[0])
            _drop_block(block, root)
            return attribution
    return None


def _outermost(blocks: list[html.HtmlElement]) -> list[html.HtmlElement]:
    """Blocks not inside another block of the list ("<p><em>credit</em></p>" counts once)."""
    chosen = set(blocks)
    return [b for b in blocks if not any(a in chosen for a in b.iterancestors())]


def _drop_block(block: html.HtmlElement, root: html.HtmlElement) -> None:
    """Remove the credit line, and its wrapper if the wrapper held nothing else."""
    while block.getparent() is not None and block.getparent() is not root:
        parent = block.getparent()
        if " ".join(parent.text_content().split()) != " ".join(block.text_content().split()):
            break
        block = parent
    if block.getparent() is not None:
        block.drop_tree()


def split_credit(paragraphs: list[str], tree: html.HtmlElement | None = None) -> CreditSplit:
    """Take the credit line out of the article's last (or first) paragraphs (the text-level net)."""
    last = range(len(paragraphs) - 1, max(len(paragraphs) - 1 - _LOOK_AT_LAST, -1), -1)
    first = range(min(_LOOK_AT_FIRST, len(paragraphs)))
    for index in (*last, *first):
        attribution = parse_credit(paragraphs[index])
        if attribution:
            if tree is not None:
                attribution = _with_link(attribution, tree)
            rest = paragraphs[:index] + paragraphs[index + 1 :]
            return CreditSplit(rest, attribution)
    return CreditSplit(paragraphs, None)


def parse_credit(line: str) -> Attribution | None:
    """The structured form of one credit line, or None when the line is not one."""
    line = " ".join(line.split())
    if not line or len(line.split()) > _MAX_CREDIT_WORDS:
        return None
    for form in _CREDIT_FORMS:
        match = form.match(line)
        if not match:
            continue
        groups = match.groupdict()
        outlet = _clean(groups.get("outlet"))
        author = _clean(groups.get("author"))
        if outlet and not _looks_like_a_name(outlet):
            continue
        if not outlet and not author:
            continue
        return Attribution(text=line, outlet=outlet, author=author)
    return None


def _looks_like_a_name(value: str) -> bool:
    """ "ISN Blog", "The New York Times", "nknews.org" -- not "a senior official said ..."."""
    words = value.split()
    if len(words) > 10:
        return False
    if re.fullmatch(r"[\w.-]+\.[a-z]{2,}(?:/\S*)?", value):
        return True
    significant = [w for w in words if w.casefold() not in _SMALL_WORDS]
    capitalised = sum(1 for w in significant if w[:1].isupper() or w[:1].isdigit())
    return bool(significant) and capitalised * 2 >= len(significant) and words[0][:1].isupper()


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip(" \t.,;:-–—()[]\"'“”")
    # "Reprinted with permission of the Asia Pacific Refugee Rights Network": the article
    # is the sentence's, not the name's (a capitalised "The" is kept: "The Korea Times").
    if value.startswith("the "):
        value = value[4:]
    return value or None


def _with_link(attribution: Attribution, tree: html.HtmlElement) -> Attribution:
    """Attach the href of the element that prints the credit line, or of a link naming the outlet."""
    wanted = " ".join(attribution.text.split())
    for element in tree.xpath("//p|//div|//em|//span|//strong|//blockquote"):
        if " ".join(element.text_content().split()) == wanted:
            links = element.xpath(".//a/@href")
            if links:
                return replace(attribution, url=links[0])
            break
    # Blogger writes paragraphs as bare text between <br>s: the line is no element of its own.
    for link in tree.iter("a"):
        name = " ".join(link.text_content().split())
        if name and name in (attribution.outlet, attribution.author) and link.get("href"):
            return replace(attribution, url=link.get("href"))
    return attribution
