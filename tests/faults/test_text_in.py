"""Text in, text out: control characters and lying charsets (issue 11, findings 9 and 10).

A crawl of ``tests.faults.hostile.TextSite`` on 127.0.0.1: every page is
stored, with its text as written, and each mislabelled charset is counted.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aggregator.charsets import decode_html
from aggregator.extract import extract_page
from tests.crawl.support import crawl, last_run, write_config
from tests.helpers import rows
from tests.sites.generated import Server

from .hostile import JAPANESE, RUSSIAN, TextSite, _article

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], dict]]:
    folder = tmp_path_factory.mktemp("text")
    with Server(TextSite()) as server:
        config = write_config(folder / "outlets.toml", text={"url": f"{server.url}/text/"})
        db_url = f"sqlite:///{folder / 'store.sqlite'}"
        # Japanese is written without spaces: fewer "words" than a page of English.
        result = crawl(config, db_url, "--set", "AGGREGATOR_MIN_ARTICLE_WORDS=5")
        assert result.returncode == 0, result.stderr
        texts = dict(rows(db_url, "select url, text from articles"))
        yield {url.removeprefix(server.url): text for url, text in texts.items()}, last_run(db_url)


@pytest.mark.slow  # runs `aggregator crawl` in a subprocess
def test_an_article_with_a_control_character_is_stored_without_it(stored) -> None:
    texts, _ = stored
    for number, control in enumerate(TextSite.CONTROLS):
        text = texts[f"/text/control-{number}/"]
        assert control not in text
        assert len(text.split()) > 100, "the whole article, not 0 words"


@pytest.mark.slow  # runs `aggregator crawl` in a subprocess
def test_mislabelled_charsets_are_read_from_the_bytes(stored) -> None:
    texts, run = stored
    assert RUSSIAN[:60] in texts["/text/cp1251/"], "header and <meta> disagree"
    assert RUSSIAN[:60] in texts["/text/cp1251-latin/"], "a label the bytes do not fit"
    assert JAPANESE[:30] in texts["/text/sjis/"]
    assert run["errors"] == {"wrong_charset": 3}


@pytest.mark.slow  # runs `aggregator crawl` in a subprocess
def test_utf16_and_utf32_with_a_byte_order_mark_are_read(stored) -> None:
    texts, run = stored
    assert len(texts["/text/utf-16/"].split()) > 100
    assert len(texts["/text/utf-32/"].split()) > 100
    assert "not_html" not in run["drops"]


@pytest.mark.parametrize("control", TextSite.CONTROLS)
def test_extraction_ignores_control_characters(control: str) -> None:
    site = TextSite()
    html = site.route(f"/text/control-{TextSite.CONTROLS.index(control)}/", {})[2].decode()
    article = extract_page(html, "http://127.0.0.1/text/").article
    assert article is not None and control not in article.text


@pytest.mark.parametrize(
    ("encoding", "header", "meta"),
    [
        ("cp1251", "iso-8859-1", "windows-1251"),
        ("cp1251", "windows-1252", None),
        ("koi8-r", "utf-8", None),
        ("shift_jis", None, None),
        ("shift_jis", "iso-8859-1", "shift_jis"),
    ],
)
def test_labels_the_bytes_do_not_fit_are_overruled(
    encoding: str, header: str | None, meta: str | None
) -> None:
    text = JAPANESE if encoding == "shift_jis" else RUSSIAN
    body = _article("-", [text], meta, encoding)
    assert text in decode_html(body, header)[0]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
def test_a_byte_order_mark_decides(encoding: str) -> None:
    body = ("\ufeff" if encoding == "utf-16-be" else "") + "<p>café naïve Новости</p>"
    assert decode_html(body.encode(encoding), "iso-8859-1") == ("<p>café naïve Новости</p>", None)


def test_western_text_keeps_its_label() -> None:
    text = "<p>Le café du coin était fermé à cause de la grève, déçu, le garçon rentra.</p>"
    assert decode_html(text.encode("latin-1"), "iso-8859-1") == (text, None)
    assert decode_html(text.encode("cp1252"), None) == (text, "missing_charset")
