"""The cluster's write path (issue 15, item 2): crawl workers push their writes to a Redis
Stream, and one story writer applies them to the store.

- ``codec``: a change to and from the JSON an entry carries (never pickle: the
  entry crosses the network);
- ``producer``: ``StreamWriter``, the crawl side (a ``StateWrites`` for the crawl
  state, ``store`` for articles), with back-pressure on the stream's length;
- ``consumer``: ``StoryWriter``, one consumer-group member that applies entries
  through ``aggregator.batches`` and acknowledges them only once committed.
"""

from aggregator.stream.codec import STREAM, decode, encode

__all__ = ["STREAM", "decode", "encode"]
