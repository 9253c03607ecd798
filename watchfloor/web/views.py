"""What the pages show, built from stored records: plain data for the templates, no markup.

Every claim on a page carries a link to its source: ``/articles/{id}?start=S&end=E#hl`` opens the report
with that exact span highlighted. Text stays text here; the templates escape it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from watchfloor.models import Event, Story
from watchfloor.report.common import cited_sentences
from watchfloor.web import svg
from watchfloor.web.queries import SourceRow

TERRITORY_SUBTYPES = frozenset(
    {"Non-state actor overtakes territory", "Government regains territory", "Non-violent transfer of territory"}
)
FACT_MODALITIES = frozenset({"asserted", "reported"})


def is_web_url(url: str | None) -> bool:
    """Only http(s) links leave the site; javascript:, data: and the like never become links."""
    return bool(url) and str(url).lower().startswith(("http://", "https://"))


def evidence_href(article_id: str, start: int, end: int) -> str:
    return f"/articles/{quote(article_id, safe='')}?start={int(start)}&end={int(end)}#hl"


def article_href(article_id: str) -> str:
    return f"/articles/{quote(article_id, safe='')}"


def story_href(story_id: str) -> str:
    return f"/stories/{quote(story_id, safe='')}"


def situation_href(situation_id: str, date: str | None = None) -> str:
    base = f"/situations/{quote(situation_id, safe='')}"
    return f"{base}?{urlencode({'date': date})}" if date else base


def day(value: str | None) -> str:
    return (value or "")[:10]


def percent_range(probability: Sequence[float] | None) -> str:
    if not probability or len(probability) != 2:
        return ""
    low, high = probability
    return f"{low * 100:.0f}–{high * 100:.0f}%"


# -- story page ------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Link:
    href: str
    label: str  # "[3]"
    text: str  # the source sentence, shown as a tooltip and to screen readers
    source: str  # "Reuters, 2024-12-05"


@dataclass(slots=True)
class SourceView:
    number: int
    id: str
    title: str
    outlet: str
    date: str
    url: str | None
    href: str
    copies: list[SourceRow] = field(default_factory=list)


@dataclass(slots=True)
class Sentence:
    text: str
    link: Link | None


@dataclass(slots=True)
class SectionView:
    heading: str
    paragraphs: list[list[Sentence]]


@dataclass(slots=True)
class ImplicationView:
    id: str
    anchor: str
    statement: str
    kind: str
    likelihood: str
    probability: str
    confidence: str
    confidence_reason: str
    horizon_days: int | None
    evidence: list[Link]
    assumptions: list[str]
    alternatives: list[str]
    indicators: list[str]
    why: str
    status: str
    deadline: str | None
    resolved_by: list[Link]


@dataclass(slots=True)
class FigureView:
    summary: str
    sources: list[tuple[str, Link | None]]  # (who said it, when), link to the words


@dataclass(slots=True)
class QuoteView:
    text: str
    speaker: str
    link: Link | None


@dataclass(slots=True)
class TimelineView:
    date: str
    text: str
    links: list[Link]


@dataclass(slots=True)
class ActorView:
    name: str
    type: str
    country: str
    relations: list[str]


@dataclass(slots=True)
class AlignmentView:
    source: str
    kind: str
    target: str
    date: str
    origin: str
    evidence: list[Link]


@dataclass(slots=True)
class StoryView:
    story: Story
    situation_href: str | None
    sources: list[SourceView]
    implications: list[ImplicationView]
    lede: str | None
    sections: list[SectionView]
    figures: list[FigureView]
    quotes: list[QuoteView]
    timeline: list[TimelineView]
    map: svg.MapPicture
    map_data: str  # JSON for the interactive map (read from a data attribute, so it is escaped like any text)
    event_count: int
    located_count: int
    actors: list[ActorView]
    alignments: list[AlignmentView]


class Linker:
    """Links to source spans, numbered by the story's source list."""

    def __init__(self, numbers: dict[str, int], sources: dict[str, SourceRow]) -> None:
        self.numbers = numbers
        self.sources = sources

    def link(self, article_id: str | None, start: int, end: int, text: str = "") -> Link | None:
        if not article_id:
            return None
        n = self.numbers.get(article_id)
        src = self.sources.get(article_id)
        where = ", ".join(x for x in ((src.outlet if src else None), day(src.date) if src else "") if x)
        # Reports outside the story's own list (evidence from elsewhere in the theatre) go by their outlet.
        label = f"[{n}]" if n else f"[{_short(src.outlet) if src and src.outlet else 'report'}]"
        return Link(evidence_href(article_id, start, end), label, text, where)


