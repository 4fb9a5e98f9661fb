"""NLU component: word-level count vectors that keep Hindi and Bengali words whole."""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from sklearn.feature_extraction.text import CountVectorizer

# Rasa joins the tokenizer's tokens with spaces before vectorising, so a token
# is simply a run of non-spaces.
_WHOLE_TOKEN = r"(?u)\S+"


def _with_whole_tokens(vectorizers: Dict[Text, CountVectorizer]) -> Dict[Text, CountVectorizer]:
    for vectorizer in vectorizers.values():
        vectorizer.token_pattern = _WHOLE_TOKEN
    return vectorizers


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class WordCountVectorsFeaturizer(CountVectorsFeaturizer):
    """`CountVectorsFeaturizer` with `analyzer: word`, minus its Indic bug.

    Rasa's word analyzer hard-codes the token pattern `\\b\\w+\\b`, and Python
    does not count vowel signs and viramas as `\\w`: "शिकायत" becomes the
    features "श", "क", "यत". This subclass uses the tokenizer's tokens as they
    are, so every word is one feature, next to the char_wb n-grams.
    """

    @classmethod
    def _create_shared_vocab_vectorizers(
        cls, parameters: Dict[Text, Any], vocabulary: Optional[Any] = None
    ) -> Dict[Text, CountVectorizer]:
        return _with_whole_tokens(super()._create_shared_vocab_vectorizers(parameters, vocabulary))

    @classmethod
    def _create_independent_vocab_vectorizers(
        cls, parameters: Dict[Text, Any], vocabulary: Optional[Any] = None
    ) -> Dict[Text, CountVectorizer]:
        return _with_whole_tokens(super()._create_independent_vocab_vectorizers(parameters, vocabulary))
