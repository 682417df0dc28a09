"""``aggregator dedup --rebuild``: every link and story recomputed from the stored articles.

After a threshold change, or to check a store: the stored fingerprints are
indexed again (texts are read only for fingerprints of another shingle size,
which are then stored anew), every article's links are verified against all
the others, and the stories are reassigned. Because links and stories are
functions of the stored articles alone, a store kept by incremental crawls
comes out of a rebuild unchanged (``tests/dedup/test_order.py`` checks this).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from aggregator.dedup.config import DedupConfig
from aggregator.dedup.matcher import Matcher
from aggregator.dedup.persist import StoryWriter, link_row, load_rows
from aggregator.dedup.signatures import StoredFingerprints, save_signature, stored_fingerprints
from aggregator.dedup.verify import Link
from aggregator.store.engine import Store
from aggregator.store.models import ArticleRow, LinkRow, SignatureRow, StoryRow

_COMPONENT_BATCH = 500


@dataclass(frozen=True)
class RebuildResult:
    """What a rebuild did."""

    articles: int
    links: int
    stories: int
    stories_created: int
    fingerprints_refreshed: int
    sketches_stored: int


def rebuild(store: Store, config: DedupConfig, now: datetime | None = None) -> RebuildResult:
    """Recompute every link and story of ``store`` in one transaction."""
    loader = StoredFingerprints(store, config)
    matcher = Matcher(config, load=loader)
    with store.session() as session, session.begin():
        loader.session = session
        refreshed = _fingerprint_unsigned(session, loader)
        ids: dict[str, int] = {}
        for article_id, url, outlet, fingerprint, sketch, _ in stored_fingerprints(session, loader):
            matcher.add(url, outlet, fingerprint, sketch)
            ids[url] = article_id
        refreshed += len(loader.stale)
        sketched = _store_refreshed(session, matcher, ids, loader)
        links = _all_links(matcher, ids)
        session.execute(delete(LinkRow))
        for (low, high), link in links.items():
            session.add(link_row(low, high, link))
        session.flush()
        created = _write_stories(session, set(ids.values()), links, config, now)
        stories = session.query(StoryRow).count()
    return RebuildResult(len(ids), len(links), stories, created, refreshed, sketched)


def _fingerprint_unsigned(session: Session, loader: StoredFingerprints) -> int:
    """Articles stored without a fingerprint (a failed or older write) get one now."""
    missing = session.execute(
        select(ArticleRow.id, ArticleRow.text)
        .outerjoin(SignatureRow, SignatureRow.article_id == ArticleRow.id)
        .where(SignatureRow.article_id.is_(None))
    ).all()
    for article_id, text in missing:
        fingerprint = loader.fingerprinter.fingerprint(text)
        session.add(
            SignatureRow(
                article_id=article_id,
                shingle_size=fingerprint.shingle_size,
                fingerprint=fingerprint.to_bytes(),
            )
        )
    session.flush()
    return len(missing)


def _store_refreshed(
    session: Session, matcher: Matcher, ids: dict[str, int], loader: StoredFingerprints
) -> int:
    """Store the fingerprints that were recomputed (new shingle size, older format) and the
    sketches that were (missing, or another num_perm or seed)."""
    by_id = {article_id: url for url, article_id in ids.items()}
    for article_id in sorted(loader.stale | loader.unsketched):
        fingerprint = matcher.fingerprints.get(by_id[article_id])
        save_signature(session, article_id, fingerprint, matcher.sketch(fingerprint))
    session.flush()
    return len(loader.unsketched)


def _all_links(matcher: Matcher, ids: dict[str, int]) -> dict[tuple[int, int], Link]:
    """Every verified link, once per pair, measured from the lower article id's side."""
    links: dict[tuple[int, int], Link] = {}
    for url, article_id in ids.items():
        for link in matcher.links(url):
            other = ids[link.b]
            pair = (min(article_id, other), max(article_id, other))
            if pair not in links:
                measured = link if pair[0] == article_id else link.swapped()
                links[pair] = dataclasses.replace(measured, a=pair[0], b=pair[1])
    return links


def _write_stories(
    session: Session,
    article_ids: set[int],
    links: dict[tuple[int, int], Link],
    config: DedupConfig,
    now: datetime | None,
) -> int:
    """Assign stories component by component, in batches, keeping story ids by canonical."""
    old_canonicals = dict(session.execute(select(StoryRow.canonical_article_id, StoryRow.id)).all())
    writer = StoryWriter(session, old_canonicals, now)
    by_article: defaultdict[int, list[Link]] = defaultdict(list)
    for link in links.values():
        by_article[link.a].append(link)
    batch: list[int] = []
    for component in _components(article_ids, links):
        batch.extend(component)
        if len(batch) >= _COMPONENT_BATCH:
            _write_batch(writer, batch, by_article, config)
            batch = []
    if batch:
        _write_batch(writer, batch, by_article, config)
    writer.delete_unused(old_canonicals.values())
    return writer.created


def _write_batch(
    writer: StoryWriter, batch: list[int], by_article: dict[int, list[Link]], config: DedupConfig
) -> None:
    rows = load_rows(writer.session, batch)
    links = [link for article_id in batch for link in by_article.get(article_id, ())]
    writer.write(rows, links, config)
    writer.session.expunge_all()


def _components(article_ids: set[int], links: dict[tuple[int, int], Link]) -> list[list[int]]:
    """Connected components of the link graph (union-find), in a fixed order."""
    parent = {article_id: article_id for article_id in article_ids}

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for low, high in links:
        parent[root(high)] = root(low)
    groups: defaultdict[int, list[int]] = defaultdict(list)
    for article_id in sorted(article_ids):
        groups[root(article_id)].append(article_id)
    return list(groups.values())
