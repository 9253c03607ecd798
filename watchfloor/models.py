"""Typed records with a stable JSON form.

Every derived record carries provenance: the id of the article it came from and the character span
``[start, end)`` into that article's text, so that ``article.text[start:end] == record.text``.

Records are slotted dataclasses. ``to_dict`` gives the stable JSON form (field order is the declaration
order, which is part of the format), and ``from_dict`` rebuilds the record, ignoring unknown keys so that
older readers survive newer files.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar, Literal, TypeVar, Union

R = TypeVar("R", bound="Record")

Modality = Literal["asserted", "negated", "hypothetical", "future", "reported"]
MentionKind = Literal["actor", "place", "date", "quantity", "quote"]


class Record:
    """Mixin for the JSON form; subclasses are dataclasses."""

    __slots__ = ()
    # Fields dropped from the JSON form when they hold None, to keep files small where a field is rare.
    omit_none: ClassVar[frozenset[str]] = frozenset()

    def to_dict(self) -> dict[str, Any]:
        return _dict_encoder(type(self))(self)

    def to_json(self) -> str:
        return _JSON.encode(self.to_dict())

    @classmethod
    def from_dict(cls: type[R], data: dict[str, Any]) -> R:
        kwargs = {}
        for name, decode in _field_decoders(cls):
            if name in data:
                value = data[name]
                kwargs[name] = value if value is None or decode is None else decode(value)
        return cls(**kwargs)

    @classmethod
    def from_json(cls: type[R], text: str) -> R:
        return cls.from_dict(json.loads(text))


# Stores read and write whole stories and situations through these on every batch, so the per-field work is
# worked out once per class and per type hint rather than once per value.
_SCALARS = frozenset({str, int, float, bool})


# ``json.dumps(value, ensure_ascii=False, separators=(",", ":"))`` builds an encoder like this one per call.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _encode(value: Any) -> Any:
    kind = type(value)
    if value is None or kind in _SCALARS:
        return value
    if kind is list:  # the usual container, tested first: a list is never a Record
        return [v if v is None or type(v) in _SCALARS else _encode(v) for v in value]
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


@cache
def _dict_encoder(cls: type) -> Callable[[Any], dict[str, Any]]:
    """``to_dict`` written out for one class: each field read and placed in turn, in declaration order.

    Stores encode whole stories (hundreds of records) on every batch; a function per class does without the
    loop over field names. A field holding None is left out when the class lists it in ``omit_none``; a
    scalar is placed as it is; anything else goes through ``_encode``.
    """
    lines = ["def to_dict(self):", "    out = {}"]
    for name in _field_names(cls):
        if not name.isidentifier():
            raise TypeError(f"{cls.__name__}: field {name!r} cannot be encoded")
        lines.append(f"    v = self.{name}")
        if name in cls.omit_none:
            lines.append("    if v is not None:")
            lines.append(f"        out[{name!r}] = v if type(v) in _SCALARS else _encode(v)")
        else:
            lines.append(f"    out[{name!r}] = v if v is None or type(v) in _SCALARS else _encode(v)")
    lines.append("    return out")
    namespace: dict[str, Any] = {"_SCALARS": _SCALARS, "_encode": _encode}
    exec("\n".join(lines), namespace)  # noqa: S102 - built from the class's own field names only
    return namespace["to_dict"]  # type: ignore[no-any-return]


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


@cache
def _field_decoders(cls: type) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    hints = _hints(cls)
    return tuple((f.name, _decoder(hints[f.name])) for f in dataclasses.fields(cls))


def _decode(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    decode = _decoder(hint)
    return value if decode is None else decode(value)


@cache
def _decoder(hint: Any) -> Callable[[Any], Any] | None:
    """How a JSON value of type ``hint`` becomes a field value (never called with None); None: as it is."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        for arg in typing.get_args(hint):
            if arg is not type(None):
                return _decoder(arg)
        return None
    if isinstance(hint, type) and issubclass(hint, Record):
        return hint.from_dict
    if origin is list:
        (arg,) = typing.get_args(hint)
        inner = _decoder(arg)
        if inner is None:
            return list
        return lambda value: [None if v is None else inner(v) for v in value]
    if origin is tuple:
        inner = _decoder(typing.get_args(hint)[0])
        if inner is None:
            return tuple
        return lambda value: tuple(None if v is None else inner(v) for v in value)
    if origin is dict:
        inner = _decoder(typing.get_args(hint)[1])
        if inner is None:
            return dict
        return lambda value: {k: None if v is None else inner(v) for k, v in value.items()}
    return None


@dataclass(slots=True)
class Span(Record):
    """A piece of an article's text: ``article.text[start:end] == text``."""

    article_id: str
    start: int
    end: int
    text: str


@dataclass(slots=True)
class Article(Record):
    id: str
    text: str
    title: str | None = None
    date: str | None = None  # ISO 8601, as given or normalised to UTC
    url: str | None = None
    outlet: str | None = None
    language: str | None = None
    source_id: str | None = None  # the id the input gave it, when that differs from the stable id
    content_hash: str | None = None
    author: str | None = None  # the byline, as the input gives it


