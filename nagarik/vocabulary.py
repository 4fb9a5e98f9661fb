"""What the assistant calls categories, statuses and dates in each language.

Sentences live in `domain.yml` (one variation per language); the words that
fill their placeholders live here, so that a complaint's summary, its status
and its history read naturally in en, hi and bn.
"""

from __future__ import annotations

from datetime import datetime
from typing import Dict, Mapping
from zoneinfo import ZoneInfo

CATEGORY_NAMES: Mapping[str, Dict[str, str]] = {
    "street_light": {"en": "Street light", "hi": "स्ट्रीट लाइट", "bn": "রাস্তার আলো"},
    "water_supply": {"en": "Water supply", "hi": "पानी की सप्लाई", "bn": "জল সরবরাহ"},
    "water_leakage": {"en": "Water leakage", "hi": "पानी का रिसाव / पाइप लीकेज", "bn": "জল লিক / পাইপ ফাটা"},
    "sewerage": {"en": "Drain / sewer", "hi": "नाली / सीवर", "bn": "নর্দমা / নিকাশি"},
    "sanitation": {"en": "Garbage / cleaning", "hi": "कूड़ा / सफ़ाई", "bn": "আবর্জনা / সাফাই"},
    "roads": {"en": "Road", "hi": "सड़क", "bn": "রাস্তা"},
    "house_tax": {"en": "House tax", "hi": "हाउस टैक्स", "bn": "হোল্ডিং ট্যাক্স"},
    "other": {"en": "Other", "hi": "अन्य", "bn": "অন্যান্য"},
}

STATUS_NAMES: Mapping[str, Dict[str, str]] = {
    "received": {"en": "received", "hi": "प्राप्त", "bn": "গৃহীত"},
    "assigned": {"en": "assigned to the department", "hi": "विभाग को सौंपी गई", "bn": "বিভাগকে দেওয়া হয়েছে"},
    "in_progress": {"en": "work in progress", "hi": "काम चल रहा है", "bn": "কাজ চলছে"},
    "resolved": {"en": "resolved", "hi": "समाधान हो गया", "bn": "সমাধান হয়েছে"},
    "closed": {"en": "closed", "hi": "बंद", "bn": "বন্ধ"},
    "rejected": {"en": "rejected", "hi": "अस्वीकृत", "bn": "বাতিল"},
    "reopened": {"en": "reopened", "hi": "फिर से खोली गई", "bn": "আবার খোলা হয়েছে"},
}

_MONTHS: Mapping[str, tuple] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "hi": ("जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर", "अक्टूबर", "नवंबर", "दिसंबर"),
    "bn": ("জানুয়ারি", "ফেব্রুয়ারি", "মার্চ", "এপ্রিল", "মে", "জুন", "জুলাই", "আগস্ট", "সেপ্টেম্বর", "অক্টোবর", "নভেম্বর", "ডিসেম্বর"),
}

# Not given / skipped, in a summary.
NOT_GIVEN: Mapping[str, str] = {"en": "not given", "hi": "नहीं बताया", "bn": "দেওয়া হয়নি"}
WARD: Mapping[str, str] = {"en": "Ward", "hi": "वार्ड", "bn": "ওয়ার্ড"}
LOCATION_PIN: Mapping[str, str] = {"en": "📍 location pin", "hi": "📍 लोकेशन पिन", "bn": "📍 লোকেশন পিন"}


def category_name(code: str, language: str) -> str:
    return CATEGORY_NAMES.get(code, CATEGORY_NAMES["other"])[language]


def status_name(status: str, language: str) -> str:
    return STATUS_NAMES.get(status, {}).get(language, status)


def format_date(moment: datetime, language: str, timezone: str, with_time: bool = True) -> str:
    """'22 Nov 2026, 3:05 pm' / '22 नवंबर 2026, 15:05' / '22 নভেম্বর 2026, 15:05', in the city's time.

    Digits stay ASCII in every language, like the reference numbers and phone
    numbers in the same messages, so that they can be typed back.
    """
    local = moment.astimezone(ZoneInfo(timezone))
    date = f"{local.day} {_MONTHS[language][local.month - 1]} {local.year}"
    if not with_time:
        return date
    if language == "en":
        hour = local.hour % 12 or 12
        return f"{date}, {hour}:{local.minute:02d} {'am' if local.hour < 12 else 'pm'}"
    return f"{date}, {local.hour:02d}:{local.minute:02d}"

NO_NOTICES: Mapping[str, str] = {"en": "none at the moment", "hi": "अभी कोई सूचना नहीं", "bn": "এই মুহূর্তে কোনো বিজ্ঞপ্তি নেই"}
NOTICES_UNAVAILABLE: Mapping[str, str] = {
    "en": "could not be loaded just now",
    "hi": "अभी लोड नहीं हो सकीं",
    "bn": "এই মুহূর্তে দেখানো গেল না",
}

# Said by the WhatsApp channel itself, for messages it cannot hand to the assistant.
UNSUPPORTED_MESSAGE: Mapping[str, str] = {
    "en": "Sorry, I can read text, photos, documents and location pins, but not voice notes, videos, stickers or "
          "contacts. Please type your message, or send a photo.",
    "hi": "माफ़ कीजिए, मैं लिखा हुआ संदेश, फ़ोटो, डॉक्यूमेंट और लोकेशन पिन पढ़ सकता हूँ, पर वॉइस नोट, वीडियो, स्टिकर "
          "या कॉन्टैक्ट नहीं। कृपया अपनी बात लिखकर भेजें, या फ़ोटो भेजें।",
    "bn": "দুঃখিত, আমি লেখা মেসেজ, ছবি, ডকুমেন্ট আর লোকেশন পিন পড়তে পারি, কিন্তু ভয়েস নোট, ভিডিও, স্টিকার বা "
          "কন্ট্যাক্ট নয়। আপনার কথা লিখে পাঠান, বা ছবি পাঠান।",
}
MEDIA_NOT_RECEIVED: Mapping[str, str] = {
    "en": "Sorry, that photo or document did not reach me. Please send it again.",
    "hi": "माफ़ कीजिए, वह फ़ोटो या डॉक्यूमेंट मुझ तक नहीं पहुँचा। कृपया फिर से भेजें।",
    "bn": "দুঃখিত, ছবি বা ডকুমেন্টটা আমার কাছে পৌঁছায়নি। আবার পাঠান।",
}
OFFICE_NOTE: Mapping[str, str] = {"en": "Note from the office", "hi": "कार्यालय की टिप्पणी", "bn": "অফিসের মন্তব্য"}
