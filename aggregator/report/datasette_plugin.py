"""The story pages and the digest inside Datasette, for ``aggregator serve`` (issue 14, item 3).

``aggregator serve`` registers a ``ReportPlugin`` in its own process, so the
pages are served from the same store Datasette browses:

    /-/story/ID                       a story page (the same HTML as `aggregator report ID`)
    /-/digest?since=DATE&until=DATE   a digest (default: the month of the newest story)

and story ids and titles in ``story_overview``, ``reposts``, ``stories`` and
the stored queries link to their story pages. Needs the ``serve`` extra.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import click
from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup, escape
from sqlalchemy import func, select

from aggregator.cli.stories import DateParam
from aggregator.errors import UnknownStoryError
from aggregator.report.digest import load_digest
from aggregator.report.render import Links, Renderer
from aggregator.report.story import load_story_page
from aggregator.store import Store, StoryRow

# (table or view, column) whose value is a story id; None is a stored query's result.
STORY_ID_COLUMNS = {
    ("story_overview", "story_id"),
    ("reposts", "story_id"),
    ("stories", "id"),
    (None, "story_id"),
}
# (table or view, title column) -> the column holding that story's id.
STORY_TITLE_COLUMNS = {
    ("story_overview", "title"): "story_id",
    ("reposts", "story_title"): "story_id",
    ("stories", "title"): "id",
}
PLUGIN_NAME = "aggregator-report"


class ReportPlugin:
    """Datasette hooks bound to one store (the one ``aggregator serve`` opened)."""

    # Datasette lists plugins by __name__ and looks for static files and templates in the
    # package of that name: a name that is no package keeps our templates out of its own.
    __name__ = PLUGIN_NAME

    def __init__(self, store: Store, database: str) -> None:
        self.store = store
        self.database = database
        self._renderer: Renderer | None = None

    @hookimpl
    def register_routes(self, datasette: Any) -> list[tuple[str, Any]]:
        return [
            (r"^/-/story/(?P<story_id>[0-9]{1,18})$", self.story_page),
            (r"^/-/digest$", self.digest_page),
        ]

    @hookimpl
    def menu_links(self, datasette: Any, actor: Any, request: Any) -> list[dict[str, str]]:
        return [{"href": datasette.urls.path("/-/digest"), "label": "Story digest"}]

    @hookimpl
    def render_cell(
        self, row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
    ) -> Markup | None:
        """Story ids and titles link to their story pages."""
        if database != self.database:
            return None
        if (table, column) in STORY_ID_COLUMNS and isinstance(value, int):
            return _link(datasette.urls.path(f"/-/story/{value}"), str(value))
        id_column = STORY_TITLE_COLUMNS.get((table or "", column))
        if id_column and isinstance(value, str):
            story_id = _story_id(row, id_column)
            if story_id is not None:
                return _link(datasette.urls.path(f"/-/story/{story_id}"), value)
        return None

    async def story_page(self, request: Any, datasette: Any) -> Response:
        story_id = int(request.url_vars["story_id"])
        try:
            html = await asyncio.to_thread(self._story_html, datasette, story_id)
        except UnknownStoryError as exc:
            return Response.text(str(exc), status=404)
        return Response.html(html)

    async def digest_page(self, request: Any, datasette: Any) -> Response:
        try:
            since = _date(request.args.get("since"), end_of_day=False)
            until = _date(request.args.get("until"), end_of_day=True)
        except click.BadParameter as exc:
            return Response.text(exc.format_message(), status=400)
        if since and until and until <= since:  # as `aggregator report` refuses it (exit 2)
            return Response.text("Invalid value for 'until': must be after since", status=400)
        html = await asyncio.to_thread(self._digest_html, datasette, since, until)
        return Response.html(html)

    def _story_html(self, datasette: Any, story_id: int) -> str:
        with self.store.session() as session:
            return self.renderer(datasette).story(load_story_page(session, story_id))

    def _digest_html(self, datasette: Any, since: datetime | None, until: datetime | None) -> str:
        with self.store.session() as session:
            if since is None and until is None:
                since, until = _newest_month(session)
            return self.renderer(datasette).digest(load_digest(session, since, until))

    def renderer(self, datasette: Any) -> Renderer:
        """One renderer for the process (its templates compiled once), links into Datasette."""
        if self._renderer is None:
            links = Links(
                story=lambda story_id: datasette.urls.path(f"/-/story/{story_id}"),
                digest=datasette.urls.path("/-/digest"),
                home=datasette.urls.table(self.database, "story_overview"),
                digest_form=True,
            )
            self._renderer = Renderer(links)
        return self._renderer


def _link(href: str, text: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(href, escape(text))


def _story_id(row: Any, column: str) -> int | None:
    try:
        value = row[column]
    except (KeyError, IndexError):
        return None
    return value if isinstance(value, int) else None


def _date(text: str | None, end_of_day: bool) -> datetime | None:
    """A query-string date, read as ``aggregator report --since/--until`` read it."""
    if not text:
        return None
    return DateParam(end_of_day=end_of_day).convert(text, None, None)


def _newest_month(session: Any) -> tuple[datetime | None, datetime | None]:
    """The calendar month of the newest dated story: the digest a visitor sees first."""
    newest = session.scalar(select(func.max(StoryRow.first_published)))
    if newest is None:
        return None, None
    start = datetime(newest.year, newest.month, 1, tzinfo=UTC)
    following = datetime(newest.year + newest.month // 12, newest.month % 12 + 1, 1, tzinfo=UTC)
    return start, following
