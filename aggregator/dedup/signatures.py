"""Signatures in the store: each article's fingerprint and whole-text sketch, written with
it and read back to rebuild a crawl's matcher (or ``aggregator dedup --rebuild``'s)
without reading or hashing the texts again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime

from datasketch import LeanMinHash
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aggregator.dedup.config import DedupConfig
from aggregator.dedup.fingerprint import Fingerprint, Fingerprinter
from aggregator.dedup.matcher import Matcher
from aggregator.dedup.sketch import Sketcher, sketch_bytes
from aggregator.dedup.window import Window, window_start
from aggregator.store.engine import Store
from aggregator.store.models import ArticleRow, OutletRow, SignatureRow
from aggregator.store.types import stored_datetime

logger = logging.getLogger(__name__)

_BATCH = 500


def save_signature(
    session: Session,
    article_id: int,
    fingerprint: Fingerprint,
    sketch: LeanMinHash | None,
    new: bool = False,
) -> None:
    """Write an article's fingerprint and (when known) its whole-text MinHash; a ``new``
    article has no signature row yet."""
    signature = None if new else session.get(SignatureRow, article_id)
    if signature is None:
        signature = SignatureRow(article_id=article_id)
        session.add(signature)
    signature.shingle_size = fingerprint.shingle_size
    signature.fingerprint = fingerprint.to_bytes()
    signature.num_perm = len(sketch) if sketch is not None else None
    signature.seed = sketch.seed if sketch is not None else None
    signature.minhash = sketch_bytes(sketch) if sketch is not None else None


class StoredFingerprints:
    """Fingerprints of stored articles by URL, for a matcher's bounded cache.

    A fingerprint stored with another shingle size, or by an older version, is
    recomputed from the text (``stale`` holds those article ids; ``aggregator
    dedup --rebuild`` stores the new ones). With ``session`` set, reads go through
    it (a rebuild reads what its own transaction wrote).
    """

    def __init__(self, store: Store, config: DedupConfig) -> None:
        self.store = store
        self.fingerprinter = Fingerprinter(config)
        self.sketcher = Sketcher(config)
        self.stale: set[int] = set()
        # Articles whose stored sketch is missing or made under another num_perm or seed.
        self.unsketched: set[int] = set()
        self.session: Session | None = None

    def __call__(self, url: str) -> Fingerprint:
        if self.session is not None:
            return self._read(self.session, url)
        with self.store.session() as session:
            return self._read(session, url)

    def _read(self, session: Session, url: str) -> Fingerprint:
        found = session.execute(
            select(ArticleRow.id, SignatureRow.shingle_size, SignatureRow.fingerprint)
            .join(SignatureRow, SignatureRow.article_id == ArticleRow.id)
            .where(ArticleRow.url == url)
        ).one_or_none()
        if found is None:
            raise KeyError(url)
        article_id, shingle_size, blob = found
        return self.decode(session, article_id, shingle_size, blob)

    def decode(
        self, session: Session, article_id: int, shingle_size: int, blob: bytes
    ) -> Fingerprint:
        if shingle_size == self.fingerprinter.config.shingle_size:
            try:
                return Fingerprint.from_bytes(blob)
            except ValueError:
                pass  # written by an older version: recompute below
        self.stale.add(article_id)
        text = session.scalar(select(ArticleRow.text).where(ArticleRow.id == article_id))
        return self.fingerprinter.fingerprint(text)

    def decode_sketch(
        self, article_id: int, num_perm: int | None, seed: int | None, blob: bytes | None
    ) -> LeanMinHash | None:
        """The stored sketch, or None (noted in ``unsketched``) when it must be recomputed."""
        sketch = self.sketcher.load(blob, num_perm, seed)
        if sketch is None or article_id in self.stale:
            self.unsketched.add(article_id)
            return None
        return sketch


def load_matcher(store: Store, config: DedupConfig) -> Matcher:
    """A matcher that knows every stored article, built from stored fingerprints (no texts
    read unless the shingle size changed). It keeps ``config.cache_size`` fingerprints in
    memory and reads the others from the store when a candidate needs verifying.

    With ``config.window_days``, it knows the articles of that window only (``window.py``:
    by fetch date, up to the newest stored one), selected in SQL, and keeps to it while it
    runs: an article is then compared only with those of the window.
    """
    loader = StoredFingerprints(store, config)
    window = Window(config.window_days) if config.window_days else None
    matcher = Matcher(config, load=loader, window=window)
    with store.session() as session:
        since = None if window is None else _start(session, window)
        for _, url, outlet, fingerprint, sketch, fetched in stored_fingerprints(
            session, loader, since
        ):
            matcher.add(url, outlet, fingerprint, sketch, fetched=fetched)
    if since is not None:
        logger.info("dedup window: %d articles fetched since %s", len(matcher), since)
    if loader.stale:
        logger.warning(
            "%d stored fingerprints are out of date (another shingle size or an older "
            "version): run `aggregator dedup --rebuild`",
            len(loader.stale),
        )
    return matcher


def _start(session: Session, window: Window) -> datetime | None:
    """Where the window ends at the newest stored fetch date starts (None: an empty store)."""
    newest = stored_datetime(session.scalar(select(func.max(ArticleRow.fetched_at))))
    return None if newest is None else window_start(newest, window.days)


def stored_fingerprints(
    session: Session, loader: StoredFingerprints, since: datetime | None = None
) -> Iterator[tuple[int, str, str, Fingerprint, LeanMinHash | None, datetime]]:
    """Every stored article's (or those fetched ``since``) id, URL, outlet, fingerprint,
    sketch (if still valid) and fetch date."""
    query = (
        select(
            ArticleRow.id,
            ArticleRow.url,
            OutletRow.key,
            SignatureRow.shingle_size,
            SignatureRow.fingerprint,
            SignatureRow.num_perm,
            SignatureRow.seed,
            SignatureRow.minhash,
            ArticleRow.fetched_at,
        )
        .join(OutletRow, ArticleRow.outlet_id == OutletRow.id)
        .join(SignatureRow, SignatureRow.article_id == ArticleRow.id)
        .order_by(ArticleRow.id)
        .execution_options(yield_per=_BATCH)
    )
    if since is not None:
        query = query.where(ArticleRow.fetched_at >= since)
    for row in session.execute(query):
        article_id, url, outlet, shingle_size, blob, num_perm, seed, minhash, fetched = row
        fingerprint = loader.decode(session, article_id, shingle_size, blob)
        sketch = loader.decode_sketch(article_id, num_perm, seed, minhash)
        yield article_id, url, outlet, fingerprint, sketch, fetched
