"""Scoring the analyser against labelled data: the numbers behind ``watchfloor eval`` and the CI quality gate.

Two JSONL formats are read, one record per line:

- snippets: ``{"id", "text", "date"?, "events": [gold events, main first] | []}`` (also accepted: a single
  ``"event"`` object or null, or the gold fields at the top level);
- articles: the same plus ``"title"`` and gold ``"figures"``, ``"dates"`` and ``"quotes"`` lists.

A gold event holds ``event_type``, ``sub_event_type`` and optionally ``location`` (``{"name", "lat", "lon"}``
or the keys ``place`` / ``lat`` / ``lon`` at event level), ``fatalities``, ``date`` and ``modality``. A metric
is computed over the records whose gold has the field it needs.

What is measured, always on the MAIN (first) event, because that is what a user sees first:

- per sub-event type precision / recall / F1, and their support-weighted F1 (records with no gold event count
  as the class "none": predicting an event there is a false positive of the predicted type);
- event type accuracy over records with a gold event; "no event" accuracy over records without one;
- main-event place within 25 km of the gold coordinates (or the same name when gold has no coordinates);
- fatalities, date and modality exact over records with a gold event (a predicted None matches a gold null).

For articles also: figures exact (gold kind and value found among the figures, as a multiset), dates exact
(gold ISO dates found among the date mentions), quotes (same speaker and overlapping text).

Functions here are pure: they read a file, run the analyser given to them and return numbers.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from watchfloor.analyze.doc import Doc
from watchfloor.errors import InputError
from watchfloor.models import Article, Event

NONE = "none"
PLACE_KM = 25.0


@dataclass(slots=True)
class ClassScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(slots=True)
class Mistake:
    """One record where the main event came out wrong, for reading through errors."""

    id: str
    gold: str
    predicted: str
    text: str


@dataclass(slots=True)
class EventEvalReport:
    path: str
    records: int = 0
    with_event: int = 0
    per_sub_type: dict[str, ClassScore] = field(default_factory=dict)
    sub_event_weighted_f1: float = 0.0
    event_type_accuracy: float = 0.0
    no_event_accuracy: float | None = None
    place_within_25km: float | None = None
    fatalities_exact: float | None = None
    date_exact: float | None = None
    modality_accuracy: float | None = None
    figures_exact: float | None = None
    figures_precision: float | None = None
    dates_exact: float | None = None
    quotes_match: float | None = None
    mistakes: list[Mistake] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # how many records each metric was computed over

    def metrics(self) -> dict[str, float]:
        """The headline numbers, for the gate: only those computed on this data set."""
        out: dict[str, float] = {
            "sub_event_weighted_f1": self.sub_event_weighted_f1,
            "event_type_accuracy": self.event_type_accuracy,
        }
        for name in ("no_event_accuracy", "place_within_25km", "fatalities_exact", "date_exact",
                     "modality_accuracy", "figures_exact", "dates_exact", "quotes_match"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return {k: round(v, 4) for k, v in out.items()}

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data (``watchfloor eval --format json``)."""
        return asdict(self)


# -- reading gold -----------------------------------------------------------------------------------------


def read_records(path: Path | str) -> list[dict[str, Any]]:
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read labelled data {path}: {exc}") from exc
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise InputError(f"{path}:{number}: a labelled record needs an object with a 'text' string")
        records.append(record)
    return records


