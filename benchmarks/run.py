"""watchfloor's benchmarks: extraction, the whole pipeline, clustering at scale and the web app.

Every section measures watchfloor side by side with a floor run in the same process on the same input: a plain
read-and-split of the same file (the least any reader of that file must do), and spaCy's ``en_core_web_sm`` NER
when that model is installed. Results go to ``benchmarks/RESULTS.md`` with the machine and the command used.

    python benchmarks/run.py                         # extract, pipeline, cluster at 10k and 100k, web
    python benchmarks/run.py --quick                 # a smoke run of every section (a minute or two)
    python benchmarks/run.py --sizes 10k,100k,1m     # clustering up to a million reports (about an hour)
    python benchmarks/run.py --sections extract,web  # some sections only
    python benchmarks/run.py --sections cluster --sizes 1m --append   # add a run to RESULTS.md

Sections that need a clean peak-memory figure (pipeline, cluster) run in a child process each; the web
section serves the store with ``watchfloor serve`` in a child process and loads it from this one.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import itertools
import json
import os
import platform
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import gen_corpus  # noqa: E402  (the corpus generator next to this file)

RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SECTIONS = ("extract", "pipeline", "cluster", "web")
DEFAULT_SIZES = "10k,100k"
LONG_WORDS = 500  # "real-length" news: the long extract corpus joins reports up to this many words
EXTRACT_RUNS = 3  # extraction is timed this many times per corpus; the median is reported
CLUSTER_BATCH = 5000  # reports per update_stories call, as a large ingest batch gives them


@dataclass(slots=True)
class Settings:
    extract_n: int = 2000
    long_n: int = 600
    pipeline_n: int = 2000
    sizes: tuple[int, ...] = (10_000, 100_000)
    web_clients: int = 50
    web_requests: int = 2000
    seed: int = 7


QUICK = Settings(extract_n=200, long_n=60, pipeline_n=300, sizes=(2_000,), web_clients=50, web_requests=300)


@dataclass(slots=True)
class Table:
    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------- helpers


def parse_size(text: str) -> int:
    """"10k" -> 10000, "1m" -> 1000000, "2500" -> 2500."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (use 10k, 100k, 1m or a number)")
    scale = {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)


def human(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return f"{n:,}"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}" if seconds > 0 else "-"


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def write_jsonl(path: Path, records: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def long_reports(n: int, seed: int) -> Iterator[dict[str, Any]]:
    """Reports of about ``LONG_WORDS`` words: paragraphs of generated reports of one theatre, joined in order.

    The sample reports run to about 220 words, under half a typical news article; these measure extraction on
    the length the target speaks of.
    """
    pending: dict[str, dict[str, Any]] = {}
    made = 0
    for record in gen_corpus.variants(n * 4, seed):
        theatre = str(record["url"]).split("/")[3]
        current = pending.get(theatre)
        if current is None:
            pending[theatre] = current = {**record, "id": f"long-{made:06d}", "text": ""}
        for paragraph in str(record["text"]).split("\n\n"):
            current["text"] = (current["text"] + "\n\n" + paragraph).strip()
            if len(current["text"].split()) >= LONG_WORDS:
                yield current
                made += 1
                del pending[theatre]
                if made >= n:
                    return
                break


def read_and_split(path: Path) -> tuple[int, int]:
    """The floor: read the file, parse each line and split its text into sentences and words."""
    articles = words = 0
    sentence_end = re.compile(r"(?<=[.!?])\s+")
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            text = json.loads(line)["text"]
            for sentence in sentence_end.split(text):
                words += len(sentence.split())
            articles += 1
    return articles, words


def timed(func: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, wall seconds, CPU seconds of this process)."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = func()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def run_child(args: list[str], timeout: float | None = None) -> dict[str, Any]:
    """Run this script in a child process for one measurement; its last stdout line is a JSON result."""
    command = [sys.executable, str(Path(__file__).resolve()), *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------------- machine


def machine() -> dict[str, str]:
    model = ""
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except (OSError, subprocess.SubprocessError):
        model = platform.processor()
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True, cwd=ROOT, timeout=10
        ).stdout.strip()
        commit = commit + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "CPU": model or "unknown",
        "cores": str(os.cpu_count()),
        "memory": memory or "unknown",
        "Python": platform.python_version(),
        "system": platform.platform(),
        "commit": commit or "unknown",
        "load average at start (1, 5, 15 min)": ", ".join(f"{x:.2f}" for x in load),
    }


# ---------------------------------------------------------------------------------------------------- extract