def _short(outlet: str, limit: int = 24) -> str:
    return outlet if len(outlet) <= limit else outlet[: limit - 1].rstrip() + "…"


def _implication(imp: Any, index: int, linker: Linker) -> ImplicationView:
    resolution = imp.resolution
    return ImplicationView(
        id=imp.id,
        anchor=f"imp-{index + 1}",
        statement=imp.statement,
        kind=imp.kind,
        likelihood=imp.likelihood,
        probability=percent_range(imp.probability),
        confidence=imp.confidence,
        confidence_reason=imp.confidence_reason,
        horizon_days=imp.horizon_days,
        evidence=[x for e in imp.evidence if (x := linker.link(e.article_id, e.start, e.end, e.text))],
        assumptions=list(imp.assumptions),
        alternatives=list(imp.alternatives),
        indicators=list(imp.indicators),
        why=imp.why,
        status=resolution.status if resolution else "open",
        deadline=resolution.deadline if resolution else None,
        resolved_by=[x for e in (resolution.resolved_by if resolution else []) if (x := linker.link(e.article_id, e.start, e.end, e.text))],
    )


def _figure(fig: Any, linker: Linker) -> FigureView:
    if hasattr(fig, "summary"):  # reconciled across sources
        rows = []
        for src in fig.sources:
            who = ", ".join(x for x in (src.source, day(src.date)) if x)
            rows.append((f"{who}: “{src.text}”" if who else f"“{src.text}”", linker.link(src.article_id, src.start, src.end, src.text)))
        return FigureView(fig.summary, rows)
    who = ", ".join(x for x in (fig.source, day(fig.date)) if x)
    return FigureView(fig.text, [(who, linker.link(fig.article_id, fig.start, fig.end, fig.text))])


def map_points(events: Iterable[Event], href_for: Any = None) -> tuple[list[svg.MapPoint], list[dict[str, Any]]]:
    """One point per place (events at a place are counted together), and the same as data for Leaflet."""
    places: dict[tuple[str, float, float], list[Event]] = defaultdict(list)
    for e in events:
        loc = e.location
        if loc is None or loc.lat is None or loc.lon is None:
            continue
        places[(loc.name, round(loc.lat, 3), round(loc.lon, 3))].append(e)
    points, data = [], []
    for (name, lat, lon), items in sorted(places.items(), key=lambda kv: (-len(kv[1]), kv[0][0])):
        kinds = Counter(e.sub_event_type or e.event_type for e in items)
        summary = "; ".join(f"{k} ×{n}" if n > 1 else k for k, n in kinds.most_common(4))
        dates = sorted(d for e in items if (d := e.date))
        span = f"{dates[0]} to {dates[-1]}" if dates and dates[0] != dates[-1] else (dates[0] if dates else "undated")
        plural = "" if len(items) == 1 else "s"
        title = f"{name}: {len(items)} event{plural} ({span}): {summary}"
        points.append(svg.MapPoint(lon, lat, name, title, weight=len(items)))
        links = []
        for e in items[:5]:
            if e.article_id:
                links.append({"href": evidence_href(e.article_id, e.evidence.start, e.evidence.end), "label": f"{day(e.date) or 'undated'} {e.sub_event_type or e.event_type}"})
        data.append({"name": name, "lat": lat, "lon": lon, "count": len(items), "title": title, "links": links})
    return points, data


