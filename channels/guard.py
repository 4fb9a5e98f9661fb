"""What every Nagarik channel does with a message before Rasa's NLU sees it (nagarik/inbound.py says why).

A channel wraps the `on_new_message` Rasa gives its blueprint with `guarded(...)`: the text becomes
a clean string, the sender id and metadata are cleaned too (they reach the action server in the
same JSON), and a message longer than NAGARIK_MAX_MESSAGE_CHARS is answered at once, in the
citizen's language, without going to NLU.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage
from sqlalchemy.exc import SQLAlchemyError

from nagarik.db.complaints import preferred_language
from nagarik.db.session import run_in_session
from nagarik.inbound import as_text, clean_text, clean_value, max_message_chars, reply_language, too_long, too_long_reply
from nagarik.settings import city_settings
from nagarik.whatsapp import mask

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[Any]]


def clean_message(message: UserMessage) -> UserMessage:
    """The same message with its text, sender id and metadata safe to encode as UTF-8 JSON."""
    message.text = clean_text(as_text(message.text))
    message.sender_id = clean_text(str(message.sender_id))
    if message.metadata is not None:
        message.metadata = clean_value(message.metadata)
    return message


async def remembered_language(sender_id: str) -> Optional[str]:
    """The language stored for this citizen, if the database can say."""
    try:
        return await run_in_session(lambda session: preferred_language(session, sender_id))
    except SQLAlchemyError:
        return None


async def refuse_too_long(message: UserMessage, limit: int) -> None:
    language = reply_language(message.text, await remembered_language(message.sender_id), city_settings().default_language)
    logger.info("a message of %d characters from %s was not read (limit %d)", len(message.text), mask(message.sender_id), limit)
    await message.output_channel.send_text_message(message.sender_id, too_long_reply(message.text, language, limit))


def guarded(on_new_message: Handler) -> Handler:
    """`on_new_message` for clean messages only, with messages over the length limit answered here."""

    async def handle(message: UserMessage) -> Any:
        clean_message(message)
        limit = max_message_chars()
        if too_long(message.text, limit):
            await refuse_too_long(message, limit)
            return None
        return await on_new_message(message)

    return handle
