"""What the simulated citizens write: whole conversations of 5 to 10 messages, in Hindi, Bengali and
English, each filing or tracking a complaint or asking about COVID or a ward.

The texts are the benchmark's own (not training data, not the evaluation sets). A conversation
goes on even when the assistant understood something else: the benchmark measures speed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import List, Tuple


@dataclass(frozen=True)
class Conversation:
    language: str
    kind: str
    messages: Tuple[str, ...]


SCRIPTS: Tuple[Conversation, ...] = (
    Conversation("en", "complaint", (
        "hi", "the street light outside our house has not worked for four days", "ward 12",
        "near the hanuman temple", "yes", "what is the status of my complaint", "thank you", "bye",
    )),
    Conversation("en", "tracking", (
        "hello", "i want to know about my complaint NG104233", "can i talk to an officer",
        "ok thanks", "bye",
    )),
    Conversation("en", "covid", (
        "hello", "how many covid cases in the district today", "what are the symptoms of covid",
        "where can i get the vaccine", "thanks", "bye",
    )),
    Conversation("en", "ward", (
        "good morning", "who is the councillor of ward 7", "send me the notices of ward 7",
        "any covid news", "stop the notices", "bye",
    )),
    Conversation("hi", "complaint", (
        "नमस्ते", "हमारी गली में दो दिन से पानी नहीं आ रहा", "वार्ड 19", "शिव मंदिर के पास", "हाँ",
        "मेरी शिकायत की स्थिति क्या है", "धन्यवाद", "अलविदा",
    )),
    Conversation("hi", "tracking", (
        "नमस्ते", "शिकायत NG104233 का क्या हुआ", "किसी अधिकारी से बात करनी है", "ठीक है धन्यवाद", "अलविदा",
    )),
    Conversation("hi", "covid", (
        "नमस्ते", "आज जिले में कोरोना के कितने केस हैं", "कोरोना के लक्षण क्या हैं", "टीका कहाँ लगेगा",
        "धन्यवाद", "अलविदा",
    )),
    Conversation("hi", "ward", (
        "नमस्ते", "वार्ड 5 के पार्षद कौन हैं", "वार्ड 5 की सूचनाएं भेजिए", "कोरोना का ताज़ा हाल",
        "सूचनाएं बंद करो", "अलविदा",
    )),
    Conversation("bn", "complaint", (
        "নমস্কার", "আমাদের পাড়ার ড্রেন উপচে পড়ছে", "ওয়ার্ড ৭", "বাজারের পাশে", "হ্যাঁ",
        "আমার অভিযোগের অবস্থা কী", "ধন্যবাদ", "বিদায়",
    )),
    Conversation("bn", "tracking", (
        "নমস্কার", "অভিযোগ NG104233 এর কী হলো", "একজন অফিসারের সাথে কথা বলতে চাই", "ঠিক আছে ধন্যবাদ", "বিদায়",
    )),
    Conversation("bn", "covid", (
        "নমস্কার", "আজ জেলায় করোনার কত কেস", "করোনার লক্ষণ কী", "টিকা কোথায় পাব", "ধন্যবাদ", "বিদায়",
    )),
    Conversation("bn", "ward", (
        "নমস্কার", "৩ নম্বর ওয়ার্ডের কাউন্সিলর কে", "৩ নম্বর ওয়ার্ডের নোটিশ পাঠান", "করোনার খবর কী",
        "নোটিশ বন্ধ করুন", "বিদায়",
    )),
)


def schedule(count: int, seed: int = 7) -> List[Conversation]:
    """`count` conversations, every script equally often, in a shuffled but repeatable order."""
    rounds = -(-count // len(SCRIPTS))
    conversations = list(SCRIPTS) * rounds
    random.Random(seed).shuffle(conversations)
    return conversations[:count]
