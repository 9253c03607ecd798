"""The optional writer: a local server speaking the OpenAI chat-completions protocol rewords a brief, and every
sentence it returns is checked against the evidence and the linter."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from watchfloor.assess.llm import LLMConfig, config_from_env, rephrase
from watchfloor.models import EvidenceRef, Implication

TEXT = (
    "Opposition fighters took control of Hama on Thursday, the second city to fall in a week, and moved toward Homs. "
    "The UN said 280,000 people had been displaced since the offensive began."
)
TEXTS = {"r1": TEXT}


def _imp(id_: str, statement: str, likelihood: str = "likely", probability: tuple[float, float] = (0.55, 0.8)) -> Implication:
    sentence = TEXT.split(". ")[0] + "."
    return Implication(
        id=id_, kind="balance-of-power", statement=statement, likelihood=likelihood, probability=probability,
        confidence="moderate", confidence_reason="Moderate confidence: 2 independent sources; direct reporting.",
        horizon_days=14, evidence=[EvidenceRef("r1", 0, len(sentence), sentence)], alternatives=["The advance stalls."],
        indicators=["Units leaving Homs.", "Fighting at the outskirts."], assumptions=["Reports are accurate."],
        why="Base rate 30%.",
    )


IMPS = [
    _imp("good", "It is likely that opposition fighters will take control of Homs by 20 December 2024, after Hama."),
    _imp("number", "It is likely that opposition fighters will take control of Homs by 20 December 2024."),
    _imp("modal", "It is likely that opposition fighters will take control of Homs by 20 December 2024."),
    _imp("term", "It is likely that opposition fighters will take control of Homs by 20 December 2024."),
    _imp("name", "It is likely that opposition fighters will take control of Homs by 20 December 2024."),
]

REPLY = {
    "headline": "Opposition fighters take Hama, the second city to fall in a week",
    "statements": [
        {"id": "good", "statement": "After Hama, it is likely that opposition fighters will control Homs by 20 December 2024."},
        {"id": "number", "statement": "It is likely that 5,000 opposition fighters will take control of Homs by 20 December 2024."},
        {"id": "modal", "statement": "Opposition fighters could take control of Homs by 20 December 2024."},
        {"id": "term", "statement": "It is very likely that opposition fighters will take control of Homs by 20 December 2024."},
        {"id": "name", "statement": "It is likely that the Zorgan Brigade will take control of Homs by 20 December 2024."},
    ],
}


class _Handler(BaseHTTPRequestHandler):
    requests: list[dict[str, Any]] = []
    reply: Any = REPLY
    status = 200

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        type(self).requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        content = self.reply if isinstance(self.reply, str) else "Here you go:\n```json\n" + json.dumps(self.reply) + "\n```"
        payload = json.dumps({"id": "x", "object": "chat.completion", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.requests = []
    _Handler.reply = REPLY
    _Handler.status = 200
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_off_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WATCHFLOOR_LLM_URL", raising=False)
    assert config_from_env() is None
    monkeypatch.setenv("WATCHFLOOR_LLM_URL", "http://127.0.0.1:9/v1")
    config = config_from_env(model="small")
    assert config is not None and config.endpoint == "http://127.0.0.1:9/v1/chat/completions" and config.model == "small"
    assert LLMConfig("http://h:1/v1/chat/completions").endpoint == "http://h:1/v1/chat/completions"
    assert LLMConfig("http://h:1").endpoint == "http://h:1/v1/chat/completions"


def test_only_checked_sentences_replace_the_originals(server: str) -> None:
    config = LLMConfig(server, model="tiny", api_key="secret", timeout=10)
    result = rephrase(config, "Rebels take Hama", IMPS, TEXTS)
    by_id = {i.id: i.statement for i in result.implications}
    assert by_id["good"] == REPLY["statements"][0]["statement"]
    for kept in ("number", "modal", "term", "name"):
        assert by_id[kept] == next(i.statement for i in IMPS if i.id == kept)
    reasons = dict(result.dropped)
    assert "numbers not in the original" in reasons[REPLY["statements"][1]["statement"]]
    assert "vague-modal" in reasons[REPLY["statements"][2]["statement"]] or "likelihood" in reasons[REPLY["statements"][2]["statement"]]
    assert "likelihood 'likely'" in reasons[REPLY["statements"][3]["statement"]]
    assert "unknown-name" in reasons[REPLY["statements"][4]["statement"]]
    assert result.headline == REPLY["headline"] and result.accepted == 2
    sent = _Handler.requests[0]
    assert sent["path"] == "/v1/chat/completions" and sent["auth"] == "Bearer secret"
    assert sent["body"]["model"] == "tiny" and sent["body"]["messages"][0]["role"] == "system"
    assert json.loads(sent["body"]["messages"][1]["content"])["statements"][0]["id"] == "good"


def test_headline_with_invented_facts_is_dropped(server: str) -> None:
    _Handler.reply = {"headline": "Zorgan Brigade seizes 12 towns", "statements": []}
    result = rephrase(LLMConfig(server), "Rebels take Hama", IMPS, TEXTS)
    assert result.headline == "Rebels take Hama" and result.accepted == 0 and result.dropped


def test_broken_or_unreachable_writer_changes_nothing(server: str) -> None:
    _Handler.reply = "sorry, I cannot help with that"
    result = rephrase(LLMConfig(server), "Rebels take Hama", IMPS, TEXTS)
    assert [i.statement for i in result.implications] == [i.statement for i in IMPS] and result.dropped
    _Handler.reply, _Handler.status = REPLY, 500
    assert rephrase(LLMConfig(server), "Rebels take Hama", IMPS, TEXTS).accepted == 0
    gone = rephrase(LLMConfig("http://127.0.0.1:9/v1", timeout=2), "Rebels take Hama", IMPS, TEXTS)
    assert gone.headline == "Rebels take Hama" and gone.accepted == 0
