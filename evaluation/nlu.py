#!/usr/bin/env python
"""NLU report per language group: intent accuracy and F1 on examples never trained on.

    python -m evaluation.nlu --model models/nagarik.tar.gz --heldout tests/nlu_heldout \
        [--external ../shared/eval/external.jsonl] [--out results] [--min-accuracy 0.85]

Writes `nlu_report.json` and `nlu_report.md` to --out and prints the table (`make heldout`;
`make eval` uses the same scoring for both models).
The held-out split is `tests/nlu_heldout/<group>.yml`; the optional external
set is a JSON-lines file with `text`, `lang`, `intent`, `retrieval` and
`category` (the project's evaluation set, never trained on). Exits 1 when
any group's intent accuracy is below --min-accuracy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# The model refers to the project's components by module path, as `rasa` does from the repo root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
logging.disable(logging.WARNING)


GROUPS = ("en", "hi", "bn", "hi_latn", "bn_latn")
# Entities scored by value (what the actions receive), per message.
SCORED_ENTITIES = ("complaint_category", "ward")


@dataclass
class Item:
    group: str
    text: str
    intent: str
    retrieval: Optional[str] = None  # full retrieval intent, e.g. covid_faq/symptoms
    category: Optional[str] = None  # expected complaint_category for report_complaint
    # Annotated values of SCORED_ENTITIES; None where the set has no entity annotations.
    entities: Optional[Dict[str, List[str]]] = None


@dataclass
class Prediction:
    intent: str
    retrieval: Optional[str]
    categories: List[str]
    entities: Dict[str, List[str]] = field(default_factory=dict)


def _canonical(entity: str, value: str) -> str:
    """Wards compare as numbers: "४०", "forty" and "40" are the same ward, in the annotation and
    in either model's output, so the F1 says whether the ward was found."""
    from nagarik.numbers import parse_number

    number = parse_number(value) if entity == "ward" else None
    return str(number) if number is not None else value


def _values(entities: Iterable[Dict[str, object]]) -> Dict[str, List[str]]:
    values: Dict[str, List[str]] = {name: [] for name in SCORED_ENTITIES}
    for entity in entities:
        name = str(entity["entity"])
        if name in values:
            values[name].append(_canonical(name, str(entity["value"])))
    return values


def load_heldout(folder: Path) -> List[Item]:
    from rasa.shared.nlu.training_data.loading import load_data

    items = []
    for path in sorted(folder.glob("*.yml")):
        for example in load_data(str(path)).training_examples:
            categories = [e["value"] for e in example.get("entities", []) if e["entity"] == "complaint_category"]
            intent = example.get("intent")
            items.append(
                Item(
                    group=path.stem,
                    text=example.get("text"),
                    intent=intent,
                    retrieval=example.get("intent_response_key"),
                    category=(categories[0] if categories else "other") if intent == "report_complaint" else None,
                    entities=_values(example.get("entities", [])),
                )
            )
    return items


def load_external(path: Path) -> List[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            items.append(Item(row["lang"].replace("-", "_"), row["text"], row["intent"], row.get("retrieval"), row.get("category")))
    return items


def quiet_rasa_logs() -> None:
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # otherwise every parse is logged at debug level


async def predict(model: Path, texts: Iterable[str]) -> List[Prediction]:
    from rasa.core.agent import Agent

    quiet_rasa_logs()
    return await predict_with(Agent.load(str(model)), texts)


def prediction_of(parsed: Dict[str, object]) -> Prediction:
    """The scored parts of one parse result."""
    intent = parsed["intent"]["name"]
    retrieval = None
    if intent == "covid_faq":
        # Nagarik's selector is trained for covid_faq; Rasa's default one for all retrieval intents ("default").
        selectors = parsed.get("response_selector", {})
        selector = selectors.get("covid_faq") or selectors.get("default") or {}
        retrieval = selector.get("response", {}).get("intent_response_key")
    entities = parsed.get("entities", [])
    categories = [e["value"] for e in entities if e["entity"] == "complaint_category"]
    return Prediction(intent, retrieval, categories, _values(entities))


async def predict_with(agent, texts: Iterable[str]) -> List[Prediction]:
    return [prediction_of(await agent.parse_message(text)) for text in texts]


def _f1_macro(gold: List[str], predicted: List[str]) -> float:
    from sklearn.metrics import f1_score

    labels = sorted(set(gold))
    return float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0))


