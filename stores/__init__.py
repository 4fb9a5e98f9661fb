"""Rasa tracker stores (referenced by module path in endpoints.yml)."""
