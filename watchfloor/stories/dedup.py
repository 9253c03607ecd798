"""Near-duplicates: one agency text carried by many sites, lightly edited, counts once.

Each report is cut into word 5-shingles; a datasketch MinHash of the shingle hashes is split into LSH bands,
and reports sharing a band are candidates. The band keys of recent reports are kept in the store
(``minhash_bands``, with each report's time), so a new report is compared with its window by one batched
lookup, not by a scan. A candidate becomes a copy only after an exact check on the shingle sets, so LSH false
positives cost time but never a wrong answer.

Window: a report is compared only with reports dated within ``WINDOW_DAYS`` (7) of it. Syndication runs on the
news cycle: the copies of one agency text are carried within a day or two (those of the sample corpus within
29 hours), and a weekly digest or a late pick-up reprints it within the week. Seven days keeps those; a text
reprinted later than that, or an old report edited and put out again, is news again and counts as a new
report. Without the bound, every report was compared with every stored report sharing a band, so the cost of
a report grew with the history (3,060 CPU seconds of 4,526 at a million reports); with it, the band table and
the candidates of a report are those of one week of news, whatever the size of the store.

Thresholds: the brief suggested a Jaccard of about 0.8, but syndicated copies in the sample corpus (a new
intro paragraph, a dropped background paragraph, "contributed to this report" lines) sit between 0.64 and
0.84, while unrelated reports on the same event stay under 0.05. A copy is therefore a pair with Jaccard
>= 0.5, or one whose shorter text is >= 80% contained in the other with Jaccard >= 0.3 (an excerpt of a
longer wire story). The LSH bands (16 x 4 rows of a 64-permutation MinHash) find a pair at Jaccard 0.64 with
probability 0.95 and at 0.7 with 0.99.

The canonical report of a group is the earliest, by date then id.
"""

from __future__ import annotations

import operator
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from datasketch import MinHash, MinHashLSH

from watchfloor.stories.features import sorted_unique, tokens

SHINGLE_WORDS = 5
NUM_PERM = 64
SEED = 1
JACCARD_MIN = 0.5
CONTAINMENT_MIN = 0.8
CONTAINMENT_JACCARD_MIN = 0.3
WINDOW_DAYS = 7
WINDOW_SECONDS = WINDOW_DAYS * 86400.0

_LSH = MinHashLSH(threshold=0.4, num_perm=NUM_PERM)
BANDS, ROWS = _LSH.b, _LSH.r
_SCHEME = "affine32"
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=_SCHEME).permutations
_MASK = np.uint64(0xFFFFFFFF)
# Odd multipliers that mix the five word hashes of a shingle into one 32-bit value.
_MIX = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F, 0x165667B1], dtype=np.uint64)


def _identity(value: int) -> int:
    return value


class _WordHashes(dict[str, int]):
    """crc32 of each word, cached: news reuses a small vocabulary, so most words hash once per process."""

    def __missing__(self, word: str) -> int:
        if len(self) > 2_000_000:
            self.clear()
        value = zlib.crc32(word.encode("utf-8"))
        self[word] = value
        return value


_WORD_HASHES = _WordHashes()


def _hashes_of(words: list[str]) -> tuple[int, ...]:
    found = operator.itemgetter(*words)(_WORD_HASHES)
    return found if len(words) > 1 else (found,)


def shingle_hashes(text: str) -> np.ndarray:
    """Sorted unique 32-bit hashes of the word 5-shingles of ``text`` (case, accents and punctuation ignored)."""
    return shingles_of(tokens(text))


