"""Benchmark results: each benchmark records its figures here; report.py turns them into REPORT.md."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Figure:
    figure: str  # what was measured, e.g. "ingest time / calamine read time"
    value: float
    unit: str  # "x", "ms", "s", "MiB", "count"
    target: str  # the promise, e.g. "<= 2x"
    met: bool
    note: str = ""


def record_results(benchmark: str, figures: list[Figure]) -> Path:
    """Write one benchmark's figures to benchmarks/results/<benchmark>.json and print them."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{benchmark}.json"
    path.write_text(json.dumps([asdict(f) for f in figures], indent=2), encoding="utf-8")
    for f in figures:
        print(f"{benchmark}: {f.figure} = {f.value:.4g} {f.unit} (target {f.target}) {'met' if f.met else 'NOT MET'}")
    return path
