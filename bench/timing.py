"""Timing helpers the benchmarks share: one core, CPU time, medians, peak traced memory."""

from __future__ import annotations

import os
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any


def pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def timed(engine: Callable[[Sequence], Any], docs: Sequence, repeats: int) -> tuple[Any, float]:
    """The engine's answer and its speed in docs per CPU second (median of ``repeats``)."""
    runs = []
    for _ in range(repeats):
        start = time.process_time()
        answer = engine(docs)
        runs.append(time.process_time() - start)
    return answer, len(docs) / statistics.median(runs)


def peak_bytes(engine: Callable[[Sequence], Any], docs: Sequence) -> int:
    tracemalloc.start()
    engine(docs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak
