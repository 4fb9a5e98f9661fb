"""covid_update: the district's latest COVID-19 figures, never invented."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.language import current_language
from nagarik.cache import TTLCache
from nagarik.covid import Figures, feed_settings, indian_grouping
from nagarik.db.covid import current_figures
from nagarik.settings import city_settings
from nagarik.vocabulary import format_date

logger = logging.getLogger(__name__)

# One cache per action server process: a busy hour costs one feed request per TTL.
_CACHE = TTLCache(seconds=600)


def _settings():
    city = city_settings()
    settings = feed_settings(city.covid_state, city.covid_district)
    _CACHE.seconds = settings.cache_seconds
    return settings


def _figures() -> Optional[Figures]:
    try:
        return current_figures(_settings(), _CACHE)
    except SQLAlchemyError:
        logger.exception("stored COVID figures could not be read")
        return None


class ActionCovidUpdate(Action):
    """Feed figures (cached), else the last good ones or an officer's bulletin, with their date."""

    def name(self) -> Text:
        return "action_covid_update"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        language = current_language(tracker)
        # HTTP with retries and the database: on a worker thread, never on the event loop.
        figures = await asyncio.to_thread(_figures)
        if figures is None:
            dispatcher.utter_message(response="utter_covid_figures_unknown", helpline_phone=city_settings().helpline.phone)
            return []
        new = indian_grouping(figures.new_confirmed) if figures.new_confirmed is not None else "-"
        dispatcher.utter_message(
            response="utter_covid_figures",
            district=figures.district,
            as_of=format_date(figures.as_of, language, city_settings().timezone, with_time=figures.source == "feed"),
            confirmed=indian_grouping(figures.confirmed),
            active=indian_grouping(figures.active),
            recovered=indian_grouping(figures.recovered),
            deceased=indian_grouping(figures.deceased),
            new=new,
        )
        return []


class ActionCovidFaq(Action):
    """The COVID-19 answer the response selector chose, with the city's own centres and ambulance number."""

    def name(self) -> Text:
        return "action_covid_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        selected = (tracker.latest_message.get("response_selector") or {}).get("covid_faq") or {}
        response = (selected.get("response") or {}).get("utter_action")
        if not response:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        places = city_settings().covid_places
        language = current_language(tracker)
        dispatcher.utter_message(
            response=response,
            ambulance=places.ambulance,
            vaccination_centres=places.vaccination_centres[language],
            testing_centres=places.testing_centres[language],
        )
        return []
