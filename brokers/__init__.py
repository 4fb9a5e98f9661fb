"""Rasa event brokers configured from the environment (see rabbitmq.py)."""
