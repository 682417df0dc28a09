"""Story pages and digests: how a story spread, as HTML an analyst opens in a browser (issue 14).

    load_story_page(session, story_id)      what a story page shows   (story.py)
    load_digest(session, since, until)      what a digest shows       (digest.py)
    Renderer(links).story(page) / .digest(digest)   self-contained HTML (render.py)

``align.py`` finds which paragraphs of the original each repost took,
``timeline.py`` places the articles on one lane per outlet, and
``datasette_plugin.py`` serves the same pages inside ``aggregator serve``.
"""

from __future__ import annotations

from aggregator.errors import UnknownStoryError
from aggregator.report.digest import Digest, load_digest
from aggregator.report.render import Links, Renderer
from aggregator.report.story import StoryPage, load_story_page

__all__ = [
    "Digest",
    "Links",
    "Renderer",
    "StoryPage",
    "UnknownStoryError",
    "load_digest",
    "load_story_page",
]