def _actors(story: Story, kb: Any) -> list[ActorView]:
    """The story's actors, each with the relations the knowledge base dates to the story's time."""
    first, last = day(story.first_seen), day(story.updated)
    out = []
    for ref in story.actors:
        relations = []
        actor = kb.get(ref.id) if kb is not None and ref.id else None
        if actor is not None:
            for rel in actor.relations:
                if rel.since and last and rel.since > last:
                    continue
                if rel.until and first and rel.until < first:
                    continue
                target = kb.get(rel.target)
                name = target.name if target is not None else rel.target
                when = f" since {rel.since}" if rel.since else ""
                relations.append(f"{rel.kind.replace('_', ' ')} {name}{when}")
        out.append(ActorView(ref.name, ref.type or "", ref.country or "", relations))
    return out


def side_name(sides: dict[str, Any], side: str | None) -> str:
    if not side:
        return "unknown"
    info = sides.get(side)
    if isinstance(info, dict) and info.get("name"):
        return str(info["name"])
    return side


def alignment_views(rows: Sequence[dict[str, Any]], sides: dict[str, Any], linker: Linker, until: str | None = None,
                    limit: int = 20) -> list[AlignmentView]:
    out = []
    for row in sorted(rows, key=lambda r: (r.get("date") or "", r.get("source", "")), reverse=True):
        date = row.get("date") or ""
        if until and date and date[:10] > until[:10]:
            continue
        evidence = []
        for ev in row.get("evidence", []) or []:
            link = linker.link(ev.get("article_id"), int(ev.get("start", 0)), int(ev.get("end", 0)), ev.get("text", ""))
            if link:
                evidence.append(link)
        out.append(
            AlignmentView(
                side_name(sides, row.get("source")),
                str(row.get("kind", "")).replace("_", " "),
                side_name(sides, row.get("target")),
                day(date),
                str(row.get("origin", "")),
                evidence,
            )
        )
        if len(out) >= limit:
            break
    return out


def build_story_view(
    story: Story,
    sources: dict[str, SourceRow],
    renderer: svg.OutlineRenderer,
    *,
    kb: Any = None,
    alignments: Sequence[dict[str, Any]] = (),
    sides: dict[str, Any] | None = None,
) -> StoryView:
    numbers = {aid: n for n, aid in enumerate(story.article_ids, start=1)}
    linker = Linker(numbers, sources)
    source_views = []
    for n, aid in enumerate(story.article_ids, start=1):
        src = sources.get(aid, SourceRow(aid, None, None, None, None))
        copies = [sources.get(c, SourceRow(c, None, None, None, None)) for c, target in sorted(story.duplicates.items()) if target == aid]
        source_views.append(
            SourceView(n, aid, src.title or aid, src.outlet or "", day(src.date), src.url if is_web_url(src.url) else None, article_href(aid), copies)
        )
    sections = []
    first_text = ""
    for section in story.sections:
        paragraphs = []
        for paragraph in section.paragraphs:
            first_text = first_text or paragraph.text
            sentences = [Sentence(text, linker.link(c.article_id, c.start, c.end, text)) for text, c in cited_sentences(paragraph)]
            paragraphs.append(sentences)
        sections.append(SectionView(section.heading, paragraphs))
    events_by_id = {e.id: e for e in story.events if e.id}
    timeline = []
    for entry in story.timeline:
        links = []
        for eid in entry.event_ids:
            e = events_by_id.get(eid)
            if e is not None and (link := linker.link(e.article_id, e.evidence.start, e.evidence.end, e.evidence.text)):
                links.append(link)
        timeline.append(TimelineView(entry.date, entry.text, links))
    points, data = map_points(story.events)
    lede = story.lede if story.lede and not first_text.startswith(story.lede[:60]) else None
    return StoryView(
        story=story,
        situation_href=None,
        sources=source_views,
        implications=[_implication(imp, i, linker) for i, imp in enumerate(story.implications)],
        lede=lede,
        sections=sections,
        figures=[_figure(f, linker) for f in story.figures],
        quotes=[QuoteView(q.text, q.speaker or "unattributed", linker.link(q.article_id, q.start, q.end, q.text)) for q in story.quotes],
        timeline=timeline,
        map=svg.map_picture(renderer, points),
        map_data=json.dumps({"points": data}, ensure_ascii=False, separators=(",", ":")),
        event_count=len(story.events),
        located_count=sum(p.weight for p in points),
        actors=_actors(story, kb),
        alignments=alignment_views(alignments, sides or {}, linker, until=story.updated),
    )


