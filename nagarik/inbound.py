"""What a channel does with a citizen's message before Rasa sees it, on every channel alike.

- **Text only.** A message's text may come as a number, a list or nothing (a REST caller's
  `"message": 12`, a WhatsApp caption that is not a string); numbers are read as their digits,
  anything else as no text.
- **Clean text.** Lone surrogates (`"\\ud800"`, valid in JSON, impossible in UTF-8) made the call to
  the action server fail with UnicodeEncodeError, and the citizen heard nothing; they are dropped,
  and so are control characters other than tab and newline (a carriage return becomes a newline).
- **A length limit.** NLU's cost grows with the square of a message's length (4,096 characters
  took 0.7 s, 100,000 characters 46 s on one event loop, holding up every other citizen), so a
  message over `NAGARIK_MAX_MESSAGE_CHARS` characters (default 4,096, WhatsApp's own limit for a
  text) never reaches NLU: the citizen is asked, in their language, to send it in shorter parts.

No Rasa imports: the channels (channels/guard.py) apply these.
"""

from __future__ import annotations

import os
import re
from typing import Any, Mapping, Optional

from nagarik.language import LANGUAGES, detect

DEFAULT_MAX_MESSAGE_CHARS = 4096
MAX_MESSAGE_CHARS_VARIABLE = "NAGARIK_MAX_MESSAGE_CHARS"
# Enough of a long message to tell its language; detect() on all of it would cost what we avoid.
LANGUAGE_SAMPLE_CHARS = 500
# Metadata is the channel's own (or a REST caller's): cleaned to this depth, deeper parts dropped.
MAX_METADATA_DEPTH = 8

# Lone surrogates; C0 and C1 control characters except tab and newline; the two non-characters.
_UNSAFE = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_CARRIAGE_RETURN = re.compile("\r\n?")

TOO_LONG: Mapping[str, str] = {
    "en": "Sorry, your message is too long for me ({length} characters; I can read up to {limit}). "
          "Please send it again in shorter messages.",
    "hi": "माफ़ कीजिए, आपका संदेश मेरे लिए बहुत लंबा है ({length} अक्षर; मैं {limit} तक पढ़ सकता हूँ)। "
          "कृपया इसे छोटे-छोटे संदेशों में फिर से भेजें।",
    "bn": "দুঃখিত, আপনার মেসেজটা আমার জন্য খুব লম্বা ({length} অক্ষর; আমি {limit} পর্যন্ত পড়তে পারি)। "
          "ছোট ছোট মেসেজে আবার পাঠান।",
}


def max_message_chars(environ: Optional[Mapping[str, str]] = None) -> int:
    """The longest text that goes on to NLU (NAGARIK_MAX_MESSAGE_CHARS; a bad value means the default)."""
    environ = os.environ if environ is None else environ
    try:
        value = int(environ.get(MAX_MESSAGE_CHARS_VARIABLE) or DEFAULT_MAX_MESSAGE_CHARS)
    except ValueError:
        return DEFAULT_MAX_MESSAGE_CHARS
    return value if value > 0 else DEFAULT_MAX_MESSAGE_CHARS


def as_text(value: Any) -> str:
    """A message's text as a string: numbers as their digits, anything else that is not text as ''."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def clean_text(text: str) -> str:
    """The text without lone surrogates, control characters (except tab and newline) or non-characters."""
    return _UNSAFE.sub("", _CARRIAGE_RETURN.sub("\n", text))


def clean_value(value: Any, depth: int = 0) -> Any:
    """Metadata with every string cleaned (keys too); parts nested deeper than MAX_METADATA_DEPTH dropped."""
    if isinstance(value, str):
        return clean_text(value)
    if depth >= MAX_METADATA_DEPTH:
        return None
    if isinstance(value, dict):
        return {clean_text(str(key)): clean_value(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_value(item, depth + 1) for item in value]
    return value


def too_long(text: str, limit: Optional[int] = None) -> bool:
    return len(text) > (limit or max_message_chars())


def reply_language(text: str, remembered: Optional[str], default: str) -> str:
    """The language to answer a message that NLU will not read: the message's own when clear from its
    beginning, else the one remembered for the citizen, else the city's default."""
    detection = detect(text[:LANGUAGE_SAMPLE_CHARS])
    if detection.clear and detection.code in LANGUAGES:
        return detection.code
    return remembered if remembered in LANGUAGES else default


def too_long_reply(text: str, language: str, limit: Optional[int] = None) -> str:
    return TOO_LONG[language].format(length=f"{len(text):,}", limit=f"{limit or max_message_chars():,}")
