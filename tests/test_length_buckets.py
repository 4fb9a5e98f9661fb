"""components.length_buckets: DIET's batches hold messages of similar length, and nothing else changes."""

from __future__ import annotations

import importlib
from collections import Counter
from typing import List, Tuple

import numpy as np
import pytest

from components import fast_training, length_buckets
from components.length_buckets import LengthBucketedBatchGenerator, bucketed, bucketed_order


def _lengths(count: int, seed: int = 1) -> np.ndarray:
    """Message lengths shaped like Nagarik's: mostly 2-9 tokens, a few up to 35."""
    rng = np.random.default_rng(seed)
    return np.minimum(rng.geometric(0.18, size=count) + 1, 35)


def _padding(lengths: np.ndarray, order: np.ndarray, batch_size: int) -> float:
    """Tokens the batches are padded to, over the tokens they hold."""
    padded = sum(lengths[order[start : start + batch_size]].max() * len(order[start : start + batch_size])
                 for start in range(0, len(order), batch_size))
    return padded / lengths.sum()


def test_every_example_is_placed_once_and_the_short_batch_stays_last() -> None:
    lengths = _lengths(1000)
    np.random.seed(4)
    order = bucketed_order(lengths, batch_size=64, batches_per_bucket=8)
    assert sorted(order.tolist()) == list(range(1000))
    # 1000 = 15 * 64 + 40: the 40 left over are the longest of the last run, at the end
    last_run = np.arange(15 // 8 * 8 * 64, 1000)
    longest_of_last_run = sorted(lengths[last_run])[-40:]
    assert sorted(lengths[order[-40:]]) == longest_of_last_run


def test_batches_are_padded_far_less() -> None:
    lengths = _lengths(4500)
    np.random.seed(4)
    shuffled = np.random.permutation(4500)
    np.random.seed(4)
    order = bucketed_order(lengths[shuffled], batch_size=160, batches_per_bucket=8)
    assert _padding(lengths, shuffled, 160) > 2.0
    assert _padding(lengths[shuffled], order, 160) < 0.6 * _padding(lengths, shuffled, 160)


def test_the_order_follows_numpys_seed() -> None:
    lengths = _lengths(700)
    np.random.seed(9)
    first = bucketed_order(lengths, 50, 4)
    np.random.seed(9)
    second = bucketed_order(lengths, 50, 4)
    np.random.seed(10)
    third = bucketed_order(lengths, 50, 4)
    assert np.array_equal(first, second)
    assert not np.array_equal(first, third)


def test_batches_within_a_bucket_run_are_sorted_before_the_batch_order_is_shuffled() -> None:
    lengths = _lengths(640)
    np.random.seed(2)
    order = bucketed_order(lengths, batch_size=64, batches_per_bucket=10)  # one run, sorted whole
    batches = order.reshape(10, 64)
    spans = sorted((lengths[batch].min(), lengths[batch].max()) for batch in batches)
    assert all(high <= next_low for (_, high), (next_low, _) in zip(spans, spans[1:]))


def _training_data():
    """120 made-up messages of 1 to 12 tokens, with sparse features as the featurisers leave them."""
    import scipy.sparse
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    messages = []
    for index in range(120):
        message = Message(data={"text": f"example {index}", "intent": f"intent_{index % 4}"})
        tokens = 1 + index * 7 % 12
        sequence = scipy.sparse.random(tokens, 20, density=0.3, random_state=index, format="coo")
        message.add_features(Features(sequence, "sequence", "text", "test"))
        message.add_features(Features(scipy.sparse.coo_matrix(sequence.sum(axis=0)), "sentence", "text", "test"))
        messages.append(message)
    return TrainingData(messages)


def _diet(tmp_path, **config):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier

    config = {**DIETClassifier.get_default_config(), "entity_recognition": False, **config}
    return DIETClassifier.create(config, LocalModelStorage(tmp_path), Resource("diet"),
                                 ExecutionContext(GraphSchema({}), "diet"))


def _model_data(tmp_path):
    """DIET's own training data for the made-up messages."""
    return _diet(tmp_path).preprocess_train_data(_training_data())


def _epochs(generator, count: int) -> List[List[Tuple[np.ndarray, np.ndarray]]]:
    """Each epoch's batches as (lengths, labels)."""
    from rasa.shared.nlu.constants import TEXT
    from rasa.nlu.classifiers.diet_classifier import LABEL_KEY, LABEL_SUB_KEY
    from rasa.utils.tensorflow.constants import SEQUENCE_LENGTH

    epochs = []
    for _ in range(count):
        batches = []
        for index in range(len(generator)):
            start, end = index * generator._current_batch_size, (index + 1) * generator._current_batch_size
            lengths = np.asarray(generator._data[TEXT][SEQUENCE_LENGTH][0][start:end], dtype=int)
            labels = np.asarray(generator._data[LABEL_KEY][LABEL_SUB_KEY][0][start:end]).reshape(-1)
            batches.append((lengths, labels))
        epochs.append(batches)
        generator.on_epoch_end()
    return epochs


def test_the_generator_gives_rasas_examples_in_batches_of_rasas_sizes(tmp_path) -> None:
    from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator

    data = _model_data(tmp_path)
    np.random.seed(5)
    rasas = _epochs(RasaBatchDataGenerator(data, batch_size=[16, 32], epochs=3, batch_strategy="balanced"), 3)
    np.random.seed(5)
    ours = _epochs(LengthBucketedBatchGenerator(data, batch_size=[16, 32], epochs=3, batch_strategy="balanced"), 3)
    for rasa_epoch, our_epoch in zip(rasas, ours):
        assert [len(lengths) for lengths, _ in our_epoch] == [len(lengths) for lengths, _ in rasa_epoch]
        examples = lambda epoch: Counter(zip(np.concatenate([l for l, _ in epoch]), np.concatenate([y for _, y in epoch])))
        assert examples(our_epoch) == examples(rasa_epoch)
        padded = lambda epoch: sum(lengths.max() * len(lengths) for lengths, _ in epoch)
        assert padded(our_epoch) < padded(rasa_epoch)


def test_only_dieclassifiers_training_generator_is_replaced(tmp_path) -> None:
    from rasa.nlu.classifiers.diet_classifier import DIET
    from rasa.nlu.selectors.response_selector import DIET2DIET
    from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator

    data = _model_data(tmp_path)
    rasas = RasaBatchDataGenerator(data, batch_size=[16, 32], epochs=3, batch_strategy="balanced")
    unshuffled = RasaBatchDataGenerator(data, batch_size=16, epochs=1, shuffle=False)
    diet, response_selector = DIET.__new__(DIET), DIET2DIET.__new__(DIET2DIET)

    replaced = bucketed(diet, rasas)
    assert isinstance(replaced, LengthBucketedBatchGenerator)
    assert (replaced.batch_size, replaced._epochs, replaced.batch_strategy) == ([16, 32], 3, "balanced")
    assert bucketed(response_selector, rasas) is rasas
    assert bucketed(diet, unshuffled) is unshuffled
    assert bucketed(diet, None) is None


def test_dietclassifier_trains_on_bucketed_batches(tmp_path, monkeypatch) -> None:
    from rasa.nlu.classifiers.diet_classifier import DIET

    importlib.import_module("components")
    assert DIET.fit.__wrapped__ is fast_training.fit  # fast_training's single trace is kept
    orders = []
    monkeypatch.setattr(length_buckets, "bucketed_order",
                        lambda *args: orders.append(args) or bucketed_order(*args))
    diet = _diet(tmp_path, epochs=2, number_of_transformer_layers=1, transformer_size=16, batch_size=[16, 32])
    diet.train(_training_data())
    assert [batch_size for _, batch_size, _ in orders[:2]] == [16, 32]  # one order per epoch


@pytest.mark.parametrize("batch_size", [1, 7, 64])
def test_any_batch_size_gives_a_permutation(batch_size: int) -> None:
    lengths = _lengths(130, seed=batch_size)
    np.random.seed(0)
    assert sorted(bucketed_order(lengths, batch_size, 8).tolist()) == list(range(130))
