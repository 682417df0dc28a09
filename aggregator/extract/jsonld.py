"""The page's JSON-LD, parsed once and read by the metadata and date readers.

News sites describe the article in schema.org JSON-LD (``NewsArticle``,
``BlogPosting``, often inside an ``@graph``); the article's own item is read
before any other (a ``WebSite`` or ``Organization`` item names no headline).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

from lxml import etree, html

logger = logging.getLogger(__name__)

_SCRIPTS = etree.XPath("//script[@type='application/ld+json']")
_ARTICLE_TYPES = ("Article", "Posting", "Report")


class JsonLd:
    """The JSON-LD items of one page, the article's items first."""

    def __init__(self, items: list[dict]) -> None:
        self.items = sorted(items, key=lambda item: not is_article_item(item))

    @classmethod
    def from_tree(cls, tree: html.HtmlElement) -> JsonLd:
        items: list[dict] = []
        for script in _SCRIPTS(tree):
            try:
                data = json.loads(script.text_content())
            except ValueError:
                logger.debug("unreadable JSON-LD block skipped")
                continue
            items.extend(_flatten(data))
        return cls(items)

    def strings(self, field: str) -> list[str]:
        """Every string value of ``field`` (a string or a list of strings), article items first."""
        found = []
        for item in self.items:
            value = item.get(field)
            for entry in value if isinstance(value, list) else [value]:
                if isinstance(entry, str | int) and str(entry).strip():
                    found.append(str(entry).strip())
        return found

    def author_names(self) -> list[str]:
        """The article's authors: ``author`` as a name, a Person, or a list of either."""
        for item in self.items:
            value = item.get("author")
            names = [_name(entry) for entry in (value if isinstance(value, list) else [value])]
            names = [n for n in names if n]
            if names:
                return names
        return []

    def publisher_name(self) -> str | None:
        for item in self.items:
            name = _name(item.get("publisher"))
            if name:
                return name
        return None


def _name(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    return value.strip() if isinstance(value, str) and value.strip() else None


def is_article_item(item: dict) -> bool:
    """An item whose ``@type`` is an Article, a BlogPosting, a Report (or a kind of them)."""
    types = item.get("@type")
    types = types if isinstance(types, list) else [types]
    return any(isinstance(t, str) and t.endswith(_ARTICLE_TYPES) for t in types)


def _flatten(data: object) -> Iterator[dict]:
    """Top-level items, the members of an ``@graph``, and lists of either."""
    if isinstance(data, list):
        for entry in data:
            yield from _flatten(entry)
    elif isinstance(data, dict):
        if isinstance(data.get("@graph"), list):
            yield from _flatten(data["@graph"])
        else:
            yield data
