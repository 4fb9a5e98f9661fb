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


def run(model: Path, out: Path) -> Dict[str, Dict[str, int]]:
    """Runs the stories against one model; per group and overall, stories passed and total."""
    out.mkdir(parents=True, exist_ok=True)
    rasa = str(Path(sys.executable).parent / "rasa")
    log = out / "rasa-test.log"
    (out / "failed_test_stories.yml").unlink(missing_ok=True)
    finished = subprocess.run([rasa, "test", "core", "--e2e", "--model", str(model), "--stories", str(STORIES),
                               "--out", str(out), "--fail-on-prediction-errors"],
                              stdout=log.open("wb"), stderr=subprocess.STDOUT)
    # A failing story makes rasa exit non-zero too, but then it has written the failed stories.
    if finished.returncode != 0 and not (out / "failed_test_stories.yml").exists():
        raise RuntimeError(f"rasa test did not run; the end of {log}:\n{log.read_text(errors='replace')[-2000:]}")
    total, failed = groups_of(STORIES), groups_of(out / "failed_test_stories.yml")
    summary = {group: {"passed": count - failed[group], "stories": count} for group, count in total.items()}
    summary["all"] = {"passed": sum(total.values()) - sum(failed.values()), "stories": sum(total.values())}
    return summary
