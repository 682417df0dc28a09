"""The examples in the docstrings run: every module of the package that has one.

By concern, not by package: a docstring example anywhere is documentation a
reader copies, so one test finds them all.
"""

from __future__ import annotations

import doctest
import importlib
from types import ModuleType

import numpy as np
import pytest

from aggregator.dedup import DedupConfig

from .helpers import REPO

PACKAGES = ("aggregator", "spiders", "pipelines")


def modules_with_examples() -> list[str]:
    names = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if ">>>" in path.read_text(encoding="utf-8"):
                parts = path.relative_to(REPO).with_suffix("").parts
                names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


@pytest.mark.parametrize("name", modules_with_examples())
def test_docstring_examples(name: str) -> None:
    module: ModuleType = importlib.import_module(name)
    result = doctest.testmod(module, extraglobs={"DedupConfig": DedupConfig, "np": np})
    assert result.attempted > 0 and result.failed == 0
