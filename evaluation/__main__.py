"""`make eval`: how well Nagarik understands and answers, side by side with Rasa's default
configuration trained on the same data.

    python -m evaluation [--model models/nagarik.tar.gz] [--baseline-model models/rasa_default.tar.gz] [--only project]
                         [--independent tests/independent/messages.jsonl]
                         [--external ../shared/eval/external.jsonl] [--out results]

For each model: intent accuracy and F1, complaint category accuracy and F1, ward F1, covid_faq
accuracy, detected language and out-of-scope recall per language group on the held-out split, the
independent split and the external set; a confusion matrix PNG; the share of held-out and
independent messages (of three words or more) answered in their own language; and the test
stories per language group.
Writes results/eval.md and results/eval.json. Exits 1 when one of Nagarik's test stories fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from evaluation import nlu, replies, stories
from evaluation.confusion import confusion_png

REPO = Path(__file__).resolve().parent.parent
HELDOUT, INDEPENDENT, EXTERNAL = nlu.HELDOUT, nlu.INDEPENDENT, nlu.EXTERNAL
# The sets whose messages are also sent through the whole assistant to see the reply's language.
REPLY_SETS = (HELDOUT, INDEPENDENT)


async def evaluate(model: Path, sets: Dict[str, List[nlu.Item]], out: Path, name: str) -> Dict[str, Any]:
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    nlu.quiet_rasa_logs()
    with tempfile.TemporaryDirectory(prefix="nagarik-eval-") as workdir, replies.action_server(Path(workdir)) as actions:
        agent = Agent.load(str(model), action_endpoint=EndpointConfig(url=actions))
        started = time.monotonic()
        result: Dict[str, Any] = {}
        for title, items in sets.items():
            predictions = await nlu.predict_with(agent, [item.text for item in items])
            result[title] = nlu.score(items, predictions)
            if title == HELDOUT:
                confusion_png(items, predictions, out / f"confusion_{name}.png", f"{name}: held-out intents")
        conversations = [item for key in REPLY_SETS for item in sets.get(key, [])
                         if len(item.text.split()) >= nlu.LANGUAGE_MIN_WORDS]
        answered = await replies.answer_languages(agent, [item.text for item in conversations])
        result["reply_language"] = replies.shares([item.group for item in conversations], answered,
                                                  [item.intent for item in conversations])
        print(f"{name}: {sum(len(i) for i in sets.values()) + len(conversations)} messages in "
              f"{time.monotonic() - started:.0f} s", flush=True)
    result["stories"] = stories.run(model, out / f"stories_{name}")
    return result


COLUMNS = (
    ("intent_accuracy", "intent acc"), ("intent_f1_macro", "intent F1"), ("complaint_category_f1", "category F1"),
    ("ward_f1", "ward F1"), ("covid_faq_accuracy", "covid_faq acc"),
)
# The independent split has no entity spans, only each complaint's category.
INDEPENDENT_COLUMNS = (
    ("intent_accuracy", "intent acc"), ("category_accuracy", "category acc"),
    ("language_accuracy", "language acc"), ("out_of_scope_recall", "out-of-scope recall"),
)


def _cell(value: Optional[float]) -> str:
    return "–" if value is None else f"{value:.3f}"


def _table(results: Dict[str, Dict[str, Any]], key: str, columns) -> str:
    """One row per language group, each figure for every model side by side."""
    names = list(results)
    header = "| group | " + " | ".join(f"{label} ({name})" for _, label in columns for name in names) + " |"
    lines = [header, "|---" * (1 + len(names) * len(columns)) + "|"]
    for group in [g for g in (*nlu.GROUPS, "all") if g in results[names[0]][key]]:
        lines.append(f"| {group} | " + " | ".join(_cell(results[n][key][group][c]) for c, _ in columns for n in names) + " |")
    return "\n".join(lines) + "\n"


def markdown(results: Dict[str, Dict[str, Any]]) -> str:
    names = list(results)
    groups = [g for g in (*nlu.GROUPS, "all") if g in results[names[0]][HELDOUT]]
    lines = ["# Evaluation", "", f"Models: {', '.join(names)}. Held-out split: tests/nlu_heldout (never trained on, "
             "written with the training data). Reply language: held-out and independent messages of three words or more.", ""]
    header = "| group | " + " | ".join(f"{label} ({name})" for _, label in COLUMNS for name in names)
    header += " | " + " | ".join(f"reply language ({name})" for name in names)
    header += " | " + " | ".join(f"stories ({name})" for name in names) + " |"
    lines += [header, "|---" * (1 + len(names) * (len(COLUMNS) + 2)) + "|"]
    for group in groups:
        cells = [_cell(results[n][HELDOUT][group][key]) for key, _ in COLUMNS for n in names]
        cells += [_cell(results[n]["reply_language"][group]["reply_language_share"]) for n in names]
        cells += [f"{results[n]['stories'][group]['passed']}/{results[n]['stories'][group]['stories']}"
                  if group in results[n]["stories"] else "–" for n in names]
        lines.append(f"| {group} | " + " | ".join(cells) + " |")
    if INDEPENDENT in results[names[0]]:
        lines += ["", f"## {nlu.TITLES[INDEPENDENT]}", "", _table(results, INDEPENDENT, INDEPENDENT_COLUMNS)]
    if EXTERNAL in results[names[0]]:
        lines += ["", nlu.markdown(f"External evaluation set ({names[0]})", results[names[0]][EXTERNAL])]
        for name in names[1:]:
            lines += [nlu.markdown(f"External evaluation set ({name})", results[name][EXTERNAL])]
    lines += ["", "Confusion matrices: " + ", ".join(f"confusion_{name}.png" for name in names) + "."]
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation", description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=REPO / "models" / "nagarik.tar.gz")
    parser.add_argument("--baseline-model", type=Path, default=REPO / "models" / "rasa_default.tar.gz")
    parser.add_argument("--only", choices=("project", "rasa_default"),
                        help="evaluate one model (Rasa's default takes 40-75 minutes to train)")
    parser.add_argument("--heldout", type=Path, default=REPO / "tests" / "nlu_heldout")
    parser.add_argument("--independent", type=Path, default=REPO / "tests" / "independent" / "messages.jsonl")
    parser.add_argument("--external", type=Path)
    parser.add_argument("--out", type=Path, default=REPO / "results")
    args = parser.parse_args(argv)

    models = {"project": args.model, "rasa_default": args.baseline_model}
    if args.only:
        models = {args.only: models[args.only]}
    for name, path in models.items():
        if not path.exists():
            print(f"error: no {name} model at {path}: run `make train` and `make train-baseline`", file=sys.stderr)
            return 2
    try:
        sets = nlu.load_sets(args.heldout, args.independent, args.external)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    results = {name: asyncio.run(evaluate(path, sets, args.out, name)) for name, path in models.items()}
    (args.out / "eval.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    text = markdown(results)
    (args.out / "eval.md").write_text(text, encoding="utf-8")
    print(text)
    project = results.get("project", {}).get("stories", {}).get("all", {"passed": 0, "stories": 0})
    if project["passed"] < project["stories"]:
        print(f"{project['stories'] - project['passed']} of Nagarik's test stories failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