@dataclass(slots=True)
class ActorRef(Record):
    """An actor as an event names it."""

    id: str | None
    name: str
    type: str | None = None
    country: str | None = None


@dataclass(slots=True)
class Relation(Record):
    kind: str  # backed_by | allied_with | opposed_to | affiliated_with | ...
    target: str  # actor id
    since: str | None = None
    until: str | None = None
    note: str | None = None  # where this is known from


@dataclass(slots=True)
class Actor(Record):
    id: str
    name: str
    type: str
    country: str | None = None
    aliases: list[str] = field(default_factory=list)
    affiliation: list[str] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    theatre: str | None = None
    description: str | None = None

    def ref(self) -> ActorRef:
        return ActorRef(id=self.id, name=self.name, type=self.type, country=self.country)


@dataclass(slots=True)
class Place(Record):
    name: str
    lat: float | None
    lon: float | None
    country: str | None = None  # ISO 3166 alpha-3
    admin1: str | None = None
    admin2: str | None = None
    geonames_id: int | None = None
    geo_precision: int = 1  # 1 the town, 2 near it or part of a region, 3 only the region


@dataclass(slots=True)
class Mention(Record):
    """A stretch of text that names something; ``value`` is what it resolved to, if anything."""

    kind: MentionKind
    article_id: str
    start: int
    end: int
    text: str
    value: str | None = None  # actor id, place name, ISO date, number, speaker...
    resolved: bool = False


@dataclass(slots=True)
class Evidence(Record):
    text: str
    start: int
    end: int


@dataclass(slots=True)
class Event(Record):
    event_type: str
    sub_event_type: str
    disorder_type: str | None
    plover: str | None
    actor1: ActorRef | None
    actor2: ActorRef | None
    location: Place | None
    date: str | None  # YYYY-MM-DD
    date_precision: int
    fatalities: int | None
    modality: Modality
    evidence: Evidence
    article_id: str | None = None
    id: str | None = None

    omit_none: ClassVar[frozenset[str]] = frozenset({"article_id", "id"})


@dataclass(slots=True)
class Figure(Record):
    kind: str  # killed | injured | displaced | refugees | detained | missing | affected | ...
    value: int | None
    low: int | None
    high: int | None
    approximate: bool
    period: int | None  # days the figure covers, when the text says ("within a week" = 7)
    source: str | None
    start: int
    end: int
    text: str
    article_id: str | None = None
    date: str | None = None

    omit_none: ClassVar[frozenset[str]] = frozenset({"article_id", "date"})


@dataclass(slots=True)
class Quote(Record):
    speaker: str | None
    speaker_id: str | None
    text: str
    start: int
    end: int
    direct: bool = True
    article_id: str | None = None

    omit_none: ClassVar[frozenset[str]] = frozenset({"article_id"})


@dataclass(slots=True)
class DateMention(Record):
    date: str  # YYYY-MM-DD
    precision: int  # 1 day, 2 week, 3 month
    start: int
    end: int
    text: str


@dataclass(slots=True)
class Citation(Record):
    article_id: str
    start: int
    end: int


@dataclass(slots=True)
class Paragraph(Record):
    text: str
    citations: list[Citation] = field(default_factory=list)


@dataclass(slots=True)
class Section(Record):
    heading: str
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass(slots=True)
class EvidenceRef(Record):
    """Evidence for a judgment: the exact source text at a span of an article."""

    article_id: str
    start: int
    end: int
    text: str


@dataclass(slots=True)
class Resolution(Record):
    criterion: str
    status: str = "open"  # open | true | false | void (the condition never arose, or cannot be checked)
    resolved_at: str | None = None
    resolved_by: list[EvidenceRef] = field(default_factory=list)
    deadline: str | None = None

    omit_none: ClassVar[frozenset[str]] = frozenset({"resolved_at", "deadline"})


@dataclass(slots=True)
class Implication(Record):
    id: str
    kind: str
    statement: str
    likelihood: str
    probability: tuple[float, float]
    confidence: str
    confidence_reason: str
    horizon_days: int | None
    evidence: list[EvidenceRef]
    assumptions: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    why: str = ""
    resolution: Resolution | None = None


@dataclass(slots=True)
class TimelineEntry(Record):
    date: str
    text: str
    event_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Story(Record):
    id: str
    headline: str
    lede: str
    situation: str | None
    article_ids: list[str]
    duplicates: dict[str, str] = field(default_factory=dict)
    first_seen: str | None = None
    updated: str | None = None
    implications: list[Implication] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    actors: list[ActorRef] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)


@dataclass(slots=True)
class Brief(Record):
    """A dated snapshot of one story as published, kept so the next brief can say what changed."""

    story_id: str
    created: str
    story: Story
    changes: list[str] = field(default_factory=list)
