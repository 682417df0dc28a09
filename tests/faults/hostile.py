"""A hostile outlet served on 127.0.0.1: it steers the crawler anywhere it can (issue 11).

Its sitemap index names ``file://``, ``ftp://``, ``gopher://``, another host
(127.0.0.2, by address and by a name that resolves to it) and another port of
127.0.0.1; its pages redirect (302 and meta refresh) to those places, to
another outlet of the same server, and to pages of its own. ``Internal`` is
what answers on the places it must never reach, logging every request.

    /hostile/                     home: links to posts and to every redirector
    /hostile/sitemap.xml          index: one good child, the rest hostile
    /hostile/post-sitemap.xml     urlset of the posts
    /hostile/post-N/              articles (real prose)
    /hostile/moved-*/             302s; /hostile/refresh-*/ meta refreshes
    /wide/                        an outlet allowed off-site, linking to internal.test
    /sibling/                     another outlet on the same server
"""

from __future__ import annotations

from html import escape

from tests.crawl.resolver import INTERNAL_NAME
from tests.sites.generated import Site, prose
from tests.sites.pages import HTML, XML

Answer = tuple[int, str, bytes, dict[str, str]]
POSTS = 3


class HostileSite(Site):
    """The outlets under test; ``internal`` and ``other_port`` are set once those servers run."""

    def __init__(self) -> None:
        super().__init__()
        self.internal = ""  # http://127.0.0.2:PORT
        self.other_port = ""  # http://127.0.0.1:OTHER_PORT
        self.texts = prose(POSTS + 6)

    def redirects(self) -> dict[str, tuple[int, str]]:
        """Redirector name -> (302 or 0 for a meta refresh, where it points)."""
        named = self.internal.replace("127.0.0.2", INTERNAL_NAME)
        return {
            "moved-offsite": (302, f"{self.internal}/stolen/"),
            "moved-name": (302, f"{named}/named/"),
            "moved-port": (302, f"{self.other_port}/other-port/"),
            "moved-sibling": (302, "/sibling/post/"),
            "moved-inside": (302, "/hostile/landed/"),
            "refresh-offsite": (0, f"{self.internal}/stolen-by-refresh/"),
            "refresh-inside": (0, "/hostile/refreshed/"),
        }

    def route(self, path: str, query: dict[str, str]) -> Answer:
        name = path.strip("/").split("/")[-1]
        redirects = self.redirects()
        if path == "/hostile/":
            links = [f"/hostile/post-{i}/" for i in range(POSTS)]
            links += [f"/hostile/{r}/" for r in redirects]
            return 200, HTML, _page("Hostile home", "home blog", links), {}
        if path == "/hostile/sitemap.xml":
            return 200, XML, self.sitemap_index(), {}
        if path == "/hostile/post-sitemap.xml":
            urls = [f"/hostile/post-{i}/" for i in range(POSTS)]
            return 200, XML, _urlset(urls), {}
        if name in redirects:
            status, location = redirects[name]
            if status:
                return status, HTML, b"", {"Location": location}
            refresh = f"<meta http-equiv='refresh' content='0; url={escape(location)}'>"
            return 200, HTML, _page("Moved", "single", [], head=refresh), {}
        if path == "/wide/":
            named = self.internal.replace("127.0.0.2", INTERNAL_NAME)
            links = [f"{self.internal}/wide/by-address/", f"{named}/wide/by-name/"]
            return 200, HTML, _page("Wide home", "home blog", links), {}
        for number, slug in enumerate(("landed", "refreshed", "post-0", "post-1", "post-2")):
            if path == f"/hostile/{slug}/":
                return 200, HTML, _article(f"Hostile article {slug}", self.texts[number]), {}
        return 404, HTML, _page("Not found", "error404", []), {}

    def sitemap_index(self) -> bytes:
        named = self.internal.replace("127.0.0.2", INTERNAL_NAME)
        children = [
            "file:///etc/passwd",
            "file:///dev/zero",
            "ftp://127.0.0.1/sitemap.xml",
            "gopher://127.0.0.1:70/",
            f"{self.internal}/sitemap.xml",
            f"{named}/sitemap.xml",
            f"{self.other_port}/sitemap.xml",
            "/hostile/post-sitemap.xml",
        ]
        entries = "".join(f"<sitemap><loc>{escape(c)}</loc></sitemap>" for c in children)
        return (
            "<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
            f"{entries}</sitemapindex>"
        ).encode()


class Internal(Site):
    """What answers where the crawler must never go: every request is logged, then served."""

    def route(self, path: str, query: dict[str, str]) -> Answer:
        body = _article("Internal secret", prose(1)[0])
        return 200, HTML, body, {}


def _page(title: str, body_class: str, links: list[str], head: str = "") -> bytes:
    items = "".join(f"<li><a href='{escape(link)}'>{escape(link)}</a></li>" for link in links)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}</title>{head}"
        f"</head><body class='{body_class}'><h1>{escape(title)}</h1><ul>{items}</ul></body></html>"
    ).encode()


