"""Custom actions of the Nagarik action server (`rasa run actions`).

One module per action family; the logic they share lives in the `nagarik` package.
"""
