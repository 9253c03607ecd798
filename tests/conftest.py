"""Fixtures shared across the test suite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
CORPUS = ROOT / "examples" / "corpus"
SHARED_REFERENCE = ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="session", autouse=True)
def shared_gazetteer() -> Path:
    """One gazetteer index for the whole run (building it takes ~20 s): the user's, built once if missing."""
    from watchfloor.config import gazetteer_path
    from watchfloor.kb.gazetteer_build import build_gazetteer

    path = gazetteer_path()
    if not path.exists():
        build_gazetteer(path)
    os.environ["WATCHFLOOR_GAZETTEER"] = str(path)
    return path


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test away from the user's real data dir and database."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("WATCHFLOOR_HOME", str(home))
    monkeypatch.delenv("WATCHFLOOR_DB", raising=False)
    return home


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The dashboard tests' hand-built store (tests/web_sample.py), one per test module."""
    from web_sample import build_sample

    return build_sample(tmp_path_factory.mktemp("web") / "web.db")


@pytest.fixture(scope="module")
def client(sample: Any) -> Any:
    """A test client of the web app over ``sample``."""
    from fastapi.testclient import TestClient

    from watchfloor.web.app import create_app

    return TestClient(create_app(sample.db))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def run_cli(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "watchfloor", *args],
        input=input,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
