"""Custom Rasa NLU components (referenced by module path in config.yml).

Importing the package also installs `remote_action`'s faster check of action server replies,
so every process that loads a Nagarik model (rasa run, shell, test) gets it.
"""

from components import remote_action

remote_action.install()