# -- article page ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Highlight:
    before: str
    marked: str
    after: str


def highlight(text: str, start: int | None, end: int | None) -> Highlight | None:
    if start is None or end is None:
        return None
    return Highlight(text[:start], text[start:end], text[end:])


# -- situation page -------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Change:
    date: str
    place: str
    lat: float
    lon: float
    taker: str  # side id (or actor name when derived from events)
    loser: str | None
    kind: str
    full: bool
    evidence: list[tuple[str, int, int, str]]  # (article id, start, end, text)


@dataclass(slots=True)
class Holding:
    place: str
    lat: float
    lon: float
    holder: str
    holder_name: str
    since: str
    kind: str
    full: bool  # False: entered, not (yet) held
    contested_by: str | None
    links: list[Link]


def changes_from_state(state: dict[str, Any]) -> list[Change]:
    out = []
    for c in state.get("changes", []) or []:
        try:
            evidence = [(e["article_id"], int(e["start"]), int(e["end"]), e.get("text", "")) for e in c.get("evidence", [])]
            out.append(
                Change(day(c["date"]), c["place"], float(c["lat"]), float(c["lon"]), c["taker"], c.get("loser"),
                       c.get("kind", ""), bool(c.get("full", True)), evidence)
            )
        except (KeyError, TypeError, ValueError):
            continue
    out.sort(key=lambda c: (c.date, c.place))
    return out


def changes_from_events(events: Iterable[Event]) -> list[Change]:
    """Control changes read off territory events, when no situation assessment is stored."""
    out = []
    for e in events:
        loc = e.location
        if e.sub_event_type not in TERRITORY_SUBTYPES or e.modality not in FACT_MODALITIES:
            continue
        if loc is None or loc.lat is None or loc.lon is None or not e.date or e.actor1 is None:
            continue
        evidence = [(e.article_id, e.evidence.start, e.evidence.end, e.evidence.text)] if e.article_id else []
        out.append(
            Change(day(e.date), loc.name, loc.lat, loc.lon, e.actor1.name, e.actor2.name if e.actor2 else None,
                   "regained" if e.sub_event_type == "Government regains territory" else "captured", True, evidence)
        )
    out.sort(key=lambda c: (c.date, c.place))
    return out


def control_on(changes: Sequence[Change], date: str, names: dict[str, str], linker: Linker) -> list[Holding]:
    """Who held each place on ``date``: the latest full change up to that day; a later entry marks it contested."""
    held: dict[str, Change] = {}
    entered: dict[str, Change] = {}
    for c in changes:
        if c.date > date:
            break
        if c.full:
            held[c.place] = c
            entered.pop(c.place, None)
        else:
            entered[c.place] = c
    out = []
    for place in sorted(set(held) | set(entered)):
        h, p = held.get(place), entered.get(place)
        base = h or p
        assert base is not None
        links = [x for c in (h, p) if c is not None for aid, s, e, text in c.evidence if (x := linker.link(aid, s, e, text))]
        contested = names.get(p.taker, p.taker) if (p is not None and h is not None and p.taker != h.taker) else None
        out.append(
            Holding(place, base.lat, base.lon, base.taker, names.get(base.taker, base.taker), base.date, base.kind,
                    h is not None, contested, links)
        )
    return out


def change_dates(changes: Sequence[Change]) -> list[str]:
    return sorted({c.date for c in changes})


def valid_day(value: str | None) -> str | None:
    if not value or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return None
    return value


def holding_title(h: Holding) -> str:
    if not h.full:
        return f"{h.place}: entered by {h.holder_name} on {h.since}, not held"
    contested = f", contested by {h.contested_by}" if h.contested_by else ""
    return f"{h.place}: held by {h.holder_name} since {h.since}{contested}"


