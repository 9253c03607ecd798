"""`make bench` keeps working: a quick run of the extraction, pipeline and clustering sections writes its tables."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT


def table_rows(markdown: str, heading: str) -> list[list[str]]:
    """The body rows of the table under ``## heading``."""
    lines = markdown.split(f"## {heading}", 1)[1].splitlines()
    first = next(n for n, line in enumerate(lines) if line.startswith("|"))
    table = []
    for line in lines[first:]:
        if not line.startswith("|"):
            break
        table.append([cell.strip() for cell in line.strip("|").split("|")])
    return table[2:]


@pytest.mark.slow
def test_a_quick_benchmark_run_writes_every_table(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--sections", "extract,pipeline,cluster",
         "--out", str(out), "--workdir", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    text = out.read_text(encoding="utf-8")

    extract = table_rows(text, "Extraction, one process")
    rates = [float(row[5].replace(",", "")) for row in extract if row[3].startswith("watchfloor extract")]
    assert len(rates) == 2 and all(rate > 0 for rate in rates)
    assert "median of 3 runs" in text

    components = {row[0]: row for row in table_rows(text, "Where extraction time goes")}
    assert {"places", "events", "total"} <= set(components)

    pipeline = {row[0]: row for row in table_rows(text, "Whole pipeline")}
    assert int(pipeline["watchfloor, all stages"][1].replace(",", "")) == 300
    assert "of which assess_stories" in pipeline

    (cluster,) = table_rows(text, "Clustering (dedup, stories, situations)")
    precision, recall, f1 = (float(x) for x in re.findall(r"[\d.]+", cluster[5]))
    assert f1 > 0.9, f"clustering the generated corpus gave pairwise F1 {f1}"
