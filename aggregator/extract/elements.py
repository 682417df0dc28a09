"""The page's elements with the attributes our readers test, read in one walk.

The page-kind check, the metadata and the dates look for elements by class,
id, itemprop and rel. As XPath ``//*[contains(@class, ...) or ...]`` each of
those queries made libxml2 test every predicate on every element: a dozen
queries cost 15 ms a page on wcxb-dev (issue 9). One walk that reads the four
attributes once, then a Python test per element for each query, costs about
a tenth of that. Built before any chrome is removed; not kept across changes
to the tree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from lxml import html


class Marked(NamedTuple):
    """One element and its attributes as written ("" when absent)."""

    element: html.HtmlElement
    tag: str
    cls: str
    id: str
    itemprop: str
    rel: str


class Elements:
    """Every element of a page in document order, with ``Marked`` attributes.

    >>> page = html.fromstring('<div class="post"><h2 id="t">Hi</h2></div>')
    >>> [e.tag for e in Elements(page).where(lambda m: "post" in m.cls.split())]
    ['div']
    """

    def __init__(self, tree: html.HtmlElement) -> None:
        self.marked = [
            Marked(
                element,
                element.tag,
                element.get("class") or "",
                element.get("id") or "",
                element.get("itemprop") or "",
                element.get("rel") or "",
            )
            for element in tree.iter()
            if isinstance(element.tag, str)
        ]
        self._values: dict[str, str] = {}

    def mention(self, attribute: str, word: str) -> bool:
        """Does ``word`` (no spaces in it) occur in some element's ``attribute`` (``cls``,
        ``id``, ``itemprop`` or ``rel``)? A test that needs the word skips its walk without it.

        >>> Elements(html.fromstring('<p class="byline">x</p>')).mention("cls", "byline")
        True
        """
        values = self._values.get(attribute)
        if values is None:  # all the page's values, one string: a space parts them
            values = self._values[attribute] = " ".join(getattr(m, attribute) for m in self)
        return word in values

    def where(self, test: Callable[[Marked], bool]) -> list[html.HtmlElement]:
        """The elements that pass ``test``, in document order."""
        return [m.element for m in self.marked if test(m)]

    def in_order(self, elements: Iterable[html.HtmlElement]) -> list[html.HtmlElement]:
        """``elements`` once each, in document order (an XPath union's result)."""
        chosen = set(elements)
        return [m.element for m in self.marked if m.element in chosen] if chosen else []

    def __iter__(self) -> Iterator[Marked]:
        return iter(self.marked)
