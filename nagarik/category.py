"""The complaint category decided from the whole message.

DIET tags a span ("street light", "नाली") and a synonym maps it to a category; a complaint phrased
any other way ("it is pitch dark in our gali since the bulb died") used to get no category, and
the citizen was asked to pick one from eight buttons. A classifier over the whole message
(`nagarik.textclass`, every script folded to one Latin skeleton so that what is learnt from
"पानी नहीं आ रहा" also serves "paani nahi aa raha") now decides too:

- a tagged span it agrees with, or is not sure enough to overrule, is kept;
- with no span, its guess is taken when it is at least `accept` sure, otherwise the form asks;
- against a span, its guess wins only when it is at least `overrule` sure
  ("water collected on the road" is `roads`, though "water" is tagged `water_supply`).

It learns from every training example annotated with exactly one category, and from the
complaints that name none ("I want to file a complaint", "they closed it on paper, nobody came"),
labelled `NO_CATEGORY`, so that it can say "none of them". The thresholds come from
cross-validation on the training data (`python -m evaluation.category_cv`, docs/nlu-evaluation.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence, Tuple

from nagarik.textclass import Guess, TextClassifier
from nagarik.vocabulary import CATEGORY_NAMES

# The intents whose messages the classifier is applied to: a complaint, or an answer naming the problem.
CATEGORY_INTENTS = ("report_complaint", "inform")

NO_CATEGORY = "none"

DEFAULT_ACCEPT = 0.4
DEFAULT_OVERRULE = 0.8
# A weak penalty: a few hundred short examples, where one telling n-gram ("fogging") must count.
REGULARISATION = 100.0


@dataclass(frozen=True)
class CategoryDecision:
    """The category to use (None: ask), where it came from ("span" or "message"), and the guess."""

    value: Optional[str]
    source: Optional[str]
    guess: Optional[Guess]


def training_label(intent: Optional[str], categories: Sequence[str]) -> Optional[str]:
    """The label one training example teaches: its only annotated category; `NO_CATEGORY` for a
    complaint that names none; None when it teaches nothing (two categories, or another intent)."""
    known = {value for value in categories if value in CATEGORY_NAMES}
    if len(known) == 1:
        return known.pop()
    return NO_CATEGORY if intent == "report_complaint" and not categories else None


def train(examples: Iterable[Tuple[str, Optional[str], Sequence[str]]]) -> Optional[TextClassifier]:
    """A classifier from (text, intent, annotated categories); None without two categories to tell apart."""
    texts: List[str] = []
    labels: List[str] = []
    for text, intent, categories in examples:
        label = training_label(intent, categories)
        if label is not None and text:
            texts.append(text)
            labels.append(label)
    if len(set(labels) - {NO_CATEGORY}) < 2:
        return None
    return TextClassifier(regularisation=REGULARISATION, fold_spelling=True).fit(texts, labels)


def decide(
    span_value: Optional[str],
    guess: Optional[Guess],
    accept: float = DEFAULT_ACCEPT,
    overrule: float = DEFAULT_OVERRULE,
) -> CategoryDecision:
    """Combine the tagged span's category (if any) with the message-level guess (see the module)."""
    if guess is None or guess.label == NO_CATEGORY:
        return CategoryDecision(span_value, "span" if span_value else None, guess)
    if span_value is None:
        if guess.confidence >= accept:
            return CategoryDecision(guess.label, "message", guess)
        return CategoryDecision(None, None, guess)
    if guess.label != span_value and guess.confidence >= overrule:
        return CategoryDecision(guess.label, "message", guess)
    return CategoryDecision(span_value, "span", guess)