def gold_events(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The gold events of a record, main first; [] when the record says there is no event."""
    if "events" in record:
        return [e for e in (record["events"] or []) if isinstance(e, dict)]
    if "event" in record:
        return [record["event"]] if isinstance(record["event"], dict) else []
    if record.get("sub_event_type"):
        return [record]
    return []


def to_article(record: dict[str, Any], index: int) -> Article:
    return Article(
        id=str(record.get("id") or f"record-{index}"),
        text=record["text"],
        title=record.get("title"),
        date=record.get("date") or record.get("article_date"),
        language=record.get("language"),
    )


# -- scoring ----------------------------------------------------------------------------------------------


def evaluate_events(
    path: Path | str,
    analyzer: Callable[[Article], Doc],
    keep_mistakes: int = 200,
    actor_name: Callable[[str], str | None] | None = None,
) -> EventEvalReport:
    """Run ``analyzer`` over every record of ``path`` and score the result (see the module docstring).

    ``actor_name`` maps a quote's speaker id to the actor's name; by default it is taken from the analyser's
    knowledge base when it has one (``analyzer.resources.actors``).
    """
    records = read_records(path)
    if actor_name is None:
        actor_name = _kb_names(analyzer)
    report = EventEvalReport(path=str(path), records=len(records))
    gold_labels: list[str] = []
    predicted_labels: list[str] = []
    tallies: dict[str, list[int]] = {name: [0, 0] for name in (
        "event_type", "no_event", "place", "fatalities", "date", "modality", "figures", "figures_precision",
        "dates", "quotes")}

    def tally(name: str, ok: bool) -> None:
        tallies[name][0] += int(ok)
        tallies[name][1] += 1

    for index, record in enumerate(records):
        article = to_article(record, index)
        doc = analyzer(article)
        gold = gold_events(record)
        predicted = doc.events[0] if doc.events else None
        gold_main = gold[0] if gold else None
        gold_label = str(gold_main.get("sub_event_type")) if gold_main else NONE
        predicted_label = predicted.sub_event_type if predicted else NONE
        gold_labels.append(gold_label)
        predicted_labels.append(predicted_label)
        if gold_label != predicted_label and len(report.mistakes) < keep_mistakes:
            report.mistakes.append(Mistake(article.id, gold_label, predicted_label, article.text[:300]))
        if gold_main is None:
            tally("no_event", predicted is None)
        else:
            tally("event_type", predicted is not None and predicted.event_type == gold_main.get("event_type"))
            _score_event_fields(gold_main, predicted, tally)
        _score_article_fields(record, doc, tally, actor_name)

    report.with_event = sum(1 for label in gold_labels if label != NONE)
    report.per_sub_type, report.sub_event_weighted_f1 = per_class_scores(gold_labels, predicted_labels)
    rates = {name: (ok / n if n else None) for name, (ok, n) in tallies.items()}
    report.event_type_accuracy = rates["event_type"] or 0.0
    report.no_event_accuracy = rates["no_event"]
    report.place_within_25km = rates["place"]
    report.fatalities_exact = rates["fatalities"]
    report.date_exact = rates["date"]
    report.modality_accuracy = rates["modality"]
    report.figures_exact = rates["figures"]
    report.figures_precision = rates["figures_precision"]
    report.dates_exact = rates["dates"]
    report.quotes_match = rates["quotes"]
    report.counts = {name: n for name, (_, n) in tallies.items()}
    return report


def _score_event_fields(gold: dict[str, Any], predicted: Event | None, tally: Callable[[str, bool], None]) -> None:
    location = _gold_location(gold)
    if location is not None:
        tally("place", predicted is not None and place_matches(location, predicted))
    if "fatalities" in gold:
        tally("fatalities", predicted is not None and predicted.fatalities == gold["fatalities"])
    if "date" in gold:
        tally("date", predicted is not None and predicted.date == gold["date"])
    if gold.get("modality"):
        tally("modality", predicted is not None and predicted.modality == gold["modality"])


def _kb_names(analyzer: Any) -> Callable[[str], str | None] | None:
    resources = getattr(analyzer, "resources", None)
    if resources is None or not isinstance(getattr(type(resources), "actors", None), property):
        return None
    kb = resources.actors

    def name(actor_id: str) -> str | None:
        actor = kb.get(actor_id)
        return actor.name if actor is not None else None

    return name


def _score_article_fields(
    record: dict[str, Any], doc: Doc, tally: Callable[[str, bool], None],
    actor_name: Callable[[str], str | None] | None = None,
) -> None:
    if isinstance(record.get("figures"), list):
        found = Counter((f.kind, f.value) for f in doc.figures)
        gold = Counter((g.get("kind"), g.get("value")) for g in record["figures"] if isinstance(g, dict))
        for key, n in gold.items():
            hit = min(n, found.get(key, 0))
            for i in range(n):
                tally("figures", i < hit)
        for key, n in found.items():
            hit = min(n, gold.get(key, 0))
            for i in range(n):
                tally("figures_precision", i < hit)
    if isinstance(record.get("dates"), list):
        found_dates = Counter(d.date for d in doc.dates)
        for item in record["dates"]:
            value = item.get("date") if isinstance(item, dict) else item
            ok = found_dates.get(value, 0) > 0
            if ok:
                found_dates[value] -= 1
            tally("dates", ok)
    if isinstance(record.get("quotes"), list):
        used: set[int] = set()
        for gold_quote in record["quotes"]:
            if not isinstance(gold_quote, dict):
                continue
            match = None
            for i, quote in enumerate(doc.quotes):
                kb_name = actor_name(quote.speaker_id) if (actor_name and quote.speaker_id) else None
                if i not in used and quote_matches(gold_quote, quote.speaker, quote.text, kb_name):
                    match = i
                    break
            if match is not None:
                used.add(match)
            tally("quotes", match is not None)


def per_class_scores(gold: list[str], predicted: list[str]) -> tuple[dict[str, ClassScore], float]:
    """Per-class P/R/F1 over the gold classes other than "none", and their support-weighted F1."""
    classes = sorted({g for g in gold if g != NONE} | {p for p in predicted if p != NONE})
    scores: dict[str, ClassScore] = {}
    weighted = 0.0
    total = 0
    for label in classes:
        tp = sum(1 for g, p in zip(gold, predicted, strict=False) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=False) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted, strict=False) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        support = tp + fn
        scores[label] = ClassScore(precision, recall, f1, support)
        weighted += f1 * support
        total += support
    return scores, (weighted / total if total else 0.0)


def _gold_location(gold: dict[str, Any]) -> dict[str, Any] | None:
    location = gold.get("location")
    if isinstance(location, dict):
        return location
    if isinstance(location, str):
        return {"name": location}
    if gold.get("lat") is not None and gold.get("lon") is not None:
        return {"name": gold.get("place"), "lat": gold["lat"], "lon": gold["lon"]}
    if isinstance(gold.get("place"), str):
        return {"name": gold["place"]}
    return None


def place_matches(gold: dict[str, Any], event: Event) -> bool:
    place = event.location
    if place is None:
        return False
    lat, lon = gold.get("lat"), gold.get("lon")
    if lat is not None and lon is not None and place.lat is not None and place.lon is not None:
        return haversine_km(float(lat), float(lon), place.lat, place.lon) <= PLACE_KM
    name = gold.get("name")
    return bool(name) and _fold(str(name)) == _fold(place.name)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


_WORD = re.compile(r"\w+")


def _fold(text: str) -> str:
    from watchfloor.kb.textnorm import fold

    return fold(text)


_SPEAKER_STOP = frozenset({"the", "a", "an", "of", "s", "said", "says", "official", "officials", "spokesman",
                           "spokeswoman", "spokesperson", "minister", "state", "forces", "government", "group"})


def _speaker_words(name: str) -> set[str]:
    return {w[:-1] if w.endswith("s") and len(w) > 4 else w for w in _fold(name).split()} - _SPEAKER_STOP


def speaker_matches(gold_speaker: str, names: Iterable[str]) -> bool:
    """One name inside the other (folded), or a shared distinctive word ("junta spokesman" / "junta's spokesman")."""
    a = _fold(gold_speaker)
    for name in names:
        b = _fold(name)
        if a and b and (a in b or b in a):
            return True
        if _speaker_words(gold_speaker) & _speaker_words(name):
            return True
    return False


def quote_matches(gold: dict[str, Any], speaker: str | None, text: str, speaker_name: str | None = None) -> bool:
    """Same speaker (by the text's name or its knowledge-base name) and at least half of the gold words quoted."""
    gold_speaker = gold.get("speaker")
    if gold_speaker:
        names = [n for n in (speaker, speaker_name) if n]
        if not names or not speaker_matches(str(gold_speaker), names):
            return False
    gold_words = Counter(w.lower() for w in _WORD.findall(str(gold.get("text", ""))))
    if not gold_words:
        return True
    words = Counter(w.lower() for w in _WORD.findall(text))
    overlap = sum((gold_words & words).values())
    return overlap / sum(gold_words.values()) >= 0.5


# -- presenting -------------------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "   n/a" if value is None else f"{value * 100:5.1f}%"


def format_report(report: EventEvalReport, mistakes: int = 0) -> str:
    """A plain-text table: per sub type P/R/F1, then the headline metrics (with how many records each used)."""
    lines = [f"Evaluation of {report.path}: {report.records} records, {report.with_event} with a gold event", ""]
    width = max([len(name) for name in report.per_sub_type] + [len("sub-event type")])
    lines.append(f"{'sub-event type':<{width}}  precision  recall     F1  support")
    for name, score in sorted(report.per_sub_type.items(), key=lambda kv: (-kv[1].support, kv[0])):
        lines.append(
            f"{name:<{width}}  {_pct(score.precision):>9}  {_pct(score.recall):>6}  {_pct(score.f1):>6}  "
            f"{score.support:>7}"
        )
    lines.append("")
    counts = report.counts
    rows: Iterable[tuple[str, float | None, int | None]] = (
        ("sub-event weighted F1", report.sub_event_weighted_f1, report.with_event),
        ("event type accuracy", report.event_type_accuracy, counts.get("event_type")),
        ("no-event accuracy", report.no_event_accuracy, counts.get("no_event")),
        ("main place within 25 km", report.place_within_25km, counts.get("place")),
        ("fatalities exact", report.fatalities_exact, counts.get("fatalities")),
        ("date exact", report.date_exact, counts.get("date")),
        ("modality accuracy", report.modality_accuracy, counts.get("modality")),
        ("figures exact (recall)", report.figures_exact, counts.get("figures")),
        ("figures precision", report.figures_precision, counts.get("figures_precision")),
        ("dates exact", report.dates_exact, counts.get("dates")),
        ("quotes (speaker + text)", report.quotes_match, counts.get("quotes")),
    )
    for label, value, n in rows:
        if value is None:
            continue
        lines.append(f"{label:<26} {_pct(value)}   (n={n})")
    if mistakes and report.mistakes:
        lines.append("")
        lines.append("Mistakes (gold -> predicted):")
        for m in report.mistakes[:mistakes]:
            lines.append(f"  {m.id}: {m.gold} -> {m.predicted} | {m.text[:160]!r}")
    return "\n".join(lines)