def shingles_of(words: list[str]) -> np.ndarray:
    """Shingle hashes of a tokenised text (see ``watchfloor.stories.features.tokens``)."""
    if not words:
        return np.zeros(0, dtype=np.uint64)
    word_hashes = np.array(_hashes_of(words), dtype=np.uint64)
    if len(words) < SHINGLE_WORDS:
        mixed = (word_hashes * _MIX[: len(words)]).sum(dtype=np.uint64)
        return np.array([mixed & _MASK], dtype=np.uint64)
    n = len(words) - SHINGLE_WORDS + 1
    mixed = np.zeros(n, dtype=np.uint64)
    for k in range(SHINGLE_WORDS):
        # uint64 arithmetic wraps around, which is what a hash mix wants.
        mixed += word_hashes[k : k + n] * _MIX[k]
    mixed ^= mixed >> np.uint64(29)
    return sorted_unique(mixed & _MASK)


def minhash(shingles: np.ndarray) -> MinHash:
    """The datasketch MinHash of one report's shingles (``signatures`` computes the same values in bulk)."""
    m = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_identity, permutations=_PERMUTATIONS, scheme=_SCHEME)
    if shingles.size:
        m.update_batch(shingles.tolist())
    return m


_PERM_A = np.asarray(_PERMUTATIONS[0], dtype=np.uint32)
_PERM_B = np.asarray(_PERMUTATIONS[1], dtype=np.uint32)
_CHUNK = 1 << 16  # shingles per vectorised step (a 16 MB block at 64 permutations)


def _fmix32(h: np.ndarray) -> np.ndarray:
    """The MurmurHash3 finalizer datasketch's affine32 scheme applies before its permutations."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def signatures(shingle_sets: list[np.ndarray]) -> np.ndarray:
    """MinHash signatures of many reports at once, equal to datasketch's ``MinHash(scheme="affine32")`` values.

    One datasketch object per report costs a Python call per shingle; here every shingle of a batch goes
    through the same permutations in a few numpy operations. Empty sets give all-ones rows.
    """
    out = np.full((len(shingle_sets), NUM_PERM), np.uint32(0xFFFFFFFF), dtype=np.uint32)
    doc = 0
    while doc < len(shingle_sets):
        # Whole reports per step, up to _CHUNK shingles (or one report when it alone is larger).
        first, size = doc, 0
        while doc < len(shingle_sets) and (size == 0 or size + shingle_sets[doc].size <= _CHUNK):
            size += shingle_sets[doc].size
            doc += 1
        sets = [a for a in shingle_sets[first:doc] if a.size]
        if not sets:
            continue
        rows = [i for i in range(first, doc) if shingle_sets[i].size]
        values = _fmix32(np.concatenate(sets).astype(np.uint32))
        permuted = values[:, None] * _PERM_A[None, :] + _PERM_B[None, :]  # uint32: wraps modulo 2^32
        offsets = np.cumsum([0] + [a.size for a in sets[:-1]])
        out[rows] = np.minimum.reduceat(permuted, offsets, axis=0)
    return out


def _band_matrix(sigs: np.ndarray) -> np.ndarray:
    """Signed 64-bit band keys, one row per signature: each band's rows mixed into one value (odd
    multipliers, xor-shift) with the band number folded in."""
    rows = sigs.astype(np.uint64).reshape(len(sigs), BANDS, ROWS)
    mixed = np.broadcast_to(_BAND_SALT, (len(sigs), BANDS)).copy()
    for r in range(ROWS):
        mixed = (mixed ^ rows[:, :, r]) * _BAND_MIX[r]
        mixed ^= mixed >> np.uint64(31)
    return mixed.view(np.int64)


def band_keys_of(signature: np.ndarray) -> list[int]:
    """One signed 64-bit key per LSH band of a signature (the band number is part of the key)."""
    return _band_matrix(np.asarray(signature)[None, :])[0].tolist()


def band_keys_many(shingle_sets: list[np.ndarray]) -> list[list[int]]:
    """Band keys of many reports (none for an empty text)."""
    keys = _band_matrix(signatures(shingle_sets)).tolist()
    return [k if shingles.size else [] for k, shingles in zip(keys, shingle_sets, strict=True)]


_BAND_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0xD6E8FEB86659FD93] * (1 + ROWS // 4), dtype=np.uint64
)
_BAND_SALT = np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0x632BE59BD9B4E019)


def band_keys(shingles: np.ndarray) -> list[int]:
    """One signed 64-bit key per LSH band of one report's shingles."""
    if shingles.size == 0:
        return []
    return band_keys_of(minhash(shingles).hashvalues)


