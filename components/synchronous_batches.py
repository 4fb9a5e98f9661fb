"""Keras reads Rasa's training batches on demand, without a prefetch thread: no more minute-long stalls.

Rasa hands Keras its batch generator (a `keras.utils.Sequence`). With Keras' default `workers=1`,
Keras wraps it in `tf.data.Dataset.from_generator(...).prefetch(1)`: a tf.data thread calls the
Python generator ahead of the training step, and finalises it when the epoch's data run out. When
`fit` ends, the main thread drops that iterator and waits for the thread, holding the GIL while
it waits (TensorFlow frees the iterator from a Python object's destructor). If the thread was just
about to run Python, it waits for the GIL in turn, and training stood still: 60 s of 0% CPU right
after DIET's last epoch in two of six `make train` runs on this machine (caught with `py-spy dump`
in `~LogicalThreadWrapper` under `EagerTensor_dealloc`, the other thread idle). With `workers=0`
Keras makes no prefetch thread: the generator runs inside the step's own call, and the iterator
is finalised by the thread that drops it.

It costs nothing measurable: DIET's epochs took 2.29 s with and 2.29-2.71 s without it (8-epoch
runs, same weights, as the batches are the same). Applies to every Rasa model Nagarik trains: DIET,
the ResponseSelector and TED.
"""

from __future__ import annotations

from typing import Any

from keras import Model
from rasa.utils.tensorflow.models import RasaModel

# Keras: "If 0, will execute the generator on the main thread."
ON_THE_TRAINING_THREAD = 0


def fit(self: RasaModel, *args: Any, **kwargs: Any) -> Any:
    """Keras' fit with the generator run on demand (unless the caller chose workers itself)."""
    kwargs.setdefault("workers", ON_THE_TRAINING_THREAD)
    return Model.fit(self, *args, **kwargs)


def install() -> None:
    RasaModel.fit = fit
