"""The labelled evaluation data stays well-formed: every type string known, every span and coordinate valid."""

from __future__ import annotations

import importlib.util

import pytest
from conftest import DATA


def test_labelled_event_data_passes_its_validator(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("validate_events", DATA / "events" / "validate.py")
    assert spec is not None and spec.loader is not None
    validate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(validate)
    status = validate.main()
    out = capsys.readouterr().out
    assert status == 0, "\n".join(line for line in out.splitlines() if line.startswith("PROBLEM"))
    assert out.rstrip().endswith("OK")