def similarity(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(Jaccard, containment of the smaller set) of two sorted unique shingle-hash arrays."""
    if a.size == 0 or b.size == 0:
        return 0.0, 0.0
    common = np.intersect1d(a, b, assume_unique=True).size
    return common / (a.size + b.size - common), common / min(a.size, b.size)


def is_copy(jaccard: float, containment: float) -> bool:
    return jaccard >= JACCARD_MIN or (containment >= CONTAINMENT_MIN and jaccard >= CONTAINMENT_JACCARD_MIN)


@dataclass(slots=True)
class DedupDoc:
    article_id: str
    ts: float
    shingles: np.ndarray
    bands: list[int] = field(default_factory=list)

    @property
    def order(self) -> tuple[float, str]:
        return (self.ts, self.article_id)


@dataclass(slots=True)
class Decision:
    """What dedup decided for one new report.

    ``canonical_id`` is None when the report is canonical. ``replaces`` names a stored canonical that this
    earlier report displaces (it arrived late): that report and its copies now point here.
    """

    article_id: str
    canonical_id: str | None
    similarity: float = 0.0
    replaces: str | None = None


class DuplicateFinder:
    """Decides copies for one batch, in date order, against the stored history and the batch so far.

    ``stored_bands`` maps band keys of the batch to stored report ids sharing them; ``load_docs`` fetches
    shingles and dates of stored reports (batched); ``canonical_of`` maps stored copies to their canonical.
    Only reports dated within ``window`` seconds of each other are compared.
    """

    def __init__(
        self,
        stored_bands: dict[int, list[str]],
        load_docs: Callable[[list[str]], dict[str, DedupDoc]],
        canonical_of: dict[str, str],
        window: float = WINDOW_SECONDS,
    ) -> None:
        self.bands: dict[int, list[str]] = {k: list(v) for k, v in stored_bands.items()}
        self.load_docs = load_docs
        self.canonical_of = dict(canonical_of)
        self.window = window
        self.docs: dict[str, DedupDoc] = {}

    def prefetch(self, batch: list[DedupDoc]) -> None:
        found = {a for doc in batch for band in doc.bands for a in self.bands.get(band, ())}
        # The canonical of a matched copy decides which report is earliest, so it is needed too.
        found |= {self.canonical_of[a] for a in found if a in self.canonical_of}
        wanted = sorted(found - set(self.docs))
        if wanted:
            self.docs.update(self.load_docs(wanted))

    def add(self, doc: DedupDoc) -> Decision:
        candidates = sorted({a for band in doc.bands for a in self.bands.get(band, ()) if a != doc.article_id})
        best: tuple[float, str] | None = None
        for cand in candidates:
            other = self.docs.get(cand)
            if other is None or abs(other.ts - doc.ts) > self.window:
                continue
            jaccard, containment = similarity(doc.shingles, other.shingles)
            if is_copy(jaccard, containment) and (best is None or jaccard > best[0]):
                best = (jaccard, cand)
        for band in doc.bands:
            self.bands.setdefault(band, []).append(doc.article_id)
        self.docs[doc.article_id] = doc
        if best is None:
            return Decision(doc.article_id, None)
        score, match = best
        canonical = self.canonical_of.get(match, match)
        canonical_doc = self.docs.get(canonical)
        if canonical_doc is not None and doc.order < canonical_doc.order:
            # A late-arriving earlier report: it becomes the canonical of the group.
            for copy, target in list(self.canonical_of.items()):
                if target == canonical:
                    self.canonical_of[copy] = doc.article_id
            self.canonical_of[canonical] = doc.article_id
            return Decision(doc.article_id, None, score, replaces=canonical)
        self.canonical_of[doc.article_id] = canonical
        return Decision(doc.article_id, canonical, score)
