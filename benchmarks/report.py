"""Collect benchmarks/results/*.json into benchmarks/REPORT.md: each figure beside its target, and the machine."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.results import RESULTS_DIR

REPORT = Path(__file__).resolve().parent / "REPORT.md"
FAILED = RESULTS_DIR / "FAILED"  # `make bench` writes here the scripts that stopped with an error


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except OSError:
        memory = "unknown memory"
    return f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {memory}, Python {platform.python_version()}"


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for package in ("duckdb", "dash", "python-calamine", "pyarrow", "pandas", "gunicorn"):
        try:
            found.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            continue
    return ", ".join(found)


def commit() -> str:
    try:
        result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10)
    except OSError:
        return "unknown"
    return result.stdout.strip() or "unknown"


def _value(figure: dict) -> str:
    value = figure["value"]
    if value is None or value != value:  # NaN: nothing was measured
        return "not measured"
    return f"{value:.4g} {figure['unit']}"


def _title(stem: str) -> str:
    return stem.removeprefix("bench_").replace("_", " ")


def render(results: dict[str, list[dict]], failed: list[str], now: datetime, load: float) -> str:
    """The report's markdown for the figures of each benchmark."""
    lines = [
        "# Benchmark report",
        "",
        f"Written by `make bench` on {now:%Y-%m-%d %H:%M UTC} at commit {commit()}.",
        "",
        f"Machine: {machine()}.",
        f"Libraries: {versions()}.",
        f"Load average when the report was written: {load:.1f} (other work on the machine slows every figure).",
        "",
        "Every figure comes from a real run on generated data; each target is the promise it is checked against.",
        "",
        "## Summary",
        "",
        "| benchmark | figures | targets met |",
        "|---|---|---|",
    ]
    for stem, figures in results.items():
        lines.append(f"| {_title(stem)} | {len(figures)} | {sum(f['met'] for f in figures)} of {len(figures)} |")
    lines.append("")
    missed = [(stem, f) for stem, figures in results.items() for f in figures if not f["met"]]
    if missed or failed:
        lines += ["## Targets not met", ""]
        for stem, f in missed:
            note = f" ({f['note']})" if f["note"] else ""
            lines.append(f"- {_title(stem)}: {f['figure']} was {_value(f)} against {f['target']}{note}.")
        for script in failed:
            lines.append(f"- `{script}` stopped with an error; its figures are missing (run it alone to see why).")
        lines.append("")
    else:
        lines += ["Every target was met.", ""]
    for stem, figures in results.items():
        lines += [f"## {_title(stem)}", "", "| figure | value | target | met | note |", "|---|---|---|---|---|"]
        for f in figures:
            met = "yes" if f["met"] else "**no**"
            note = str(f["note"]).replace("|", "/")
            lines.append(f"| {f['figure']} | {_value(f)} | {f['target']} | {met} | {note} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    results = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(RESULTS_DIR.glob("*.json"))}
    failed = FAILED.read_text(encoding="utf-8").split() if FAILED.exists() else []
    REPORT.write_text(render(results, failed, datetime.now(UTC), os.getloadavg()[0]), encoding="utf-8")
    print(f"Wrote {REPORT}")


if __name__ == "__main__":
    main()
