"""A synthetic stream for timing dedup and clustering at scale: ``python -m watchfloor.stories.bench --reports 100000``.

Reports are made of invented words: a common vocabulary drawn with a Zipf law (the words every report uses),
plus, for each synthetic story, a few dozen topic words and names of its own, so reports of a story resemble
each other and not other stories; about one report in twenty is a lightly edited copy of the one before.
Stories start at a steady rate over the simulated period (2,700 reports a day by default, a million a year),
so the number of live stories stays what a real feed gives. No analysis runs: the point is the cost of dedup
and clustering as the store grows.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import random
import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from watchfloor.models import Article
from watchfloor.store import Store

_SYLLABLES = "ka ro mi ta ven dal sor bri ul na ge tho pa zu lek mor af id ras qu lo fen bar tis".split()


def _vocabulary(size: int, rng: random.Random) -> list[str]:
    words = ["".join(p) for n in (2, 3, 4) for p in itertools.product(_SYLLABLES, repeat=n)]
    rng.shuffle(words)
    return words[:size]


def synthetic_reports(n: int, per_day: int = 2700, seed: int = 7) -> Iterator[Article]:
    """``n`` reports over ``n / per_day`` days, yielded in date order without holding the stream in memory."""
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    vocab = _vocabulary(300_000, rng)
    common, rare = vocab[:20_000], vocab[20_000:]
    zipf = 1.0 / np.arange(1, len(common) + 1)
    zipf /= zipf.sum()
    drawn: list[list[int]] = []  # common-word draws, made 2,000 reports at a time
    pending: list[tuple[float, str, Article]] = []  # a heap: reports generated but not yet due
    start = 1_704_067_200  # 2024-01-01
    seconds = max(1.0, n / per_day * 86400)
    made = 0
    while made < n:
        topic = rng.sample(rare, 40)
        size = min(n - made, rng.choice([1, 1, 1, 2, 2, 3, 4, 6, 9, 15]))
        t0 = start + seconds * made / n
        # Every report made from now on is dated t0 or later, so those before t0 can go.
        while pending and pending[0][0] < t0:
            yield heapq.heappop(pending)[2]
        previous = ""
        for k in range(size):
            if previous and rng.random() < 0.05:
                text = previous.replace(" ka ", " ro ", 2) + "\n\nAnother outlet contributed to this report."
            else:
                if not drawn:
                    drawn.extend(nrng.choice(len(common), size=(2000, 180), p=zipf).tolist())
                words = [common[j] for j in drawn.pop()]
                words += rng.choices(topic, k=60) + rng.sample(rare, 15)
                rng.shuffle(words)
                sentences = [" ".join(words[i : i + 20]).capitalize() + "." for i in range(0, len(words), 20)]
                text = "\n\n".join(" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3))
            previous = text
            ts = t0 + k * rng.uniform(2, 20) * 3600
            date = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
            aid = f"bench-{made:08d}"
            made += 1
            title = " ".join(rng.sample(topic, 4) + rng.sample(common[:300], 3)).capitalize()
            heapq.heappush(pending, (ts, aid, Article(id=aid, text=text, title=title, date=date, content_hash=aid)))
    while pending:
        yield heapq.heappop(pending)[2]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=5_000, help="reports per update_stories call")
    parser.add_argument(
        "--store-first",
        action="store_true",
        help="store the whole stream first, then time one update_stories call over all of it (a rebuild)",
    )
    parser.add_argument("--write", action="store_true", help="also write the story articles")
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--cache-mb", type=int, default=0, help="SQLite page cache for the run (default: SQLite's)")
    args = parser.parse_args(argv)

    from watchfloor.stories.stage import StageStats, update_stories

    stream = synthetic_reports(args.reports)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(args.db or Path(tmp) / "bench.db")
        if args.cache_mb:
            store.conn.execute(f"PRAGMA cache_size = -{args.cache_mb * 1024}")
        stats = StageStats()
        done = 0
        if args.store_first:
            ids: list[str] = []
            while batch := list(itertools.islice(stream, args.batch)):
                store.add_articles(batch)
                ids.extend(a.id for a in batch)
            stream = iter(())
            started = time.perf_counter()
            update_stories(store, ids, [], write=args.write, stats=stats)
            done = len(ids)
        started = time.perf_counter()
        while batch := list(itertools.islice(stream, args.batch)):
            store.add_articles(batch)
            update_stories(store, [a.id for a in batch], [], write=args.write, stats=stats)
            done += len(batch)
            elapsed = time.perf_counter() - started
            print(
                f"{done:>9,} reports  {elapsed:8.1f} s  cluster {stats.seconds_cluster:7.1f} s"
                f"  ({1000 * stats.seconds_cluster / done:.2f} s per 1k)  copies {stats.copies:,}"
                f"  merges {stats.merges:,}  " + " ".join(f"{k} {v:.1f}" for k, v in stats.phases.items()),
                flush=True,
            )
        counts = {
            t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("story_state", "duplicates")
        }
        store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"done: {done:,} reports, {counts['story_state']:,} stories, {counts['duplicates']:,} copies;"
        f" clustering {stats.seconds_cluster:.1f} s ({1000 * stats.seconds_cluster / max(1, done):.2f} s per 1k reports),"
        f" writing {stats.seconds_write:.1f} s; peak memory {peak:,.0f} MB; CPU seconds by step: "
        + ", ".join(f"{k} {v:.1f}" for k, v in stats.phases.items())
    )


if __name__ == "__main__":
    main()
