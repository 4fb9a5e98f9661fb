#!/usr/bin/env python
"""How sure the message-level category classifier must be: cross-validation on the training data.

    python -m evaluation.category_cv [--data data/nlu] [--folds 5]

Trains `nagarik.category`'s classifier on all but one fold of the annotated training examples
and guesses the held-back fold, then prints, for each threshold, the share of held-back
complaints it gets right, gets wrong, and leaves to the form's buttons (below the threshold),
per language group, deciding as the component does for a complaint with no tagged category word
(`nagarik.category.decide`); and how many complaints that name no problem would be given one.
`accept` in config.yml comes from this table; the independent split
(`make heldout`) is the honest measure of the whole pipeline.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
logging.disable(logging.WARNING)

from nagarik.category import DEFAULT_ACCEPT, NO_CATEGORY, decide  # noqa: E402 (after the path is set)
from nagarik.textclass import Guess  # noqa: E402

THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
Example = Tuple[str, str, str]  # group, text, category


def annotated_examples(folder: Path) -> List[Example]:
    from rasa.shared.nlu.training_data.loading import load_data

    from nagarik.category import training_label

    examples = []
    for path in sorted(folder.glob("*.yml")):
        for message in load_data(str(path)).training_examples:
            categories = [e["value"] for e in message.get("entities", []) if e["entity"] == "complaint_category"]
            label = training_label(message.get("intent"), categories)
            if label:
                examples.append((path.stem, message.get("text"), label))
    return examples


def held_back_guesses(examples: List[Example], folds: int) -> List[Tuple[Example, Guess]]:
    from nagarik.category import train

    shuffled = examples[:]
    random.Random(2024).shuffle(shuffled)
    results = []
    for fold in range(folds):
        held_back = shuffled[fold::folds]
        training = [example for index, example in enumerate(shuffled) if index % folds != fold]
        classifier = train((text, "report_complaint", [] if category == NO_CATEGORY else [category])
                           for _, text, category in training)
        for example, guess in zip(held_back, classifier.guess_many([text for _, text, _ in held_back])):
            results.append((example, guess))
    return results


def table(results: List[Tuple[Example, Guess]]) -> str:
    groups = sorted({example[0] for example, _ in results}) + ["all"]
    lines = ["| threshold | " + " | ".join(f"{g} right / wrong / asked" for g in groups) + " |",
             "|---" * (len(groups) + 1) + "|"]
    for threshold in THRESHOLDS:
        counts: Dict[str, Counter] = defaultdict(Counter)
        for (group, _, gold), guess in results:
            if gold == NO_CATEGORY:
                continue  # the table is about complaints that name a problem
            # As the component decides a complaint with no tagged category word.
            given = decide(None, guess, accept=threshold).value
            outcome = "asked" if given is None else "right" if given == gold else "wrong"
            for key in (group, "all"):
                counts[key][outcome] += 1
                counts[key]["n"] += 1
        cells = [" / ".join(f"{counts[g][o] / counts[g]['n']:.2f}" for o in ("right", "wrong", "asked")) for g in groups]
        lines.append(f"| {threshold} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent.parent / "data" / "nlu")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    examples = annotated_examples(args.data)
    print(f"{len(examples)} annotated examples, {args.folds}-fold cross-validation")
    results = held_back_guesses(examples, args.folds)
    print(table(results))
    nameless = [guess for (_, _, gold), guess in results if gold == NO_CATEGORY]
    given = sum(1 for guess in nameless if decide(None, guess).value is not None)
    print(f"complaints naming no problem given a category at {DEFAULT_ACCEPT}: {given} of {len(nameless)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
