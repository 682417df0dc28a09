"""A set of simple CSS selectors matched in one walk over the tree.

The chrome list has some 150 selectors; compiled to one XPath union, lxml
scans the tree once per selector. Almost all of them are a tag, an id, a
class or a class pair, which a set lookup per element answers, so one walk
does the work (profiled on bench/extraction.py: chrome removal went from a
fifth of the time per page to a small part of it).

Supported forms: ``tag``, ``#id``, ``.class``, ``.a.b``, ``[attr='value']``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import html

from aggregator.extract.elements import Elements

_ATTRIBUTE = re.compile(r"^\[(?P<name>[\w:-]+)='(?P<value>[^']*)'\]$")
_MARKED = {"class": "cls", "id": "id", "itemprop": "itemprop", "rel": "rel"}  # Marked's fields
_SIMPLE = re.compile(r"^(?:(?P<tag>[a-z][a-z0-9]*)|#(?P<id>[\w-]+)|(?P<classes>(?:\.[\w-]+)+))$")


class SelectorSet:
    """Which of a list of selectors an element matches, answered with set lookups.

    >>> chrome = SelectorSet(("nav", "#comments", ".share-buttons", ".links.inline"))
    >>> chrome.matches(html.fragment_fromstring('<ul class="links inline"></ul>'))
    True
    """

    def __init__(self, selectors: tuple[str, ...]) -> None:
        self.tags: dict[str, int] = {}
        self.ids: dict[str, int] = {}
        self.classes: dict[str, int] = {}
        self.class_sets: list[tuple[frozenset[str], int]] = []
        self.attributes: list[tuple[str, str, int]] = []
        for rank, selector in enumerate(selectors):
            self._add(selector, rank)

    def _add(self, selector: str, rank: int) -> None:
        attribute = _ATTRIBUTE.match(selector)
        simple = _SIMPLE.match(selector)
        if attribute:
            self.attributes.append((attribute["name"], attribute["value"], rank))
        elif simple and simple["tag"]:
            self.tags.setdefault(simple["tag"], rank)
        elif simple and simple["id"]:
            self.ids.setdefault(simple["id"], rank)
        elif simple and simple["classes"]:
            names = frozenset(simple["classes"].strip(".").split("."))
            if len(names) == 1:
                self.classes.setdefault(next(iter(names)), rank)
            else:
                self.class_sets.append((names, rank))
        else:
            raise ValueError(f"unsupported selector {selector!r}")

    def rank(self, element: html.HtmlElement) -> int | None:
        """The position of the first selector ``element`` matches, or None."""
        tag = element.tag
        if not isinstance(tag, str):
            return None  # comments and processing instructions
        return self._rank(
            element, tag, element.get("id") or "", element.get("class") or "", self.attributes
        )

    def _rank(
        self,
        element: html.HtmlElement,
        tag: str,
        identifier: str,
        classes: str,
        attributes: list[tuple[str, str, int]],
    ) -> int | None:
        # The smallest rank matched, without a list per element: ranked() asks for each one.
        best = self.tags.get(tag)
        rank = self.ids.get(identifier)
        if rank is not None and (best is None or rank < best):
            best = rank
        if classes:
            names = set(classes.split())
            if not self.classes.keys().isdisjoint(names):  # most elements match no selector
                rank = min(self.classes[n] for n in names if n in self.classes)
                if best is None or rank < best:
                    best = rank
            for wanted, rank in self.class_sets:
                if (best is None or rank < best) and wanted <= names:
                    best = rank
        for name, value, rank in attributes:
            if (best is None or rank < best) and element.get(name) == value:
                best = rank
        return best

    def matches(self, element: html.HtmlElement) -> bool:
        return self.rank(element) is not None

    def select(self, root: html.HtmlElement) -> Iterator[html.HtmlElement]:
        """Matching elements under ``root`` (itself included), in document order."""
        return (element for element in root.iter() if self.matches(element))

    def ranked(self, elements: Elements) -> Iterator[tuple[int, html.HtmlElement]]:
        """Each matching element of a page read whole, with its rank, in document order
        (from the attributes ``elements`` has read, rather than reading them again).

        An attribute selector whose value no element's attribute holds is left out for the
        page; an element no tag, id or class selector names is then passed over without
        the full rank (most elements: this runs for every element of a page, three times).
        """
        attributes = [a for a in self.attributes if not _absent(elements, *a[:2])]
        tags, ids, classes, sets = self.tags, self.ids, self.classes.keys(), self.class_sets
        for m in elements:
            if (
                attributes
                or m.tag in tags
                or m.id in ids
                or (m.cls and (sets or not classes.isdisjoint(m.cls.split())))
            ):
                rank = self._rank(m.element, m.tag, m.id, m.cls, attributes)
                if rank is not None:
                    yield rank, m.element


def _absent(elements: Elements, name: str, value: str) -> bool:
    """No element of the page has ``name="value"`` (told only for what ``Elements`` reads)."""
    field = _MARKED.get(name)
    return field is not None and not elements.mention(field, value)
