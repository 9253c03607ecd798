"""The implications engine: grounded, linted records; likelihood that moves with the evidence; the reference page."""

from __future__ import annotations

import re

import pytest
from assess_samples import PLACES, REPORTS, figure, sources, story
from conftest import SHARED_REFERENCE

from watchfloor.assess.base import REGISTRY
from watchfloor.assess.engine import assess, assess_story
from watchfloor.assess.likelihood import TERM_NAMES, terms_in
from watchfloor.assess.linter import NameIndex, lint
from watchfloor.kb.actors import ActorKB
from watchfloor.models import Article
from watchfloor.situation.sources import Sources, source_doc
from watchfloor.situation.state import build_situation

AS_OF = "2024-12-06T23:00:00Z"


@pytest.fixture(scope="module")
def kb() -> ActorKB:
    return ActorKB.load()


def _run(kb: ActorKB, keys: list[str], extra: list[Article] = (), as_of: str = AS_OF, figures: list | None = None):
    src = sources(keys, kb, extra)
    figs = figures if figures is not None else [figure("a2", 280000), figure("a3", 370000)]
    sit = build_situation("SYR", [], figs, src, kb=kb, as_of=as_of)
    ids = keys + [a.id for a in extra]
    return assess(story(ids), sit, src, kb=kb, made_at=as_of), src


def test_every_pattern_documents_its_base_rate_and_evidence_rule() -> None:
    kinds = {spec.kind for spec in REGISTRY.values()}
    assert {
        "balance-of-power", "external-actor", "humanitarian", "scenario", "international-response",
        "withdrawal-fragmentation", "ceasefire-durability", "political-transition", "regional-spillover", "economic",
        "escalation",
    } <= kinds
    for spec in REGISTRY.values():
        assert 0.0 < spec.base_rate < 1.0
        assert len(spec.base_note) > 30 and len(spec.evidence_rule) > 60


def test_implications_are_complete_grounded_and_pass_the_linter(kb: ActorKB) -> None:
    result, src = _run(kb, ["a1", "a2", "a3"])
    assert result.errors == [] and result.rejected == []
    imps = result.implications
    assert len(imps) >= 5 and len({i.kind for i in imps}) >= 5
    texts = src.texts()
    names = NameIndex(texts.values(), kb)
    for imp in imps:
        assert lint(imp, texts, names) == []
        assert imp.evidence and all(texts[r.article_id][r.start : r.end] == r.text for r in imp.evidence)
        assert imp.likelihood in TERM_NAMES and terms_in(imp.statement)[0] == imp.likelihood
        assert not re.search(r"\b(could|may|might)\b", imp.statement)
        assert imp.confidence in {"high", "moderate", "low"} and imp.confidence_reason
        assert "confidence" not in imp.statement.lower()
        assert imp.alternatives and 2 <= len(imp.indicators) <= 3 and imp.assumptions
        assert imp.why.startswith("Base rate") and "Estimate" in imp.why
    homs = [i for i in imps if "take control of Homs" in i.statement]
    assert homs, [i.statement for i in imps]
    res = homs[0].resolution
    assert res is not None and res.status == "open" and res.deadline == "2024-12-20"
    assert "Homs" in res.criterion and "HTS-led forces" in res.criterion
    assert assess_story(story(["a1", "a2", "a3"]), result_situation(kb), src, kb=kb, made_at=AS_OF)


def result_situation(kb: ActorKB):
    return build_situation("SYR", [], [], sources(["a1", "a2", "a3"], kb), kb=kb, as_of=AS_OF)


def _p(result, pattern: str, subject_part: str = "") -> float:
    found = [j.p for j in result.judgments if j.pattern == pattern and subject_part in j.subject]
    assert found, [(j.pattern, j.subject) for j in result.judgments]
    return found[0]


def _report(id_: str, date: str, outlet: str, text: str) -> Article:
    return Article(id=id_, text=text, date=date, outlet=outlet, title=id_)


