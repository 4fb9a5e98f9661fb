"""Custom Rasa NLU components (referenced by module path in config.yml).

Importing the package also installs `remote_action`'s faster check of action server replies and
`fast_inference`'s direct calls of the traced TensorFlow graphs, so every process that loads a
Nagarik model (rasa run, shell, test) gets them.
"""

from components import fast_inference, remote_action

fast_inference.install()
remote_action.install()
