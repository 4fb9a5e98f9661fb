"""A small text classifier: character and word n-grams, TF-IDF, logistic regression.

Used where a decision belongs to the whole message rather than to a tagged span: the complaint
category (`nagarik.category`, on the Latin skeleton of every script) and the language of
Latin-script text (`nagarik.language`). Character n-grams within word boundaries survive the
spelling variation of romanized text ("paani", "pani", "panni"); word n-grams add whole words
and pairs.

Trains in a few seconds on the project's data; a guess costs about 1.5 ms (docs/nlu-evaluation.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Sequence

from nagarik.text import normalize_text
from nagarik.transliterate import skeleton


@dataclass(frozen=True)
class Guess:
    """The best label for one text, how sure the classifier is, and every label's probability."""

    label: str
    confidence: float
    probabilities: Dict[str, float]


def prepare(text: str, fold_spelling: bool = False) -> str:
    """What the classifier sees: normalised (NFC, ASCII digits, no joiners) and lower case; with
    `fold_spelling`, every script and spelling as one Latin skeleton (`nagarik.transliterate`)."""
    text = normalize_text(text).lower()
    return skeleton(text) if fold_spelling else text


class TextClassifier:
    """Logistic regression over TF-IDF character (2-5, within words) and word (1-2) n-grams.

    `regularisation` is the inverse strength C: the data are a few hundred short texts, where a
    weak penalty (large C) lets rare but telling n-grams count.
    """

    def __init__(self, regularisation: float = 10.0, fold_spelling: bool = False) -> None:
        self.regularisation = regularisation
        self.fold_spelling = fold_spelling
        self._pipeline = None

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> "TextClassifier":
        if len(set(labels)) < 2:
            raise ValueError("a classifier needs examples of at least two labels")
        self._pipeline = self._build()
        self._pipeline.fit([prepare(text, self.fold_spelling) for text in texts], list(labels))
        return self

    @property
    def labels(self) -> List[str]:
        return list(self._pipeline.classes_) if self._pipeline is not None else []

    def guess(self, text: str) -> Guess:
        return self.guess_many([text])[0]

    def guess_many(self, texts: Sequence[str]) -> List[Guess]:
        if self._pipeline is None:
            raise RuntimeError("the classifier has not been trained")
        rows = self._pipeline.predict_proba([prepare(text, self.fold_spelling) for text in texts])
        return [self._guess(row) for row in rows]

    def _guess(self, row) -> Guess:
        probabilities = {label: float(p) for label, p in zip(self._pipeline.classes_, row)}
        label, confidence = max(probabilities.items(), key=lambda item: item[1])
        return Guess(label, confidence, probabilities)

    def _build(self):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        # token_pattern: any run of characters but white space and punctuation.
        features = make_union(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
            TfidfVectorizer(analyzer="word", token_pattern=r"[^\s.,!?;:()\"']+", ngram_range=(1, 2),
                            sublinear_tf=True),
        )
        model = LogisticRegression(C=self.regularisation, max_iter=2000, class_weight="balanced")
        return make_pipeline(features, model)