def _article(
    title: str, paragraphs: list[str], charset: str | None = "utf-8", encoding: str = "utf-8"
) -> bytes:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    meta = f"<meta charset='{charset}'>" if charset else ""
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>{escape(title)}</title></head>"
        f"<body class='single single-post'><article class='post'><h1>{escape(title)}</h1>"
        f"{body}</article></body></html>"
    ).encode(encoding)


def _urlset(paths: list[str]) -> bytes:
    entries = "".join(f"<url><loc>{escape(p)}</loc></url>" for p in paths)
    return (
        "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        f"{entries}</urlset>"
    ).encode()


RUSSIAN = (
    "Министр иностранных дел заявил журналистам, что переговоры о границе продолжатся "
    "на следующей неделе в столице. По его словам, стороны договорились о новых правилах "
    "пересечения границы для беженцев и торговцев. Эксперты считают, что соглашение "
    "позволит сократить очереди на пропускных пунктах и облегчит жизнь жителям приграничных "
    "районов. Оппозиция критикует власти за закрытость переговоров и требует опубликовать "
    "проект документа до его подписания."
)
JAPANESE = (
    "東京で開かれた国際会議では、難民支援の新しい枠組みについて活発な議論が行われました。 "
    "参加国の代表は、国境地域の人道状況が悪化していると指摘しました。 "
    "専門家は、長期的な支援と教育の機会が不可欠だと述べています。 "
    "会議の最後に、各国は来年までに具体的な行動計画をまとめることで合意しました。 "
) * 3


class TextSite(Site):
    """Pages whose bytes and labels disagree, and text with control characters (issue 11, item 7).

    /text/control-N/     an article with one control character (\\x01, \\x08, \\x1b, ...)
    /text/cp1251/        Windows-1251 bytes, labelled ISO-8859-1 by the header, 1251 by <meta>
    /text/cp1251-latin/  Windows-1251 bytes labelled ISO-8859-1 by the header alone
    /text/sjis/          Shift_JIS bytes labelled UTF-8 by the header
    /text/utf-16/        UTF-16 with a byte-order mark, no label; /text/utf-32/ likewise
    """

    CONTROLS = ("\x01", "\x08", "\x1b", "\x0b", "\x0c", "\x1f")

    def __init__(self) -> None:
        super().__init__()
        self.texts = prose(len(self.CONTROLS) + 2)

    def pages(self) -> list[str]:
        fixed = ["cp1251", "cp1251-latin", "sjis", "utf-16", "utf-32"]
        return [f"/text/control-{i}/" for i in range(len(self.CONTROLS))] + [
            f"/text/{name}/" for name in fixed
        ]

    def route(self, path: str, query: dict[str, str]) -> Answer:
        name = path.strip("/").split("/")[-1]
        if path == "/text/":
            return 200, HTML, _page("Text home", "home blog", self.pages()), {}
        if name.startswith("control-"):
            number = int(name.removeprefix("control-"))
            paragraphs = list(self.texts[number])
            paragraphs[1] = paragraphs[1].replace(". ", f".{self.CONTROLS[number]} ", 1)
            return 200, HTML, _article(f"Control character {number}", paragraphs), {}
        if name in ("cp1251", "cp1251-latin"):
            meta = "windows-1251" if name == "cp1251" else None
            body = _article("Новости с границы", [RUSSIAN], meta, "cp1251")
            return 200, "text/html; charset=iso-8859-1", body, {}
        if name == "sjis":
            body = _article("国境からのニュース", [JAPANESE], None, "shift_jis")
            return 200, "text/html; charset=utf-8", body, {}
        if name in ("utf-16", "utf-32"):
            text = _article(f"Wide text in {name}", self.texts[-1], None, "utf-8").decode()
            return 200, "text/html", ("\ufeff" + text).encode(f"{name}-le"), {}
        return 404, HTML, _page("Not found", "error404", []), {}


class IndexSite(Site):
    """An index of ``count`` sitemap indexes, each naming one more index (issue 11, finding 15).

    /many/               home; /many/sitemap.xml the index; /many/index-N.xml its children
    """

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def route(self, path: str, query: dict[str, str]) -> Answer:
        if path == "/many/":
            return 200, HTML, _page("Many home", "home blog", []), {}
        if path == "/many/sitemap.xml":
            return 200, XML, _index([f"/many/index-{i}.xml" for i in range(self.count)]), {}
        if path.startswith("/many/index-"):
            return 200, XML, _index([path.replace("index-", "deeper-")]), {}
        return 404, HTML, _page("Not found", "error404", []), {}


def _index(paths: list[str]) -> bytes:
    entries = "".join(f"<sitemap><loc>{escape(p)}</loc></sitemap>" for p in paths)
    return (
        "<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        f"{entries}</sitemapindex>"
    ).encode()
