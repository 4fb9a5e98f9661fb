#!/usr/bin/env python
"""NLU report per language group: intent, complaint category and language on examples never trained on.

    python -m evaluation.nlu --model models/nagarik.tar.gz --heldout tests/nlu_heldout \
        [--independent tests/independent/messages.jsonl] [--external ../shared/eval/external.jsonl] \
        [--out results] [--min-accuracy 0.85] [--min-category-accuracy 0.85]

Writes `nlu_report.json` and `nlu_report.md` to --out and prints the tables (`make heldout`;
`make eval` uses the same scoring for both models).
The held-out split is `tests/nlu_heldout/<group>.yml`, written with the training data. The
independent split (`tests/independent/`, written apart from the training data) and the external
set are JSON-lines files with `text`, `lang`, `intent`, `retrieval` and `category`; neither is
ever trained on. Exits 1 when any group's intent accuracy on the held-out split is below
--min-accuracy, or its complaint category accuracy on the independent split below
--min-category-accuracy.

Category accuracy counts the complaints whose intent was recognised; a complaint given no
category (the citizen would be asked to pick one) counts as wrong. Language accuracy counts
messages of three words or more whose detected language is the group's.
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
# The language each group is to be answered in: romanized Hindi in Hindi, romanized Bengali in Bengali.
GROUP_LANGUAGE = {"en": "en", "hi": "hi", "bn": "bn", "hi_latn": "hi", "bn_latn": "bn"}
NO_CATEGORY = "none"
# Shorter messages ("ok", "12") carry no language of their own; the conversation's is kept.
LANGUAGE_MIN_WORDS = 3
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
    language: Optional[str] = None  # the language detected, where the model detects one


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
    language = (parsed.get("language") or {}).get("code") if isinstance(parsed.get("language"), dict) else None
    return Prediction(intent, retrieval, categories, _values(entities), language)


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


def _language_pairs(pairs: List[tuple]) -> List[tuple]:
    """(expected, detected) language for the messages long enough to carry one; none detected is wrong.
    Empty when the model detects no language at all (Rasa's default configuration)."""
    if all(p.language is None for _, p in pairs):
        return []
    return [(GROUP_LANGUAGE[i.group], p.language) for i, p in pairs
            if len(i.text.split()) >= LANGUAGE_MIN_WORDS and i.group in GROUP_LANGUAGE]


def _recall(pairs: List[tuple], intent: str) -> Optional[float]:
    return _accuracy([(i.intent, p.intent) for i, p in pairs if i.intent == intent])


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
        complaints = [(i.category, p.categories[0] if p.categories else NO_CATEGORY) for i, p in complaint_pairs]
        report[group] = {
            "examples": len(pairs),
            "intent_accuracy": _accuracy(list(zip(gold, predicted))),
            "intent_f1_macro": round(_f1_macro(gold, predicted), 4),
            "fallback_rate": round(predicted.count("nlu_fallback") / len(pairs), 4),
            "covid_faq_accuracy": _accuracy(faq),
            "category_accuracy": _accuracy(complaints),
            "language_accuracy": _accuracy(_language_pairs(pairs)),
            "out_of_scope_recall": _recall(pairs, "out_of_scope"),
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
               "category_accuracy", "complaint_category_f1", "ward_f1", "language_accuracy", "out_of_scope_recall"]
    lines = [f"## {title}", "", "| group | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for group in sorted(report, key=lambda g: (g == "all", g)):
        lines.append(f"| {group} | " + " | ".join(_cell(report[group][c]) for c in columns) + " |")
    return "\n".join(lines) + "\n"


HELDOUT, INDEPENDENT, EXTERNAL = "held-out", "independent", "external"
TITLES = {
    HELDOUT: "Held-out split (tests/nlu_heldout, written with the training data)",
    INDEPENDENT: "Independent split (tests/independent, written apart from the training data)",
    EXTERNAL: "External evaluation set (../shared/eval/external.jsonl, other people's messages)",
}


def load_sets(heldout: Path, independent: Optional[Path] = None, external: Optional[Path] = None) -> Dict[str, List[Item]]:
    """The evaluation sets by name; ValueError when one is missing or lacks a language group."""
    for path in (heldout, independent, external):
        if path is not None and not path.exists():
            raise ValueError(f"{path} not found")
    sets = {HELDOUT: load_heldout(heldout)}
    if independent is not None:
        sets[INDEPENDENT] = load_external(independent)
    if external is not None:
        sets[EXTERNAL] = load_external(external)
    for name in (HELDOUT, INDEPENDENT):
        missing = sorted(set(GROUPS) - {item.group for item in sets.get(name, [])}) if name in sets else []
        if missing:
            raise ValueError(f"no {name} examples for {', '.join(missing)}")
    return sets


def below(report: Dict[str, Dict[str, object]], key: str, minimum: float) -> Dict[str, object]:
    """The groups (not "all") whose figure is below the minimum; a group with no figure is not judged."""
    return {group: row[key] for group, row in report.items()
            if group != "all" and row[key] is not None and row[key] < minimum}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--heldout", type=Path, required=True)
    parser.add_argument("--independent", type=Path)
    parser.add_argument("--external", type=Path)
    parser.add_argument("--out", type=Path, default=Path("results"))
    parser.add_argument("--min-accuracy", type=float, default=0.0)
    parser.add_argument("--min-category-accuracy", type=float, default=0.0)
    args = parser.parse_args(argv)

    try:
        sets = load_sets(args.heldout, args.independent, args.external)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    started = time.monotonic()
    all_items = [item for items in sets.values() for item in items]
    predictions = asyncio.run(predict(args.model, [item.text for item in all_items]))
    print(f"parsed {len(all_items)} messages in {time.monotonic() - started:.1f} s")

    reports, offset, text = {}, 0, "# NLU report\n\n"
    for name, items in sets.items():
        reports[name] = score(items, predictions[offset : offset + len(items)])
        offset += len(items)
        text += markdown(TITLES[name], reports[name]) + "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "nlu_report.json").write_text(json.dumps(reports, ensure_ascii=False, indent=2), encoding="utf-8")
    (args.out / "nlu_report.md").write_text(text, encoding="utf-8")
    print(text)

    failures = []
    failing = below(reports[HELDOUT], "intent_accuracy", args.min_accuracy)
    if failing:
        failures.append(f"intent accuracy below {args.min_accuracy} on the held-out split: {failing}")
    if args.min_category_accuracy and INDEPENDENT not in reports:
        failures.append("--min-category-accuracy needs --independent")
    failing = below(reports.get(INDEPENDENT, {}), "category_accuracy", args.min_category_accuracy)
    if failing:
        failures.append(f"complaint category accuracy below {args.min_category_accuracy} on the independent split: {failing}")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
