"""Benchmark results: each benchmark records its figures here; report.py turns them into REPORT.md."""

from __future__ import annotations

import json
import os
import statistics
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


def load_average() -> str:
    """The machine's load as a note says it: other work on a 2-core machine moves every timing."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile (1-99) of timings, NaN for none; inclusive, so a small sample stays within its range."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]