def control_picture(
    renderer: svg.OutlineRenderer, holdings: Sequence[Holding], all_changes: Sequence[Change]
) -> tuple[svg.MapPicture, dict[str, str]]:
    """The control map: every place that ever changed hands stays in view, coloured by who held it that day."""
    # Colours follow the sides of the whole history, so a side keeps its colour from one date to the next.
    weight = Counter(c.taker for c in all_changes) + Counter(h.holder for h in holdings)
    order = [s for s, _ in sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))]
    present = {h.holder for h in holdings}
    colors = {side: color for side, color in svg.group_colors(order).items() if side in present}
    names = {h.holder: h.holder_name for h in holdings}
    points = [
        svg.MapPoint(h.lon, h.lat, h.place, holding_title(h),
                     group=h.holder, weight=1, full=h.full)
        for h in holdings
    ]
    extent = [(c.lon, c.lat) for c in all_changes] or None
    pic = svg.map_picture(renderer, points, colors=colors, legend_names=names, max_labels=16, extent=extent)
    return pic, colors


# -- scorecard ------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Judgment:
    id: str
    story_id: str
    statement: str
    likelihood: str
    p: float
    made_at: str
    status: str
    deadline: str | None
    resolved_at: str | None
    resolved_by: list[Link]


@dataclass(slots=True)
class Band:
    term: str
    low: float
    high: float
    n: int
    true: int

    @property
    def observed(self) -> float | None:
        return self.true / self.n if self.n else None


@dataclass(slots=True)
class PatternLine:
    pattern: str
    settled: int
    true: int
    false: int
    open: int
    void: int
    brier: float | None
    mean_p: float | None
    observed: float | None


@dataclass(slots=True)
class Scorecard:
    total: int
    open: int
    resolved: int
    true: int
    false: int
    void: int
    brier: float | None
    bands: list[Band]
    patterns: list[PatternLine]
    judgments: list[Judgment]
    open_judgments: list[Judgment]


def build_scorecard(rows: Sequence[Any], limit: int = 200) -> Scorecard:
    """Rows of the implications table (every issued version), scored as ``watchfloor.assess.scoring`` does.

    Each version with a checkable claim is scored on its own; the same claim made twice on one day (by two
    stories of one theatre) counts once, so these figures match the assess stage's own scorecard.
    """
    from watchfloor.assess.likelihood import TERMS, term_for
    from watchfloor.assess.scoring import Scored, scorecard

    unique: dict[tuple[str, str, str | None, str], Any] = {}
    for r in rows:
        unique[(r["pattern"], r["subject"], r["theatre"], (r["made_at"] or "")[:10])] = r
    kept = list(unique.values())
    lines, overall = scorecard([Scored(r["pattern"], r["subject"], r["theatre"], r["made_at"], float(r["p"]), r["status"]) for r in kept])
    bands = {name: Band(name, low, high, 0, 0) for name, low, high in TERMS}
    judgments, open_items = [], []
    empty = Linker({}, {})
    for r in kept:
        status = r["status"]
        data = json.loads(r["json"]) if r["json"] else {}
        resolution = data.get("resolution") or {}
        resolved_by = [
            x for e in resolution.get("resolved_by", []) or []
            if (x := empty.link(e.get("article_id"), int(e.get("start", 0)), int(e.get("end", 0)), e.get("text", "")))
        ]
        j = Judgment(r["id"], r["story_id"], data.get("statement", ""), data.get("likelihood", ""), float(r["p"]),
                     day(r["made_at"]), status, r["deadline"], r["resolved_at"], resolved_by)
        if status in ("true", "false"):
            band = bands[term_for(j.p).name]
            band.n += 1
            band.true += int(status == "true")
            judgments.append(j)
        elif status == "open":
            open_items.append(j)
    judgments.sort(key=lambda j: (j.resolved_at or "", j.made_at), reverse=True)
    open_items.sort(key=lambda j: (j.deadline or "9999", j.made_at))
    return Scorecard(
        total=overall.n + overall.open + overall.void,
        open=overall.open,
        resolved=overall.n,
        true=overall.true,
        false=overall.false,
        void=overall.void,
        brier=overall.brier,
        bands=list(bands.values()),
        patterns=[PatternLine(x.pattern, x.n, x.true, x.false, x.open, x.void, x.brier, x.mean_p, x.base_rate) for x in lines],
        judgments=judgments[:limit],
        open_judgments=open_items[:limit],
    )
