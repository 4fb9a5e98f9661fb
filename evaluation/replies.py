"""Reply language: is each evaluation message answered in the language it was written in?

Every message opens a conversation of its own with the whole assistant (NLU, dialogue and the
action server on a fresh SQLite database with the sample city). The answer's language is read
from its script: Devanagari is Hindi, Bengali script is Bengali, Latin letters are English.
Romanized Hindi and Bengali are to be answered in Hindi and Bengali.
"""

from __future__ import annotations

import os
import re
import uuid
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence

from evaluation.nlu import GROUP_LANGUAGE as EXPECTED

_SCRIPTS = {"hi": re.compile(r"[\u0900-\u097f]"), "bn": re.compile(r"[\u0980-\u09ff]"), "en": re.compile(r"[A-Za-z]")}
# A citizen who asks for another language is answered in it, by design: not counted.
NOT_COUNTED = frozenset({"set_language"})


def reply_language(texts: Sequence[str]) -> Optional[str]:
    """hi, bn or en for what the assistant said, by the script most of its letters are in (the English
    greeting names "हिंदी" and "বাংলা" as choices); None when it said nothing in words."""
    joined = " ".join(texts)
    letters = {language: len(script.findall(joined)) for language, script in _SCRIPTS.items()}
    language, count = max(letters.items(), key=lambda item: item[1])
    return language if count else None


def shares(
    groups: Sequence[str], answered: Sequence[Optional[str]], intents: Optional[Sequence[str]] = None
) -> Dict[str, Dict[str, float]]:
    """Per group and overall: the share answered in the expected language (requests to switch excluded)."""
    counts: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
    for group, language, intent in zip(groups, answered, intents or [None] * len(groups)):
        if intent in NOT_COUNTED:
            continue
        for key in (group, "all"):
            counts[key][0] += language == EXPECTED[group]
            counts[key][1] += 1
    return {key: {"messages": total, "reply_language_share": round(right / total, 4)} for key, (right, total) in counts.items()}


@contextmanager
def action_server(workdir: Path) -> Iterator[str]:
    """The project's action server on a fresh SQLite database; yields its webhook URL."""
    from benchmark.stack import fresh_database, free_port, start_action_server

    url = f"sqlite:///{workdir / 'nagarik.db'}"
    fresh_database(url)
    port = free_port()
    env = {"DATABASE_URL": url, "PYTHONWARNINGS": "ignore", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
           "NAGARIK_MEDIA_DIR": str(workdir / "media")}
    process = start_action_server(port, {**os.environ, **env}, workdir / "actions.log", 90)
    try:
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        process.terminate()
        process.wait(timeout=30)


async def answer_languages(agent, texts: Sequence[str]) -> List[Optional[str]]:
    """Each text as the first message of a new conversation; the language of the answer."""
    languages = []
    for text in texts:
        replies = await agent.handle_text(text, sender_id=f"eval-{uuid.uuid4().hex}")
        languages.append(reply_language([reply.get("text") or "" for reply in replies or []]))
    return languages
