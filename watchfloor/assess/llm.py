"""Optional writer: an OpenAI-compatible chat endpoint may rephrase a brief's statements and headline.

Off unless configured (``WATCHFLOOR_LLM_URL`` or ``--llm-url``; ``WATCHFLOOR_LLM_MODEL``, ``WATCHFLOOR_LLM_KEY``).
Any server speaking the chat-completions protocol works: a local Ollama (``http://127.0.0.1:11434/v1``),
llama.cpp's server, vLLM, or a hosted one.

The model only rewords. Every sentence it returns is checked, and dropped (the original is kept) unless:

* it is one sentence, passes the linter (no vague modal, no confidence talk, names found in the sources or
  the knowledge base) and states the same ICD 203 term as the judgment it rewrites;
* every number in it appears in the original statement or in the judgment's evidence;
* for the headline, every name and number appears in the sources.

A failing or unreachable endpoint changes nothing: the brief stays as the engine wrote it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from watchfloor.assess.likelihood import terms_in
from watchfloor.assess.linter import NameIndex, lint, names_in
from watchfloor.errors import WatchfloorError
from watchfloor.models import Implication

DEFAULT_TIMEOUT = 60.0
_NUMBER = re.compile(r"\d[\d,.]*")

SYSTEM_PROMPT = (
    "You edit intelligence-style judgments for clarity. Rewrite each statement as one plain English sentence. "
    "Keep every name, number, date and the exact likelihood phrase (for example 'likely', 'very likely', "
    "'roughly even chance'); add no fact, name or number; never use could, may or might; never mention "
    "confidence. Answer with JSON only: {\"headline\": \"...\", \"statements\": [{\"id\": \"...\", "
    "\"statement\": \"...\"}]}."
)


class LLMError(WatchfloorError):
    code = "W610"


@dataclass(slots=True, frozen=True)
class LLMConfig:
    url: str
    model: str = "default"
    api_key: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    @property
    def endpoint(self) -> str:
        url = self.url.rstrip("/")
        if url.endswith("/chat/completions"):
            return url
        if not url.endswith("/v1"):
            url += "/v1"
        return url + "/chat/completions"


def config_from_env(url: str | None = None, model: str | None = None) -> LLMConfig | None:
    """The configured writer, or None when no URL is given (the default: no model is called)."""
    url = url or os.environ.get("WATCHFLOOR_LLM_URL")
    if not url:
        return None
    return LLMConfig(
        url=url,
        model=model or os.environ.get("WATCHFLOOR_LLM_MODEL") or "default",
        api_key=os.environ.get("WATCHFLOOR_LLM_KEY") or None,
        timeout=float(os.environ.get("WATCHFLOOR_LLM_TIMEOUT") or DEFAULT_TIMEOUT),
    )


@dataclass(slots=True)
class Rewrite:
    implications: list[Implication]
    headline: str
    accepted: int = 0
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (sentence, why it was refused)


def chat(config: LLMConfig, messages: Sequence[Mapping[str, str]]) -> str:
    """One chat-completions call; returns the first choice's content."""
    import httpx

    headers = {"Content-Type": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    body = {"model": config.model, "messages": list(messages), "temperature": 0}
    try:
        response = httpx.post(config.endpoint, json=body, headers=headers, timeout=config.timeout)
        response.raise_for_status()
        data = response.json()
        return str(data["choices"][0]["message"]["content"])
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise LLMError(f"the writer at {config.endpoint} failed: {exc}") from exc


def _json_block(text: str) -> dict[str, Any]:
    """The JSON object in a reply, allowing for code fences or chatter around it."""
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise LLMError("the writer's reply holds no JSON object")
    try:
        data = json.loads(text[start : end + 1])
    except ValueError as exc:
        raise LLMError(f"the writer's reply is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise LLMError("the writer's reply is not a JSON object")
    return data


def _numbers(text: str) -> set[str]:
    return {n.rstrip(".,").replace(",", "") for n in _NUMBER.findall(text) if n.rstrip(".,")}


def check_statement(original: Implication, sentence: str, texts: Mapping[str, str], names: NameIndex) -> str | None:
    """Why the rewritten statement is refused, or None when it may replace the original."""
    sentence = " ".join(sentence.split())
    if not sentence:
        return "empty"
    if len(sentence) > 2 * len(original.statement) + 80:
        return "much longer than the original"
    stated = terms_in(sentence)
    if original.likelihood not in stated or any(t != original.likelihood for t in stated):
        return f"does not state the judgment's likelihood '{original.likelihood}'"
    allowed = _numbers(original.statement) | {n for r in original.evidence for n in _numbers(r.text)}
    extra = _numbers(sentence) - allowed
    if extra:
        return f"numbers not in the original or its evidence: {sorted(extra)}"
    candidate = dataclasses.replace(original, statement=sentence)
    problems = lint(candidate, texts, names)
    if problems:
        return "; ".join(str(p) for p in problems)
    return None


def check_headline(headline: str, texts: Mapping[str, str], names: NameIndex) -> str | None:
    headline = " ".join(headline.split())
    if not headline or len(headline) > 160:
        return "empty or too long"
    unknown = [n for n in names_in(headline) if not names.known(n)]
    if unknown:
        return f"names not in the sources: {unknown}"
    allowed = {n for t in texts.values() for n in _numbers(t)}
    extra = _numbers(headline) - allowed
    if extra:
        return f"numbers not in the sources: {sorted(extra)}"
    if VAGUE.search(headline):
        return "vague modal"
    return None


VAGUE = re.compile(r"\b(?:could|may|might)\b", re.I)


def rephrase(
    config: LLMConfig,
    headline: str,
    implications: Sequence[Implication],
    texts: Mapping[str, str],
    kb: Any = None,
) -> Rewrite:
    """Ask the writer to reword the statements and headline; keep only what passes every check."""
    names = NameIndex(texts.values(), kb)
    request = {
        "headline": headline,
        "statements": [{"id": i.id, "statement": i.statement, "likelihood": i.likelihood} for i in implications],
    }
    result = Rewrite(implications=list(implications), headline=headline)
    try:
        reply = _json_block(chat(config, [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": json.dumps(request, ensure_ascii=False)},
        ]))
    except LLMError as exc:
        result.dropped.append(("", str(exc)))
        return result
    by_id = {i.id: i for i in implications}
    rewritten: dict[str, str] = {}
    for item in reply.get("statements") or []:
        if isinstance(item, dict) and isinstance(item.get("id"), str) and isinstance(item.get("statement"), str):
            rewritten[item["id"]] = item["statement"]
    out = []
    for imp in implications:
        sentence = rewritten.get(imp.id)
        if sentence is None:
            out.append(imp)
            continue
        why = check_statement(by_id[imp.id], sentence, texts, names)
        if why is None:
            out.append(dataclasses.replace(imp, statement=" ".join(sentence.split())))
            result.accepted += 1
        else:
            out.append(imp)
            result.dropped.append((sentence, why))
    result.implications = out
    new_headline = reply.get("headline")
    if isinstance(new_headline, str) and new_headline.strip() and new_headline.strip() != headline:
        why = check_headline(new_headline, texts, names)
        if why is None:
            result.headline = " ".join(new_headline.split())
            result.accepted += 1
        else:
            result.dropped.append((new_headline, why))
    return result
