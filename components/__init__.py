"""Custom Rasa NLU components (referenced by module path in config.yml).

Importing the package also installs these speed-ups, so every process that trains or loads a
Nagarik model (rasa train, run, shell, test) gets them: `remote_action`'s faster check of action
server replies, `endpoint_sessions`' kept-alive connections to the action server, `state_cache`'s
dialogue states computed once per step for all policies, `fast_inference`'s direct calls of the
traced TensorFlow graphs, `fast_training`'s lighter training graph traced once, `training_input`'s
training batches read without tf.data's autotuning (whose thread could stall training for a
minute), `sparse_fingerprints`' and `message_fingerprints`' cheaper fingerprints of sparse features
and of messages for the training cache, `sparse_combine`'s faster joining of several featurisers'
sparse features, `event_types`' remembered event classes, `schema_checks`' training data checks
with each schema checked once, and `debug_copies`' skipped copies for debug log lines that are not
written. `training_code` makes Rasa's training cache retrain DIET, the ResponseSelector and TED
whenever this package changes.
"""

from components import (
    debug_copies,
    endpoint_sessions,
    event_types,
    fast_inference,
    fast_training,
    message_fingerprints,
    remote_action,
    schema_checks,
    sparse_combine,
    sparse_fingerprints,
    state_cache,
    training_code,
    training_input,
)

debug_copies.install()
endpoint_sessions.install()
event_types.install()
fast_inference.install()
fast_training.install()
message_fingerprints.install()
remote_action.install()
schema_checks.install()
sparse_combine.install()
sparse_fingerprints.install()
state_cache.install()
training_code.install()
training_input.install()
