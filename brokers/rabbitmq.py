"""Rasa's RabbitMQ event broker when RABBITMQ_URL is set, none otherwise.

endpoints.yml names `brokers.rabbitmq.ConfiguredEventBroker`. With RABBITMQ_URL
(`amqp://user:password@host:5672`) every conversation event the rasa server stores is also
published, by Rasa's own `PikaEventBroker`, to the queue RABBITMQ_QUEUE (default Rasa's
`rasa_core_events`), for analytics or Rasa X-style consumers; without it no broker is made.
"""

from __future__ import annotations

import os
from asyncio import AbstractEventLoop
from typing import Optional
from urllib.parse import unquote, urlsplit

from rasa.core.brokers.broker import EventBroker
from rasa.core.brokers.pika import DEFAULT_QUEUE_NAME, PikaEventBroker
from rasa.utils.endpoints import EndpointConfig

RABBITMQ_URL_VARIABLE = "RABBITMQ_URL"
RABBITMQ_QUEUE_VARIABLE = "RABBITMQ_QUEUE"


def pika_settings(url: str, queue: Optional[str] = None) -> EndpointConfig:
    """Rasa's pika settings for an amqp:// URL (the default virtual host)."""
    parts = urlsplit(url)
    return EndpointConfig(
        url=parts.hostname or "localhost",
        port=parts.port or 5672,
        username=unquote(parts.username) if parts.username else "guest",
        password=unquote(parts.password) if parts.password else "guest",
        queues=[queue or DEFAULT_QUEUE_NAME],
    )


class ConfiguredEventBroker(EventBroker):
    """Never made itself: `from_endpoint_config` gives Rasa's PikaEventBroker, or None."""

    @classmethod
    async def from_endpoint_config(cls, broker_config: Optional[EndpointConfig],
                                   event_loop: Optional[AbstractEventLoop] = None) -> Optional[EventBroker]:
        url = os.environ.get(RABBITMQ_URL_VARIABLE)
        if not url:
            return None
        settings = pika_settings(url, os.environ.get(RABBITMQ_QUEUE_VARIABLE))
        return await PikaEventBroker.from_endpoint_config(settings, event_loop)
