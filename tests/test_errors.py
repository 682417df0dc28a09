"""One exception tree (issue 12, item 6): every error class in aggregator.errors, each drawn in
its docstring with the exit code the CLI gives it."""

from __future__ import annotations

import ast

import aggregator.errors as errors
from aggregator.errors import AggregatorError, DiscoveryError

from .helpers import REPO

# A Scrapy IgnoreRequest (the scope middleware's refusal): Scrapy's control flow, not ours.
SCRAPY_EXCEPTIONS = {"spiders/scope.py": {"RefusedRequest"}}


def test_every_exception_class_lives_in_the_errors_module() -> None:
    elsewhere = []
    for package in ("aggregator", "spiders", "pipelines"):
        for path in (REPO / package).rglob("*.py"):
            relative = str(path.relative_to(REPO))
            if relative == "aggregator/errors.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.ClassDef)
                    and any(
                        ast.unparse(base).endswith(("Error", "Exception", "IgnoreRequest"))
                        for base in node.bases
                    )
                    and node.name not in SCRAPY_EXCEPTIONS.get(relative, set())
                ):
                    elsewhere.append(f"{relative}: {node.name}")
    assert elsewhere == []


def test_the_tree_is_drawn_with_each_exit_code() -> None:
    lines = (errors.__doc__ or "").splitlines()
    classes = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, AggregatorError)
    ]
    assert sorted(c.__name__ for c in classes) == sorted(
        name for name in errors.__all__ if not name.startswith("EXIT_")
    )
    for cls in classes:
        (line,) = [line for line in lines if f" {cls.__name__} " in f" {line} "]
        parent = cls.__mro__[1]
        if parent is not Exception:
            drawn = [line for line in lines if f" {parent.__name__} " in f" {line} "]
            assert lines.index(drawn[0]) < lines.index(line), f"{cls.__name__} under {parent}"
        if issubclass(cls, DiscoveryError):
            assert cls is DiscoveryError or f"``{cls.kind}``" in line
        else:
            assert line.rstrip().endswith(f"exit {cls.exit_code}"), line


def test_exit_codes_are_distinct_where_a_cron_job_acts_on_them() -> None:
    codes = {
        errors.ConfigError: 2,
        errors.StoreError: 3,
        errors.NothingFetchedError: 4,
        errors.StoreLockedError: 5,
        errors.OutletsFailedError: 6,
        errors.WorkersDiedError: 7,
    }
    assert {cls: cls.exit_code for cls in codes} == codes
    assert errors.EXIT_INTERRUPTED == 130
