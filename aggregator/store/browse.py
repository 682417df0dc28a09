"""The store in Datasette: the shipped metadata (facets, full-text search, stored queries).

``datasette.yaml`` beside this module describes a database called
``aggregator`` (the default store's name); Datasette names a database after
its file, so ``metadata_for`` renames that entry to the store being served.
Needs PyYAML, which the ``serve`` extra (Datasette) brings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

METADATA_FILE = Path(__file__).with_name("datasette.yaml")
METADATA_DATABASE = "aggregator"


def shipped_metadata(path: Path = METADATA_FILE) -> dict[str, Any]:
    """The metadata file, read afresh (callers may change what they get)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def example_queries(path: Path = METADATA_FILE) -> dict[str, dict[str, str]]:
    """The stored queries by name: title, description and SQL (also in docs/schema.md)."""
    return shipped_metadata(path)["databases"][METADATA_DATABASE]["queries"]


def metadata_for(database: str, path: Path = METADATA_FILE) -> dict[str, Any]:
    """The metadata with its database entry renamed to ``database``."""
    metadata = shipped_metadata(path)
    databases = metadata["databases"]
    databases[database] = databases.pop(METADATA_DATABASE)
    return metadata
