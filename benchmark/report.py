"""The benchmark's results: `results/benchmark.json`, a table on the terminal and a plot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

FIGURES = ("throughput_msgs_per_s", "p50_ms", "p95_ms", "p99_ms", "rss_mb", "errors")


def document(figures: Dict[str, Dict[int, Dict[str, Any]]], levels: List[int], settings: Dict[str, Any]) -> Dict[str, Any]:
    """`{"concurrency": 20, "project": {...}, "rasa_default": {...}, "at_100": {...}}`: the first
    level at the top, every further level under `at_<n>`."""
    first, *others = levels
    result: Dict[str, Any] = {"concurrency": first, **{name: by_level[first] for name, by_level in figures.items()}}
    for level in others:
        result[f"at_{level}"] = {"concurrency": level, **{name: by_level[level] for name, by_level in figures.items()}}
    if "project" in figures and "rasa_default" in figures:
        result["throughput_ratio"] = {
            str(level): _ratio(figures["project"][level], figures["rasa_default"][level]) for level in levels
        }
    result["settings"] = settings
    return result


def _ratio(project: Dict[str, Any], default: Dict[str, Any]) -> float:
    base = default["throughput_msgs_per_s"]
    return round(project["throughput_msgs_per_s"] / base, 2) if base else float("inf")


def table(figures: Dict[str, Dict[int, Dict[str, Any]]], levels: List[int]) -> str:
    header = f"{'setup':<14}{'conc':>6}" + "".join(f"{name:>22}" for name in FIGURES)
    lines = [header, "-" * len(header)]
    for level in levels:
        for name, by_level in figures.items():
            row = by_level[level]
            lines.append(f"{name:<14}{level:>6}" + "".join(f"{row[key]:>22}" for key in FIGURES))
    return "\n".join(lines)


def plot(figures: Dict[str, Dict[int, Dict[str, Any]]], levels: List[int], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(figures)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    width = 0.8 / len(names)
    for offset, name in enumerate(names):
        xs = [i + offset * width for i in range(len(levels))]
        left.bar(xs, [figures[name][level]["throughput_msgs_per_s"] for level in levels], width, label=name)
        for key, marker in (("p50_ms", "o"), ("p95_ms", "s"), ("p99_ms", "^")):
            right.plot([str(level) for level in levels], [figures[name][level][key] for level in levels],
                       marker=marker, label=f"{name} {key[:-3]}")
    left.set_xticks([i + width * (len(names) - 1) / 2 for i in range(len(levels))], [str(level) for level in levels])
    left.set_xlabel("concurrent conversations")
    left.set_ylabel("messages per second")
    left.set_title("Throughput")
    left.legend()
    right.set_yscale("log")
    right.set_xlabel("concurrent conversations")
    right.set_ylabel("webhook POST to Graph API call (ms)")
    right.set_title("Latency")
    right.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write(document_: Dict[str, Any], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / "benchmark.json"
    path.write_text(json.dumps(document_, indent=2) + "\n", encoding="utf-8")
    return path
