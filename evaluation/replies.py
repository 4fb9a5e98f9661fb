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
from nagarik.language import native_script_language

_LATIN_LETTER = re.compile(r"[A-Za-z]")


def reply_language(texts: Sequence[str]) -> Optional[str]:
    """hi, bn or en for what the assistant said; None when it said nothing in words."""
    joined = " ".join(texts)
    return native_script_language(joined) or ("en" if _LATIN_LETTER.search(joined) else None)


def shares(groups: Sequence[str], answered: Sequence[Optional[str]]) -> Dict[str, Dict[str, float]]:
    """Per group and overall: the share answered in the expected language."""
    counts: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
    for group, language in zip(groups, answered):
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