def spacy_ner() -> Any | None:
    """spaCy's small English pipeline with only what NER needs, or None when spaCy or the model is missing."""
    try:
        import spacy

        return spacy.load("en_core_web_sm", exclude=["parser", "lemmatizer", "tagger", "attribute_ruler"])
    except (ImportError, OSError):
        return None


def extract_section(settings: Settings, work: Path) -> list[Table]:
    from watchfloor.analyze.doc import Doc
    from watchfloor.analyze.extract import extract_lines
    from watchfloor.analyze.pipeline import Analyzer, _article_date

    corpora = {
        "sample-length reports": work / "extract-short.jsonl",
        f"{LONG_WORDS}-word articles": work / "extract-long.jsonl",
    }
    write_jsonl(corpora["sample-length reports"], gen_corpus.variants(settings.extract_n, settings.seed))
    write_jsonl(corpora[f"{LONG_WORDS}-word articles"], long_reports(settings.long_n, settings.seed))
    _, load_seconds, _ = timed(lambda: Analyzer())
    analyzer = Analyzer()
    nlp = spacy_ner()

    speed = Table(
        "Extraction, one process",
        ["corpus", "articles", "words / article", "what", "articles / s (wall)", "articles / s (CPU)", "ms / article (CPU)"],
    )
    parts = Table("Where extraction time goes (CPU ms per article, by pipeline component)", ["component"])
    spreads: list[str] = []
    for label, path in corpora.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines]
        n = len(records)
        words = sum(len(str(r["text"]).split()) for r in records) / max(1, n)

        def row(what: str, wall: float, cpu: float, label: str = label, n: int = n, words: float = words) -> None:
            speed.rows.append([label, f"{n:,}", f"{words:,.0f}", what, rate(n, wall), rate(n, cpu), f"{1000 * cpu / n:.2f}"])

        _, wall, cpu = timed(lambda p=path: read_and_split(p))  # type: ignore[misc]
        row("floor: read and split", wall, cpu)
        for record in extract_lines(lines[:20], analyzer):  # warm the caches as a long run would have them
            json.dumps(record)

        def extract_all(ls: list[str] = lines) -> int:
            sink = 0
            for record in extract_lines(ls, analyzer):
                sink += len(json.dumps(record, ensure_ascii=False))
            return sink

        # Three runs, the median reported: one run on a shared virtual machine can be 10% off either way.
        runs = sorted((timed(extract_all) for _ in range(EXTRACT_RUNS)), key=lambda t: t[2])
        _, wall, cpu = runs[len(runs) // 2]
        row("watchfloor extract (analysis + JSON out)", wall, cpu)
        spreads.append(
            f"{label}: CPU articles/s over the {EXTRACT_RUNS} runs "
            + ", ".join(rate(n, r[2]) for r in reversed(runs))
        )

        # Per component, on the same articles: the Analyzer's components called one by one. Each Doc is made
        # and dropped in turn, as `extract` does: keeping them all alive would add garbage collections that
        # the real path never runs, charged to whichever component happened to be running.
        spent = {name: 0.0 for name, _ in analyzer.components}
        for r in records:
            doc = Doc(article_id=str(r.get("id")), text=str(r["text"]), article_date=_article_date(r.get("date")))
            for name, run in analyzer.components:
                started = time.thread_time()
                run(doc)
                spent[name] += time.thread_time() - started
        if len(parts.header) == 1:
            parts.rows = [[name] for name in spent] + [["total"]]
        parts.header.append(label)
        for i, name in enumerate(spent):
            parts.rows[i].append(f"{1000 * spent[name] / n:.3f}")
        parts.rows[-1].append(f"{1000 * sum(spent.values()) / n:.3f}")

        if nlp is not None:
            texts = [str(r["text"]) for r in records]
            list(nlp.pipe(texts[:10]))
            _, wall, cpu = timed(lambda t=texts: sum(len(d.ents) for d in nlp.pipe(t, batch_size=64)))  # type: ignore[misc]
            row("spaCy en_core_web_sm NER", wall, cpu)
    speed.notes.append(
        f"Analyzer construction (knowledge base and gazetteer loaded once per process): {load_seconds:.2f} s, not "
        "counted above. Extraction is single-threaded: CPU articles/s is what one core gives; wall articles/s also "
        "counts time lost to other processes on a shared machine."
    )
    speed.notes.append(
        f"Each extract row is the median of {EXTRACT_RUNS} runs over the corpus (" + "; ".join(spreads) + ")."
    )
    speed.notes.append(
        "Corpora: `benchmarks/gen_corpus.py` variants of the sample corpus (about 220 words each), and the same "
        f"variants joined paragraph by paragraph, per theatre, into articles of at least {LONG_WORDS} words."
    )
    if nlp is None:
        speed.notes.append(
            "spaCy comparison skipped: spaCy or its `en_core_web_sm` model is not installed here. The model is not "
            "on PyPI under its own name (only unofficial re-uploads are), and watchfloor downloads no model, so the "
            "row appears only on machines where both are installed."
        )
    return [speed, parts]


# ---------------------------------------------------------------------------------------------------- pipeline


def pipeline_child(path: Path, db: Path) -> dict[str, Any]:
    """Ingest a JSONL file as `watchfloor ingest` does: store each batch, then analyse, cluster and assess it."""
    import watchfloor.process as process
    from watchfloor.ingest.files import read_paths
    from watchfloor.ingest.run import store_items
    from watchfloor.store import Store

    spent: dict[str, float] = {"analysis": 0.0}
    analyze = process.analyze_articles

    def timed_analysis(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return analyze(*args, **kwargs)
        finally:
            spent["analysis"] += time.perf_counter() - started

    stages = process._later_stages()

    def timed_stage(stage: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return stage(*args, **kwargs)
            finally:
                spent[stage.__name__] = spent.get(stage.__name__, 0.0) + time.perf_counter() - started

        return run

    process.analyze_articles = timed_analysis  # type: ignore[assignment]
    process._later_stages = lambda: [timed_stage(s) for s in stages]  # type: ignore[assignment]
    process.share_analysis_with_a_worker()  # as `watchfloor ingest` does
    _, load_seconds, _ = timed(process.default_analyzer)
    floor, floor_wall, _ = timed(lambda: read_and_split(path))
    store = Store(db)
    try:
        started = time.perf_counter()
        report = store_items(store, read_paths([path]), on_batch=lambda ids: process.process_articles(store, ids))
        wall = time.perf_counter() - started
        counts = {t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("stories", "events")}
        implications = store.conn.execute("SELECT count(*) FROM implications").fetchone()[0]
    finally:
        store.close()
    return {
        "articles": report.new,
        "seconds": wall,
        "load_seconds": load_seconds,
        "floor_seconds": floor_wall,
        "floor_articles": floor[0],
        "stages": spent,
        "stories": counts["stories"],
        "events": counts["events"],
        "implications": implications,
        "peak_mb": peak_rss_mb(),
    }


def pipeline_section(settings: Settings, work: Path, db: Path) -> list[Table]:
    path = work / "pipeline.jsonl"
    write_jsonl(path, gen_corpus.variants(settings.pipeline_n, settings.seed + 1))
    result = run_child(["--child", "pipeline", "--input", str(path), "--db", str(db)])
    n, wall = result["articles"], result["seconds"]
    table = Table(
        "Whole pipeline: ingest, analysis, stories, implications (as `watchfloor ingest` runs it: one process, "
        "and a worker process that analyses half of each batch on the second core)",
        ["what", "articles", "seconds", "articles / s", "share of the time"],
    )
    table.rows.append(["floor: read and split the same file", f"{result['floor_articles']:,}",
                       f"{result['floor_seconds']:.2f}", rate(result["floor_articles"], result["floor_seconds"]), ""])
    table.rows.append(["watchfloor, all stages", f"{n:,}", f"{wall:.1f}", rate(n, wall), "100%"])
    for stage, seconds in result["stages"].items():
        table.rows.append([f"  of which {stage}", "", f"{seconds:.1f}", rate(n, seconds), f"{100 * seconds / wall:.0f}%"])
    table.notes.append(
        f"{n:,} generated reports ingested in batches of 200, each batch analysed, clustered and assessed before the "
        f"next is read: {result['events']:,} events, {result['stories']:,} stories, {result['implications']:,} "
        f"implications. Peak memory {result['peak_mb']:,.0f} MB in the main process (the analysis worker holds its "
        f"own knowledge base and gazetteer); loading the analyser took {result['load_seconds']:.1f} s before the "
        "clock started, while the worker loaded its own."
    )
    return [table]


# ---------------------------------------------------------------------------------------------------- cluster


@dataclass(slots=True)
class Sentence:
    """One sentence of a sample report and what its real analysis found in it (offsets from the sentence)."""

    text: str
    places: list[dict[str, Any]]
    actors: list[dict[str, Any]]
    events: list[dict[str, Any]]


@dataclass(slots=True)
class BaseReport:
    theatre: str
    record: dict[str, Any]
    sentences: list[Sentence]
    ts: float


def base_reports() -> list[BaseReport]:
    """Every report of the sample corpus with its real analysis, cut into the analyser's sentences."""
    from watchfloor.analyze.output import extract_record
    from watchfloor.analyze.pipeline import Analyzer
    from watchfloor.models import Article

    analyzer = Analyzer()
    out = []
    for theatre, record in gen_corpus.load_corpus():
        text = str(record["text"])
        article = Article(id=str(record["id"]), text=text, title=str(record.get("title") or "") or None,
                          date=str(record.get("date") or "") or None)
        doc = analyzer(article)
        analysis = extract_record(doc, analyzer.resources.actors)
        sentences = []
        for lo, hi in doc.sentences:

            def inside(items: list[dict[str, Any]], lo: int = lo, hi: int = hi) -> list[dict[str, Any]]:
                return [{**item, "start": item["start"] - lo, "end": item["end"] - lo}
                        for item in items if lo <= item["start"] < hi]

            events = [e for e in analysis["events"] if lo <= e["evidence"]["start"] < hi]
            sentences.append(Sentence(text[lo:hi].strip(), inside(analysis["places"]), inside(analysis["actors"]), events))
        ts = dt.datetime.fromisoformat(str(record["date"]).replace("Z", "+00:00")).timestamp()
        out.append(BaseReport(theatre, record, [s for s in sentences if s.text], ts))
    return out


_INVENTED = ["".join(p) for p in itertools.product("ka ro mi ta ven dal sor bri ul na ge tho".split(), repeat=3)]
REPORTS_PER_DAY = 2700  # a million reports a year, as a large feed gives
STORY_SIZES = (1, 1, 1, 2, 2, 3, 4, 6, 9, 15, 25)  # reports per story: most stories are short
COPY_SHARE = 0.05  # reports that are a syndicated copy of the story's previous report


@dataclass(slots=True, frozen=True)
class Planned:
    """Where a report stands in the generated stream: its time, its story and its rank in that story."""

    ts: float
    story: int
    rank: int
    index: int


def plan_reports(n: int, n_base: int, seed: int) -> tuple[list[Planned], list[tuple[int, float, int]]]:
    """``n`` reports in stories that start at a steady rate, each story telling one base report's event anew.

    Returns the reports in date order and, per story, (base report, start time, seed of the story).
    """
    rng = random.Random(seed)
    start = 1_704_067_200.0  # 2024-01-01
    stories: list[tuple[int, float, int]] = []
    planned: list[Planned] = []
    while len(planned) < n:
        size = min(n - len(planned), rng.choice(STORY_SIZES))
        t0 = start + 86400.0 * len(planned) / REPORTS_PER_DAY
        story = len(stories)
        stories.append((rng.randrange(n_base), t0, rng.randrange(1 << 30)))
        for rank in range(size):
            # A story's reports come over two days or so, the first soonest.
            planned.append(Planned(t0 + rng.expovariate(1 / 12.0) * 3600.0, story, rank, len(planned)))
    planned.sort(key=lambda p: (p.ts, p.index))
    return planned, stories


def towns_by_country(countries: set[str], per_country: int = 400) -> dict[str, list[tuple[str, float, float]]]:
    """The largest towns of each country in the gazetteer: (name, lat, lon)."""
    import sqlite3

    from watchfloor.config import gazetteer_path
    from watchfloor.kb.gazetteer import Gazetteer

    Gazetteer.open().close()  # builds the index if it is missing
    out: dict[str, list[tuple[str, float, float]]] = {}
    with sqlite3.connect(f"file:{gazetteer_path()}?mode=ro", uri=True) as conn:
        for country in sorted(countries):
            out[country] = [
                (str(name), float(lat), float(lon))
                for name, lat, lon in conn.execute(
                    "SELECT name, lat, lon FROM place WHERE country3 = ? AND feature IN ('city', 'admin-seat')"
                    " ORDER BY population DESC LIMIT ?",
                    (country, per_country),
                )
            ]
    return out


def clustering_input(
    p: Planned,
    base: list[BaseReport],
    stories: list[tuple[int, float, int]],
    pools: dict[str, list[Sentence]],
    towns: dict[str, list[tuple[str, float, float]]],
) -> tuple[Any, str]:
    """A report of the clustering corpus and its analysis, both made from real ones.

    A story retells one sample report's event somewhere else at a new date. Its reports keep that report's lede,
    four to seven of its other sentences and up to two sentences of other reports of the theatre, with an
    analysis assembled from the real analyses of those sentences. Per story, each town the sentences name is
    replaced, in the text and the analysis, by a town of the same country drawn from the gazetteer; actor names
    are swapped, dates shifted and figures scaled as ``gen_corpus.variants`` does; and invented names of the
    story's own are slipped into every sentence, so that retellings of one sample report are neither copies nor
    one story. About one report in twenty is a light edit of the story's previous report (a syndicated copy).
    """
    from watchfloor.models import Article

    base_index, t0, story_seed = stories[p.story]
    own = base[base_index]
    rng = random.Random(story_seed * 1_000_003 + p.rank)
    if p.rank > 0 and rng.random() < COPY_SHARE:
        previous, analysis = clustering_input(Planned(p.ts, p.story, p.rank - 1, p.index), base, stories, pools, towns)
        words = previous.text.split(" ")
        k = rng.randrange(len(words))
        words[k] = words[k].upper() if words[k].islower() else words[k].lower()
        text, title = " ".join(words) + "\n\nAnother outlet contributed to this report.", previous.title or ""
    else:
        story = random.Random(story_seed)  # what every report of the story shares
        body = own.sentences[1:]
        kept = sorted(rng.sample(range(len(body)), min(len(body), rng.randint(4, 7))))
        background = [x for x in pools[own.theatre] if x not in own.sentences]
        chosen = [own.sentences[0], *(body[k] for k in kept), *rng.sample(background, rng.randint(0, 2))]
        topic = story.sample(_INVENTED, 12)
        moved: dict[str, tuple[str, float, float]] = {}  # a town of the sample report -> the story's town
        for sentence in chosen:
            for place in sentence.places:
                options = towns.get(place.get("country") or "")
                if place.get("geo_precision") == 1 and options and place["text"] not in moved:
                    pick = random.Random(story_seed ^ zlib.crc32(place["text"].encode())).randrange(len(options))
                    moved[place["text"]] = options[pick]
        rename = (
            re.compile("|".join(re.escape(k) for k in sorted(moved, key=len, reverse=True))) if moved else None
        )
        text_parts: list[str] = []
        places: list[dict[str, Any]] = []
        actors: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        offset = 0
        for sentence in chosen:
            words = sentence.text.split(" ")
            for _ in range(2):
                words.insert(rng.randrange(1, len(words) + 1), rng.choice(topic))
            part = " ".join(words)
            if rename is not None:
                part = rename.sub(lambda m: moved[m.group(0)][0], part)
            text_parts.append(part)
            for place in sentence.places:
                item = {**place, "start": place["start"] + offset, "end": place["end"] + offset}
                if place["text"] in moved:
                    name, lat, lon = moved[place["text"]]
                    item.update(name=name, text=name, lat=lat, lon=lon, admin1=None, admin2=None)
                places.append(item)
            actors += [{**x, "start": x["start"] + offset, "end": x["end"] + offset} for x in sentence.actors]
            events += sentence.events
            offset += len(part) + 1  # offsets inside a sentence stay the sample's: close enough for the lede test
        text = " ".join(text_parts)
        analysis = json.dumps(
            {"id": None, "language": "en", "events": events, "actors": actors, "places": places, "figures": [],
             "quotes": [], "dates": []},
            ensure_ascii=False,
        )
        title = str(own.record.get("title") or "")
        if rename is not None:
            title = rename.sub(lambda m: moved[m.group(0)][0], title)
        title += " " + " ".join(topic[:2]).title()
        days = round((t0 - own.ts) / 86400.0)
        year = dt.datetime.fromtimestamp(t0, dt.UTC).year
        factor = story.uniform(0.5, 2.5)
        for names in gen_corpus.ACTOR_POOLS:
            state = story.getstate()
            text = gen_corpus._swap_names(text, names, story)
            story.setstate(state)
            title = gen_corpus._swap_names(title, names, story)
            story.setstate(state)
            analysis = gen_corpus._swap_names(analysis, names, story)
        text = gen_corpus._shift_dates(gen_corpus._scale_numbers(text, factor), days, year)
        title = gen_corpus._shift_dates(title, days, year)
        analysis = gen_corpus._shift_dates(analysis, days, year)
    aid = f"clu-{p.index:08d}"
    article = Article(
        id=aid, text=text, title=title, date=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(p.ts)),
        url=f"https://bench.example/{own.theatre}/{p.index:08d}", outlet=f"Bench Wire {p.index % 37}", content_hash=aid,
    )
    return article, analysis


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise_scores(conn: Any, gold: dict[str, int]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of the found stories against the generator's own (the gold).

    Every report counts: a canonical report by its story, a copy by its canonical's story (a copy folded into a
    report of another generated story is an error like any other). Pairs are counted from the sizes of the
    (found, generated) cells, so a million reports cost no pair enumeration.
    """
    found = dict(conn.execute("SELECT article_id, story_id FROM story_articles"))
    for copy, canonical in conn.execute("SELECT article_id, canonical_id FROM duplicates"):
        if canonical in found:
            found[copy] = found[canonical]
    cells: dict[tuple[str, int], int] = {}
    found_sizes: dict[str, int] = {}
    gold_sizes: dict[int, int] = {}
    for article, story in found.items():
        truth = gold.get(article)
        if truth is None:
            continue
        cells[(story, truth)] = cells.get((story, truth), 0) + 1
        found_sizes[story] = found_sizes.get(story, 0) + 1
        gold_sizes[truth] = gold_sizes.get(truth, 0) + 1
    together = sum(_pairs(c) for c in cells.values())
    found_pairs = sum(_pairs(c) for c in found_sizes.values())
    gold_pairs = sum(_pairs(c) for c in gold_sizes.values())
    precision = together / found_pairs if found_pairs else 1.0
    recall = together / gold_pairs if gold_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "largest_story": max(found_sizes.values(), default=0)}


def cluster_child(n: int, db: Path, seed: int) -> dict[str, Any]:
    """Feed ``n`` reports with analyses to the stories stage in date order, ``CLUSTER_BATCH`` at a time."""
    from watchfloor.analyze.output import ANALYSIS_VERSION
    from watchfloor.store import Store
    from watchfloor.stories.stage import StageStats, update_stories

    started = time.perf_counter()
    base = base_reports()
    pools: dict[str, list[Sentence]] = {}
    for report in base:
        pools.setdefault(report.theatre, []).extend(report.sentences)
    planned, plan = plan_reports(n, len(base), seed)
    towns = towns_by_country({p["country"] for b in base for x in b.sentences for p in x.places if p.get("country")})
    setup = time.perf_counter() - started
    store = Store(db)
    stats = StageStats()
    cluster_seconds = 0.0
    try:
        for offset in range(0, n, CLUSTER_BATCH):
            clock = time.perf_counter()
            made = [clustering_input(p, base, plan, pools, towns) for p in planned[offset : offset + CLUSTER_BATCH]]
            store.add_articles([a for a, _ in made])
            with store.transaction() as conn:
                conn.executemany(
                    "INSERT OR REPLACE INTO analyses (article_id, language, version, json) VALUES (?, 'en', ?, ?)",
                    [(a.id, ANALYSIS_VERSION, analysis) for a, analysis in made],
                )
                conn.executemany("UPDATE articles SET analyzed = 1, language = 'en' WHERE id = ?", [(a.id,) for a, _ in made])
            setup += time.perf_counter() - clock
            clock = time.perf_counter()
            update_stories(store, [a.id for a, _ in made], [], write=False, stats=stats)
            cluster_seconds += time.perf_counter() - clock
        stories = store.conn.execute("SELECT count(*) FROM story_state").fetchone()[0]
        gold = {f"clu-{q.index:08d}": q.story for q in planned}
        scores = pairwise_scores(store.conn, gold)
    finally:
        store.close()
    return {
        "reports": n,
        "cluster_seconds": cluster_seconds,
        "setup_seconds": setup,
        "stories": stories,
        "planned_stories": len(plan),
        "copies": stats.copies,
        "merges": stats.merges,
        **scores,
        "phases": stats.phases,
        "peak_mb": peak_rss_mb(),
        "db_mb": db.stat().st_size / 1e6 if db.exists() else 0.0,
    }


def cluster_section(settings: Settings, work: Path) -> list[Table]:
    table = Table(
        "Clustering (dedup, stories, situations) as the store grows",
        ["reports", "clustering s", "reports / s", "s per 1k reports", "stories found (generated)",
         "pairwise P / R / F1 vs generated", "largest story", "copies", "peak memory MB",
         "setup s (make + store inputs)"],
    )
    phases = Table("Where clustering time goes (CPU seconds)", ["reports"])
    per_k: list[float] = []
    for n in settings.sizes:
        db = work / f"cluster-{n}.db"
        result = run_child(["--child", "cluster", "--n", str(n), "--db", str(db), "--seed", str(settings.seed)])
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        seconds = result["cluster_seconds"]
        per_k.append(1000 * seconds / n)
        table.rows.append([
            human(n), f"{seconds:,.1f}", rate(n, seconds), f"{1000 * seconds / n:.2f}",
            f"{result['stories']:,} ({result['planned_stories']:,})",
            f"{result['precision']:.3f} / {result['recall']:.3f} / {result['f1']:.3f}",
            f"{result['largest_story']:,}", f"{result['copies']:,}", f"{result['peak_mb']:,.0f}", f"{result['setup_seconds']:,.0f}",
        ])
        if len(phases.header) == 1:
            phases.header += list(result["phases"])
        phases.rows.append([human(n)] + [f"{result['phases'].get(k, 0.0):,.1f}" for k in phases.header[1:]])
    if len(per_k) > 1:
        table.notes.append(
            f"Growth: {per_k[-1] / per_k[0]:.2f}x the time per report at {human(settings.sizes[-1])} as at "
            f"{human(settings.sizes[0])} ({settings.sizes[-1] / settings.sizes[0]:,.0f}x the reports); 1.00x is "
            "perfectly linear."
        )
    table.notes.append(
        "Inputs: running full extraction on a million texts would take longer than the benchmark, so the reports "
        "and their analyses are made from real ones. Every report of the sample corpus is analysed once and cut "
        "into sentences. Generated stories start at a steady rate (2,700 reports a day, a million a year) and run "
        "to 1 to 25 reports over a day or two; each retells one sample report's event somewhere else at a new "
        "date: its reports keep that report's lede, four to seven of its other sentences and up to two of other "
        "reports of the theatre, with analyses assembled from the real analyses of those sentences; the towns "
        "named are replaced by towns of the same country from the gazetteer, actor names swapped, dates shifted "
        "and figures scaled in text and analysis alike, and invented names of the story's own, two per "
        "sentence, set it apart from other retellings. About one report in "
        f"twenty is a light edit of the story's previous one. Reports are fed in date order, {CLUSTER_BATCH:,} "
        "per `update_stories` call; story articles are not written (that cost is in the pipeline section)."
    )
    table.notes.append(
        "Pairwise scores: every pair of reports (a copy counted in its canonical's story) that the generator put in "
        "one story is a gold pair; precision is the share of pairs found together that are gold pairs, recall the "
        "share of gold pairs found together."
    )
    return [table, phases]


# ---------------------------------------------------------------------------------------------------- web


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def load(
    base_url: str, paths: list[str], clients: int, think: float = 0.0, seed: int = 7
) -> tuple[list[float], int, float]:
    """Request every path once with ``clients`` concurrent clients; (latencies in ms, errors, seconds).

    With ``think`` > 0 each client waits a random time of that mean between its requests, as a reader does,
    so the load is bounded (about ``clients / think`` requests a second); with 0 they ask as fast as answered.
    """
    import httpx

    queue: asyncio.Queue[str] = asyncio.Queue()
    for path in paths:
        queue.put_nowait(path)
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    rng = random.Random(seed)

    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60.0) as client:

        async def worker() -> None:
            nonlocal errors
            if think:
                await asyncio.sleep(rng.uniform(0, think))  # readers do not all arrive at once
            while True:
                try:
                    path = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                started = time.perf_counter()
                response = await client.get(path)
                latencies.append(1000 * (time.perf_counter() - started))
                if response.status_code != 200:
                    errors += 1
                if think:
                    await asyncio.sleep(rng.expovariate(1.0 / think))

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        return latencies, errors, time.perf_counter() - started


THINK_SECONDS = 1.0  # a reader's pause between two pages: 50 readers ask about 50 pages a second


def web_section(settings: Settings, work: Path, db: Path) -> list[Table]:
    import sqlite3

    if not db.exists():
        path = work / "web.jsonl"
        write_jsonl(path, gen_corpus.variants(settings.pipeline_n, settings.seed + 1))
        run_child(["--child", "pipeline", "--input", str(path), "--db", str(db)])
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        story_ids = [r[0] for r in conn.execute("SELECT id FROM stories ORDER BY id")]
    port = free_port()
    env = {**os.environ, "WATCHFLOOR_DB": str(db)}
    server = subprocess.Popen(
        [sys.executable, "-m", "watchfloor", "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT,
    )
    base_url = f"http://127.0.0.1:{port}"
    table = Table(
        "Web: story pages on loopback (`watchfloor serve`, one server process)",
        ["requests", "what", "requests / s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"],
    )
    try:
        import httpx

        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(base_url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline or server.poll() is not None:
                raise RuntimeError("the web server did not start: " + (server.stderr.read().decode() if server.stderr else ""))
            time.sleep(0.2)
        rng = random.Random(settings.seed)
        stories = [f"/stories/{sid}" for sid in story_ids]
        rng.shuffle(stories)
        # Each story page once, one client: the time to render a page nobody asked for yet.
        half = len(stories) // 2
        single, fresh = stories[: min(half, 200)], stories[half:]
        readers = [rng.choice(fresh) for _ in range(settings.web_requests)]
        flood = [rng.choice(stories) for _ in range(settings.web_requests)]
        mixed_pages = ["/", "/events", "/api/stories", "/search?q=ceasefire"]
        mixed = [rng.choice(mixed_pages) if rng.random() < 0.2 else rng.choice(fresh) for _ in range(settings.web_requests)]
        clients = settings.web_clients
        for label, paths, n_clients, think in (
            ("1 client, each story page rendered for the first time", single, 1, 0.0),
            (f"{clients} readers at random story pages, {THINK_SECONDS:.0f} s between pages (bounded load)",
             readers, clients, THINK_SECONDS),
            (f"{clients} readers, 80% story pages and 20% home, events, API, search (bounded load)",
             mixed, clients, THINK_SECONDS),
            (f"{clients} clients asking as fast as answered (saturation; repeats served from the cache)",
             flood, clients, 0.0),
        ):
            latencies, errors, seconds = asyncio.run(load(base_url, paths, n_clients, think, settings.seed))
            table.rows.append([
                f"{len(paths):,}", label, rate(len(paths), seconds), f"{percentile(latencies, 50):.1f}",
                f"{percentile(latencies, 95):.1f}", f"{percentile(latencies, 99):.1f}", f"{max(latencies):.1f}",
                str(errors),
            ])
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    table.notes.append(
        f"The store: {len(story_ids):,} stories from the pipeline section's reports. The first row reads half the "
        "stories once; the readers read the other half, so their first look at a page renders it and a repeat is "
        "served from the response cache, as on a live dashboard. The load generator (httpx, asyncio) runs on the "
        "same machine as the server and takes part of its CPU: latencies include that."
    )
    return [table]


# ---------------------------------------------------------------------------------------------------- report


def markdown(command: str, info: dict[str, str], tables: list[Table], seconds: float) -> str:
    lines = [
        "# watchfloor benchmarks",
        "",
        f"Measured {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')} in {seconds / 60:.1f} minutes with:",
        "",
        "```",
        command,
        "```",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v} |" for k, v in info.items()]
    lines += [
        "",
        "Targets (issue \"Scale and speed\"): extraction >= 300 articles/s per process; whole pipeline >= 150 "
        "articles/s; 1M reports clustered in under 15 minutes with peak memory under 4 GB; story pages p95 < 100 ms "
        "at 50 concurrent clients.",
    ]
    for table in tables:
        lines += ["", f"## {table.title}", "", "| " + " | ".join(table.header) + " |",
                  "|" + "|".join("---" for _ in table.header) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in table.rows]
        if table.notes:
            lines.append("")
            lines += table.notes
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=None, help=f"clustering sizes, e.g. 10k,100k,1m (default {DEFAULT_SIZES})")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of every section")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated, from {', '.join(SECTIONS)}")
    parser.add_argument("--out", type=Path, default=RESULTS, help="the Markdown file to write")
    parser.add_argument("--append", action="store_true", help="add this run after what --out holds (e.g. a 1m run)")
    parser.add_argument("--workdir", type=Path, default=None, help="where corpora and stores go (default: a temp dir)")
    parser.add_argument("--child", choices=("pipeline", "cluster"), help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=7, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child == "pipeline":
        print(json.dumps(pipeline_child(args.input, args.db)))
        return 0
    if args.child == "cluster":
        print(json.dumps(cluster_child(args.n, args.db, args.seed)))
        return 0

    settings = QUICK if args.quick else Settings()
    if args.sizes:
        settings.sizes = tuple(parse_size(s) for s in args.sizes.split(",") if s.strip())
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {unknown}; choose from {', '.join(SECTIONS)}")

    started = time.perf_counter()
    info = machine()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="watchfloor-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    web_db = work / "pipeline.db"
    tables: list[Table] = []
    try:
        for section in sections:
            print(f"[{time.perf_counter() - started:7.1f} s] {section} ...", file=sys.stderr, flush=True)
            if section == "extract":
                tables += extract_section(settings, work)
            elif section == "pipeline":
                tables += pipeline_section(settings, work, web_db)
            elif section == "cluster":
                tables += cluster_section(settings, work)
            elif section == "web":
                tables += web_section(settings, work, web_db)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    if hasattr(os, "getloadavg"):
        info["load average at end"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    command = "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    report = markdown(command.strip(), info, tables, time.perf_counter() - started)
    if args.append and args.out.exists():
        report = args.out.read_text(encoding="utf-8") + "\n---\n\n" + report.replace(
            "# watchfloor benchmarks", "# watchfloor benchmarks, continued", 1
        )
    args.out.write_text(report, encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
