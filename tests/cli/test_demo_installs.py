"""``aggregator demo`` from a wheel installed outside the repository: the demo ships in it.

Offline: the wheel is built without build isolation (this venv's setuptools), and
installed without dependencies into a fresh venv that finds them in this one
(a ``.pth`` line naming this venv's site-packages), so nothing is downloaded.
The source tree is copied without ``data/``, so nothing can be read from there.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from ..helpers import REPO

pytestmark = pytest.mark.slow

NOT_PACKAGED = (".git", ".venv", "data", "tests", "bench", "build", "dist", "*.egg-info")


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, cwd=cwd, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source") / "aggregator"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(*NOT_PACKAGED, "__pycache__"))
    dist = source.parent / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
        "--wheel-dir", dist, source, cwd=source.parent)  # fmt: skip
    (built,) = dist.glob("aggregator-*.whl")
    return built


def test_the_wheel_carries_the_demo_site_and_its_outlets(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "aggregator/demo/outlets.toml" in names
    assert "aggregator/demo/site/htw/index.html" in names
    assert "aggregator/demo/site/htw/wp-json/wp/v2/posts/index.json" in names


def test_the_demo_runs_from_the_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    site_packages = Path(
        run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            cwd=tmp_path).stdout.strip()
    )  # fmt: skip
    # The dependencies come from this venv; the package itself only from the wheel.
    (site_packages / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--quiet",
        wheel, cwd=tmp_path)  # fmt: skip
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = run(python, "-c", "import aggregator; print(aggregator.__file__)", cwd=elsewhere)
    assert where.stdout.startswith(str(site_packages)), "the installed package, not the source"
    result = run(venv / "bin" / "aggregator", "demo", cwd=elsewhere)
    assert "articles new 11" in result.stdout
    assert "Council on Foreign Relations" in result.stdout
    assert "excerpt" in result.stdout and "Human Traffic Watch" in result.stdout
    assert (elsewhere / "data" / "demo.sqlite").is_file()