def _entity_f1(pairs: List[tuple], entity: str) -> Optional[float]:
    """Micro F1 over (message, value) pairs of one entity; None when nothing is annotated."""
    annotated = [(i, p) for i, p in pairs if i.entities is not None]
    if not any(i.entities[entity] for i, _ in annotated):
        return None
    true_positive = false_positive = false_negative = 0
    for item, prediction in annotated:
        gold, predicted = Counter(item.entities[entity]), Counter(prediction.entities.get(entity, []))
        hits = sum((gold & predicted).values())
        true_positive += hits
        false_positive += sum(predicted.values()) - hits
        false_negative += sum(gold.values()) - hits
    denominator = 2 * true_positive + false_positive + false_negative
    return round(2 * true_positive / denominator, 4) if denominator else None


def _accuracy(pairs: List[tuple]) -> Optional[float]:
    return round(sum(g == p for g, p in pairs) / len(pairs), 4) if pairs else None


def score(items: List[Item], predictions: List[Prediction]) -> Dict[str, Dict[str, object]]:
    by_group: Dict[str, List[tuple]] = defaultdict(list)
    for item, prediction in zip(items, predictions):
        by_group[item.group].append((item, prediction))
        by_group["all"].append((item, prediction))
    report = {}
    for group, pairs in by_group.items():
        gold = [item.intent for item, _ in pairs]
        predicted = [prediction.intent for _, prediction in pairs]
        faq = [(i.retrieval, p.retrieval) for i, p in pairs if i.retrieval]
        complaint_pairs = [
            (i, p) for i, p in pairs if i.intent == "report_complaint" and i.category and p.intent == "report_complaint"
        ]
        complaints = [(i.category, p.categories[0] if p.categories else "other") for i, p in complaint_pairs]
        report[group] = {
            "examples": len(pairs),
            "intent_accuracy": _accuracy(list(zip(gold, predicted))),
            "intent_f1_macro": round(_f1_macro(gold, predicted), 4),
            "fallback_rate": round(predicted.count("nlu_fallback") / len(pairs), 4),
            "covid_faq_accuracy": _accuracy(faq),
            "category_accuracy": _accuracy(complaints),
            **{f"{entity}_f1": _entity_f1(pairs, entity) for entity in SCORED_ENTITIES},
            "errors": [
                {"text": i.text, "gold": i.intent, "predicted": p.intent}
                for i, p in pairs
                if i.intent != p.intent and group != "all"
            ],
            "category_errors": [
                {"text": i.text, "gold": gold, "predicted": predicted}
                for (i, _), (gold, predicted) in zip(complaint_pairs, complaints)
                if gold != predicted and group != "all"
            ],
        }
    return report


def _cell(value: object) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def markdown(title: str, report: Dict[str, Dict[str, object]]) -> str:
    columns = ["examples", "intent_accuracy", "intent_f1_macro", "fallback_rate", "covid_faq_accuracy",
               "category_accuracy", "complaint_category_f1", "ward_f1"]
    lines = [f"## {title}", "", "| group | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for group in sorted(report, key=lambda g: (g == "all", g)):
        lines.append(f"| {group} | " + " | ".join(_cell(report[group][c]) for c in columns) + " |")
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--heldout", type=Path, required=True)
    parser.add_argument("--external", type=Path)
    parser.add_argument("--out", type=Path, default=Path("results"))
    parser.add_argument("--min-accuracy", type=float, default=0.0)
    args = parser.parse_args(argv)

    heldout = load_heldout(args.heldout)
    missing = sorted(set(GROUPS) - {item.group for item in heldout})
    if missing:
        print(f"error: no held-out examples for {', '.join(missing)} in {args.heldout}", file=sys.stderr)
        return 2
    sets = {"held-out split (tests/nlu_heldout)": heldout}
    if args.external:
        if not args.external.exists():
            print(f"error: {args.external} not found", file=sys.stderr)
            return 2
        sets[f"external evaluation set ({args.external.name})"] = load_external(args.external)

    started = time.monotonic()
    all_items = [item for items in sets.values() for item in items]
    predictions = asyncio.run(predict(args.model, [item.text for item in all_items]))
    print(f"parsed {len(all_items)} messages in {time.monotonic() - started:.1f} s")

    reports, offset, text = {}, 0, "# NLU report\n\n"
    for title, items in sets.items():
        reports[title] = score(items, predictions[offset : offset + len(items)])
        offset += len(items)
        text += markdown(title, reports[title]) + "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "nlu_report.json").write_text(json.dumps(reports, ensure_ascii=False, indent=2), encoding="utf-8")
    (args.out / "nlu_report.md").write_text(text, encoding="utf-8")
    print(text)

    heldout = next(iter(reports.values()))
    failing = {g: r["intent_accuracy"] for g, r in heldout.items() if r["intent_accuracy"] < args.min_accuracy}
    if failing:
        print(f"intent accuracy below {args.min_accuracy} on the held-out split: {failing}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
