"""The examples in the dedup docstrings run."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from aggregator.dedup import DedupConfig, fingerprint, matcher, postings


@pytest.mark.parametrize("module", [fingerprint, matcher, postings], ids=lambda m: m.__name__)
def test_docstring_examples(module) -> None:
    result = doctest.testmod(module, extraglobs={"DedupConfig": DedupConfig, "np": np})
    assert result.attempted > 0 and result.failed == 0