def test_likelihood_rises_with_independent_sources(kb: ActorKB) -> None:
    one, _ = _run(kb, ["a1", "a2"])
    echo = [
        _report("b1", "2024-12-05T15:00:00Z", "Wire F", "Opposition fighters took control of Hama on Thursday, residents said."),
        _report("b2", "2024-12-05T16:00:00Z", "Wire G", "Rebels captured Hama after the army left, witnesses said."),
    ]
    three, _ = _run(kb, ["a1", "a2"], echo)
    assert _p(three, "territorial-momentum") > _p(one, "territorial-momentum")
    # Copies of the same wire report are not independent: the same outlet twice counts once.
    same = [_report(f"c{n}", "2024-12-05T15:00:00Z", "Wire B", "Opposition fighters took control of Hama on Thursday.") for n in (1, 2)]
    copies, _ = _run(kb, ["a1", "a2"], same)
    assert _p(copies, "territorial-momentum") == pytest.approx(_p(one, "territorial-momentum"), abs=1e-6)


def test_likelihood_rises_with_momentum(kb: ActorKB) -> None:
    slow, _ = _run(kb, ["a2"])
    fast_extra = [_report("m1", "2024-12-05T18:00:00Z", "Wire H", "Opposition fighters captured Rastan and Idlib on Thursday.")]
    fast, _ = _run(kb, ["a2"], fast_extra)
    assert _p(fast, "territorial-momentum") > _p(slow, "territorial-momentum")


def test_counter_evidence_lowers_the_likelihood(kb: ActorKB) -> None:
    base, _ = _run(kb, ["a1", "a2", "a3"])
    pushback = [_report("n1", "2024-12-06T18:00:00Z", "Wire J",
                        "The army said its troops were reinforcing their lines around Homs and had repelled an attack.")]
    lower, _ = _run(kb, ["a1", "a2", "a3"], pushback)
    assert _p(lower, "next-objective", "Homs") < _p(base, "next-objective", "Homs")
    assert "counter-evidence" in next(j.implication.why for j in lower.judgments if "Homs" in j.subject)


def test_displacement_judgment_is_checkable_and_cites_the_figures(kb: ActorKB) -> None:
    result, _ = _run(kb, ["a1", "a2", "a3"])
    imp = next(j for j in result.judgments if j.pattern == "displacement-rise")
    assert imp.check == {"type": "figure_at_least", "kind": "displaced", "threshold": 500000, "after": AS_OF, "deadline": "2024-12-20"}
    assert "370,000" in imp.implication.statement and "500,000" in imp.implication.statement
    assert any("370,000" in r.text for r in imp.implication.evidence)


# -- the reference page ---------------------------------------------------------------------------------------

THEMES = {
    "balance of power": lambda i: i.kind == "balance-of-power",
    "external actor": lambda i: i.kind == "external-actor" and "Turkey" in i.statement,
    "humanitarian impact": lambda i: i.kind == "humanitarian",
    "scenario if the capital falls": lambda i: i.kind == "scenario" and "Damascus" in i.statement,
    "international response": lambda i: i.kind in ("international-response", "escalation"),
    "withdrawal of foreign support": lambda i: i.kind == "withdrawal-fragmentation",
}


