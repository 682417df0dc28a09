"""Scrapyd deployment: `scrapyd-deploy --build-egg` packages a project that runs from the egg.

The egg is built from a copy of the project (scrapyd-deploy writes a setup.py
beside scrapy.cfg), then used the way Scrapyd uses it: zipped, first on the
path, with the settings its ``scrapy`` entry point names.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ..helpers import REPO

pytestmark = pytest.mark.slow

PROJECT_FILES = ("aggregator", "spiders", "pipelines", "scrapy.cfg", "pyproject.toml", "README.md")


@pytest.fixture(scope="module")
def egg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("project")
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, project / name)
    deploy = shutil.which("scrapyd-deploy", path=str(Path(sys.executable).parent))
    if deploy is None:
        pytest.skip("scrapyd-deploy is not installed (pip install 'aggregator[deploy]')")
    target = project / "aggregator.egg"
    result = subprocess.run(
        [deploy, "--build-egg", str(target)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return target


def test_scrapy_cfg_has_a_deploy_target() -> None:
    config = configparser.ConfigParser()
    config.read(REPO / "scrapy.cfg")
    assert config["settings"]["default"] == "aggregator.settings"
    assert config["deploy"]["project"] == "aggregator"
    assert config["deploy"]["url"].startswith("http://")


def test_the_egg_holds_the_project_and_its_settings_entry_point(egg: Path) -> None:
    names = set(zipfile.ZipFile(egg).namelist())
    assert {"aggregator/settings.py", "spiders/outlet.py", "pipelines/storage.py"} <= names
    assert "aggregator/store/migrations/versions/0001_first_schema.py" in names
    assert "aggregator/store/datasette.yaml" in names
    assert "aggregator/report/templates/story.html" in names
    entry_points = zipfile.ZipFile(egg).read("EGG-INFO/entry_points.txt").decode()
    assert "[scrapy]\nsettings = aggregator.settings" in entry_points


def run_from_egg(egg: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(egg), "SCRAPY_SETTINGS_MODULE": "aggregator.settings"}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_spider_and_the_store_work_from_the_zipped_egg(egg: Path, tmp_path: Path) -> None:
    listing = run_from_egg(egg, tmp_path, "-m", "scrapy", "list")
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.split() == ["outlet", "worker"]  # worker: past one machine (issue 15)
    store = tmp_path / "store.sqlite"
    opened = run_from_egg(
        egg, tmp_path, "-c",
        "import sys, aggregator\n"
        "from aggregator.store import Store\n"
        "assert aggregator.__file__.startswith(sys.argv[1]), aggregator.__file__\n"
        "Store('sqlite:///' + sys.argv[2]).close()\n",
        str(egg), str(store),
    )  # fmt: skip
    assert opened.returncode == 0, opened.stderr
    assert store.exists(), "the migrations ran from inside the egg"
