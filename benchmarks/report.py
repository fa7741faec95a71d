"""Collect benchmarks/results/*.json into benchmarks/REPORT.md, with the machine they ran on."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.results import RESULTS_DIR

REPORT = Path(__file__).resolve().parent / "REPORT.md"


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


def main() -> None:
    lines = [
        "# Benchmark report",
        "",
        f"Written by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M UTC}.",
        f"Machine: {machine()}.",
        "",
        "Figures are ratios or percentiles measured in the same run; each target is the promise it is checked against.",
        "",
    ]
    for path in sorted(RESULTS_DIR.glob("*.json")):
        figures = json.loads(path.read_text(encoding="utf-8"))
        lines += [f"## {path.stem}", "", "| figure | value | target | met | note |", "|---|---|---|---|---|"]
        for f in figures:
            met = "yes" if f["met"] else "**no**"
            lines.append(f"| {f['figure']} | {f['value']:.4g} {f['unit']} | {f['target']} | {met} | {f['note']} |")
        lines.append("")
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    print(f"Wrote {REPORT}")


if __name__ == "__main__":
    main()