def _reference_article() -> Article | None:
    path = SHARED_REFERENCE / "seed-example.md"
    if not path.exists():
        return None
    block = re.search(r"```text\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
    if block is None:
        return None
    lines = [line for line in block.group(1).split("\n") if line.strip()]
    # Six implications, the headline, then the article: only the article is evidence.
    return Article(id="reference", text="\n\n".join(lines[7:]), title=lines[6], date="2024-12-06T12:00:00Z")


def test_reference_article_alone_covers_the_themes_with_its_own_sentences(kb: ActorKB) -> None:
    art = _reference_article()
    if art is None:
        pytest.skip("reference example not available")
    from watchfloor.analyze.output import extract_record
    from watchfloor.analyze.pipeline import Analyzer

    analyzer = Analyzer()
    doc = analyzer(art)
    for n, event in enumerate(doc.events):
        event.article_id, event.id = art.id, f"{art.id}-e{n}"
    for fig in doc.figures:
        fig.article_id, fig.date = art.id, "2024-12-06"
    record = extract_record(doc, analyzer.resources.actors)
    src = Sources([source_doc(art, analysis=record)])
    sit = build_situation("SYR", doc.events, doc.figures, src, kb=analyzer.resources.actors,
                          gazetteer=analyzer.resources.gazetteer, as_of=art.date)
    ref_story = story([art.id], doc.events, story_id="st-reference")
    result = assess(ref_story, sit, src, kb=analyzer.resources.actors, made_at=art.date)
    imps = result.implications
    covered = {theme for theme, test in THEMES.items() if any(test(i) for i in imps)}
    assert len(covered) >= 5, (covered, [i.statement for i in imps])
    for imp in imps:
        assert imp.evidence
        for ref in imp.evidence:
            assert ref.article_id == art.id and art.text[ref.start : ref.end] == ref.text
    assert lint(imps[0], {art.id: art.text}, NameIndex([art.text], analyzer.resources.actors)) == []


def test_places_used_in_samples_are_real_coordinates() -> None:
    # Guard for the samples themselves: Homs lies between Hama and Damascus.
    assert PLACES["Damascus"].lat < PLACES["Homs"].lat < PLACES["Hama"].lat < PLACES["Aleppo"].lat
    assert REPORTS["a4"][0] > REPORTS["a3"][0]


def test_names_are_checked_against_the_story_and_the_reports_a_draft_cites(kb: ActorKB) -> None:
    from watchfloor.assess.engine import _StoryNames

    story_texts = ["Rebels of Hayat Tahrir al-Sham entered Hama.", "The army left Rastan."]
    cited = ["Fighters neared Talbiseh, residents said.", "The al-Sham-led advance went on."]
    names = _StoryNames(story_texts, kb)
    asked = ["Hama", "Rastan", "Talbiseh", "Sham", "Qusayr", "Hayat Tahrir", "Syria", "Hams", "Zzyzx Brigade"]
    for texts_cited in ([], cited, cited[:1]):
        known = names.for_draft(texts_cited)
        plain = NameIndex(story_texts + texts_cited, kb)
        assert [known(n) for n in asked] == [plain.known(n) for n in asked], texts_cited
    assert names.for_draft(cited)("Talbiseh") and not names.for_draft([])("Talbiseh")
    assert not names.for_draft(cited)("Zzyzx Brigade")


def test_a_pattern_runs_once_per_story_even_when_another_reads_its_drafts(kb: ActorKB, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from watchfloor.assess import base, patterns

    runs: list[str] = []

    def counting(pid: str, fn):  # noqa: ANN001, ANN202
        def counted(ctx):  # noqa: ANN001, ANN202
            runs.append(pid)
            return fn(ctx)

        return counted

    for pid, spec in list(REGISTRY.items()):
        monkeypatch.setitem(base.REGISTRY, pid, replace(spec, run=counting(pid, spec.run)))
    # Also counted when a pattern calls another one directly.
    monkeypatch.setattr(patterns, "next_objective", counting("next-objective", patterns.next_objective))
    monkeypatch.setattr(patterns, "capital_falls", counting("capital-falls", patterns.capital_falls))
    reached: list[str] = []
    route = patterns._capital_route
    monkeypatch.setattr(patterns, "_capital_route", lambda ctx, leader: reached.append(leader) or route(ctx, leader))
    result, _ = _run(kb, ["a1", "a2", "a3"])
    assert result.errors == [] and result.judgments
    assert reached  # the leader forecast did read the capital forecasts
    assert sorted(runs) == sorted(REGISTRY)
