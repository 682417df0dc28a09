"""Outlet configuration: what a user writes, and the errors they get when it is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.config import load_config
from aggregator.demo import DEMO_CONFIG, DEMO_OUTLETS, DEMO_URL_VARIABLE
from aggregator.errors import ConfigError, UnknownOutletError

from ..helpers import CONFIG


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "outlets.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_config_has_the_seed_outlets() -> None:
    config = load_config(CONFIG)
    assert set(config.keys) == {"cfr", "nknews", "htw", "isn"}
    assert config.outlets["nknews"].feeds == ("https://www.nknews.org/feed/",)


def test_the_demo_outlets_have_a_config_of_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEMO_URL_VARIABLE, "http://127.0.0.1:1")
    config = load_config(DEMO_CONFIG)
    assert [o.key for o in config.select()] == list(DEMO_OUTLETS)
    assert config.outlets["demo-cfr"].url == "http://127.0.0.1:1/cfr/asia/"


def test_an_outlet_needs_only_a_key_and_a_home_page(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, '[outlets.htw]\nurl = "https://humantrafficwatch.wordpress.com/"\n')
    )
    outlet = config.outlets["htw"]
    assert outlet.name == "htw"
    assert outlet.scope == "https://humantrafficwatch.wordpress.com/"
    assert outlet.timezone == "UTC" and outlet.enabled


def test_scope_of_a_blog_in_a_sub_directory(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[outlets.a]\nurl = "http://example.org/blog/asia/"\n'))
    assert config.outlets["a"].scope == "http://example.org/blog/asia/"


def test_missing_url_names_file_line_and_key(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[outlets.ok]\nurl = "https://a.example/"\n\n[outlets.broken]\nname = "Broken"\n'
    )
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value).startswith(f"{path}:4: outlets.broken: missing required setting 'url'")


def test_unknown_setting_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[outlets.a]\nurl = "https://a.example/"\nfeedz = ["x"]\n')
    with pytest.raises(
        ConfigError, match=r"outlets.toml:3: outlets.a.feedz: unknown setting 'feedz'"
    ):
        load_config(path)


def test_wrong_type_and_bad_values(tmp_path: Path) -> None:
    cases = {
        'url = "https://a.example/"\nfeeds = "https://a.example/feed/"\n': r":3: outlets.a.feeds: feeds must be a list",
        'url = "ftp://a.example/"\n': r":2: outlets.a.url: 'ftp://a.example/' is not an absolute http\(s\) URL",
        'url = "https://a.example/"\ntimezone = "Mars/Olympus"\n': r":3: outlets.a.timezone: unknown time zone",
        'url = "https://a.example/"\nallow = ["("]\n': r":3: outlets.a.allow: bad pattern",
        'url = "https://a.example/"\nmax_pages = 0\n': r":3: outlets.a.max_pages: max_pages must be at least 1",
        'url = "https://a.example/"\nplatform = "drupal7"\n': r":3: outlets.a.platform: platform must be one of",
    }
    for body, message in cases.items():
        with pytest.raises(ConfigError, match=message):
            load_config(write(tmp_path, "[outlets.a]\n" + body))


def test_invalid_toml_reports_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[outlets.a]\nurl = "https://a.example/\n')
    with pytest.raises(ConfigError, match=r"invalid TOML: .*line 2"):
        load_config(path)


def test_missing_file_says_how_to_point_elsewhere(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="AGGREGATOR_CONFIG"):
        load_config(tmp_path / "nope.toml")


def test_unknown_outlet_lists_the_known_ones() -> None:
    with pytest.raises(UnknownOutletError) as error:
        load_config(CONFIG).select(["cfr", "bbc"])
    assert "unknown outlet: bbc" in str(error.value)
    assert "known outlets: cfr, htw, isn, nknews" in str(error.value)


def test_environment_variables_resolve_only_when_the_outlet_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(
        tmp_path,
        '[outlets.a]\nurl = "https://a.example/"\n\n[outlets.b]\nurl = "${HOST_B}/x/"\nenabled = false\n',
    )
    monkeypatch.delenv("HOST_B", raising=False)
    config = load_config(path)
    assert [o.key for o in config.select()] == ["a"]
    with pytest.raises(
        ConfigError, match=r"outlets.toml:5: outlets.b.url: environment variable HOST_B is not set"
    ):
        config.select(["b"])
    monkeypatch.setenv("HOST_B", "http://127.0.0.1:9")
    assert load_config(path).select(["b"])[0].url == "http://127.0.0.1:9/x/"
