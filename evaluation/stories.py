"""The test stories (tests/test_stories.yml) with `rasa test core --e2e --fail-on-prediction-errors`,
counted per language group: every story's name starts with its group."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Dict

STORIES = Path(__file__).resolve().parent.parent / "tests" / "test_stories.yml"
_NAME = re.compile(r"^- story: (\S+)", re.MULTILINE)


def groups_of(story_file: Path) -> Counter:
    """How many stories each language group has in a story file (0 for a missing file)."""
    if not story_file.exists():
        return Counter()
    return Counter(_NAME.findall(story_file.read_text(encoding="utf-8")))


def _rasa_test(model: Path, out: Path, strict: bool) -> int:
    rasa = str(Path(sys.executable).parent / "rasa")
    command = [rasa, "test", "core", "--e2e", "--model", str(model), "--stories", str(STORIES), "--out", str(out)]
    (out / "failed_test_stories.yml").unlink(missing_ok=True)
    with (out / ("rasa-test-strict.log" if strict else "rasa-test.log")).open("wb") as log:
        return subprocess.run(command + (["--fail-on-prediction-errors"] if strict else []),
                              stdout=log, stderr=subprocess.STDOUT).returncode


def run(model: Path, out: Path) -> Dict[str, Dict[str, int]]:
    """Runs the stories against one model; per group and overall, stories passed and total.

    First with `--fail-on-prediction-errors`, as `make test` does. That stops at the first wrong
    prediction without a per-story report, so when it fails the stories run again without it,
    to count which ones fail.
    """
    out.mkdir(parents=True, exist_ok=True)
    strict_passed = _rasa_test(model, out, strict=True) == 0
    if not strict_passed and _rasa_test(model, out, strict=False) != 0:
        log = out / "rasa-test.log"
        raise RuntimeError(f"rasa test did not run; the end of {log}:\n{log.read_text(errors='replace')[-2000:]}")
    total, failed = groups_of(STORIES), groups_of(out / "failed_test_stories.yml")
    summary = {group: {"passed": count - failed[group], "stories": count} for group, count in total.items()}
    summary["all"] = {"passed": sum(total.values()) - sum(failed.values()), "stories": sum(total.values()),
                      "fail_on_prediction_errors": int(strict_passed)}
    return summary
