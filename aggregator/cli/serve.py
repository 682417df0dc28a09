"""``aggregator serve``: browse and query the store in Datasette."""

from __future__ import annotations

from pathlib import Path

import click

from aggregator.cli.base import db_option, main
from aggregator.errors import AggregatorError
from aggregator.store import Store
from aggregator.store.engine import sqlite_path


@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
@click.option(
    "--metadata",
    "metadata_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Datasette metadata to use instead of the shipped one (same layout).",
)
def serve(db_url: str, host: str, port: int, metadata_path: Path | None) -> None:
    """Open the store in Datasette: tables, views, facets, full-text search, example queries.

    The store's stories and reposts views come with facets, articles with
    full-text search, and the example queries of docs/schema.md are stored
    queries (each has a JSON API: add .json to its URL). Story ids and titles
    link to story pages (/-/story/ID, as `aggregator report ID` writes them);
    /-/digest?since=DATE&until=DATE is the digest. SQLite stores only; needs
    the serve extra: pip install 'aggregator[serve]'.

    \b
    Example:
      aggregator serve --db sqlite:///data/demo.sqlite
      curl 'http://127.0.0.1:8001/demo/most_reposted.json?_shape=array'
    """
    path = sqlite_path(db_url)
    if path is None:
        raise AggregatorError("Datasette serves SQLite stores only; give --db sqlite:///FILE")
    try:
        import uvicorn
        from datasette.app import Datasette
        from datasette.plugins import pm

        from aggregator.report.datasette_plugin import PLUGIN_NAME, ReportPlugin
        from aggregator.store.browse import METADATA_FILE, metadata_for
    except ImportError:
        raise AggregatorError("serve needs Datasette: pip install 'aggregator[serve]'") from None
    # No store there: exit 3; else the schema (views, FTS index) is brought up to date first.
    with Store(db_url, create=False) as store:
        metadata = metadata_for(path.stem, metadata_path or METADATA_FILE)
        # Registered in this process only: the story pages and digest read this store.
        pm.register(ReportPlugin(store, database=path.stem), name=PLUGIN_NAME)
        datasette = Datasette(files=[str(path)], metadata=metadata, cors=False)
        base = f"http://{host}:{port}"
        click.echo(
            f"serving {path} on {base}/{path.stem} (story pages {base}/-/story/ID, "
            f"digest {base}/-/digest; Ctrl-C stops)",
            err=True,
        )
        uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")
