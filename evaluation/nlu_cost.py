#!/usr/bin/env python
"""What the message-level classifiers cost: training time and time per message.

    python -m evaluation.nlu_cost [--data data/nlu] [--repeat 200]

Trains `nagarik.category`'s complaint category classifier and `nagarik.language`'s Latin-script
language model on the training data, as the NLU components do, and times a guess of each on a
few messages (the language model only runs when grammar words leave a message open, so both
cases are timed). The whole stack's cost per message is `make bench`'s CPU figure.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import Callable, List, Optional, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
logging.disable(logging.WARNING)

GROUP_LANGUAGE = {"en": "en", "hi": "hi", "bn": "bn", "hi_latn": "hi", "bn_latn": "bn"}
COMPLAINTS = ("street light kharab hai shiv mandir ke paas", "নর্দমা উপচে পড়ছে", "it is dark in our lane since the bulb died")
OPEN_LATIN = ("menu ta ekbar pathao", "option gulo pathiye din", "nehru nagar colony")
DECIDED_LATIN = ("mere mohalle me light nahi hai", "amader parar light jolche na")


def _per_message_ms(guess: Callable[[str], object], texts: Sequence[str], repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            guess(text)
    return (time.perf_counter() - started) / (repeat * len(texts)) * 1000


def main(argv: Optional[List[str]] = None) -> int:
    from rasa.shared.nlu.training_data.loading import load_data

    from nagarik.category import train
    from nagarik.language import detect, train_latin_model

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent.parent / "data" / "nlu")
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)

    examples, languages = [], []
    for group, language in GROUP_LANGUAGE.items():
        for message in load_data(str(args.data / f"{group}.yml")).training_examples:
            categories = [e["value"] for e in message.get("entities", []) if e["entity"] == "complaint_category"]
            examples.append((message.get("text"), message.get("intent"), categories))
            languages.append((message.get("text"), language))

    started = time.perf_counter()
    classifier = train(examples)
    print(f"category classifier trained in {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    model = train_latin_model(languages)
    print(f"Latin-script language model trained in {time.perf_counter() - started:.2f} s")
    print(f"category guess: {_per_message_ms(classifier.guess, COMPLAINTS, args.repeat):.2f} ms a message")
    print(f"language, model asked: {_per_message_ms(lambda t: detect(t, model), OPEN_LATIN, args.repeat):.2f} ms a message")
    print(f"language, grammar words decide: {_per_message_ms(lambda t: detect(t, model), DECIDED_LATIN, args.repeat):.3f} ms a message")
    return 0


if __name__ == "__main__":
    sys.exit(main())
