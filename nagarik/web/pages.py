"""Rendering pages: the templates, the officer's language, and formatting shared by every area."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any, List, Optional
from urllib.parse import quote, unquote

from jinja2 import Environment, PackageLoader, select_autoescape
from sanic import response
from sanic.request import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from nagarik.db.complaints import OPEN_STATUSES
from nagarik.db.models import Department
from nagarik.db.officers import SignedIn
from nagarik.db.session import run_in_session
from nagarik.language import LANGUAGES
from nagarik.settings import city_settings
from nagarik.vocabulary import CATEGORY_NAMES, category_name, format_date, status_name
from nagarik.web.i18n import LANGUAGE_NAMES, translator

SESSION_COOKIE = "nagarik_session"
FLASH_COOKIE = "nagarik_flash"
LOGIN_CSRF_COOKIE = "nagarik_login_csrf"


@lru_cache(maxsize=1)
def _templates() -> Environment:
    environment = Environment(loader=PackageLoader("nagarik.web", "templates"), autoescape=select_autoescape(["html"]))
    environment.globals.update(languages=LANGUAGES, language_names=LANGUAGE_NAMES, categories=tuple(CATEGORY_NAMES))
    return environment


def set_cookie(reply: response.HTTPResponse, name: str, value: str, secure: bool = False) -> None:
    """A cookie scripts cannot read and other sites' forms do not send."""
    reply.cookies[name] = value
    cookie = reply.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Lax"
    cookie["path"] = "/"
    if secure:
        cookie["secure"] = True


def officer_of(request: Request) -> Optional[SignedIn]:
    return getattr(request.ctx, "officer", None)


def language_of(request: Request) -> str:
    officer = officer_of(request)
    if officer is not None:
        return officer.language
    chosen = request.args.get("lang") or request.cookies.get("nagarik_lang", "")
    return chosen if chosen in LANGUAGES else "en"


def sla_left(due: Optional[datetime], status: str, now: datetime, t) -> str:
    """'2 d 5 h', or 'overdue by 1 d 3 h'; empty once the complaint is no longer open."""
    if due is None or status not in OPEN_STATUSES:
        return ""
    seconds = abs(int((due - now).total_seconds()))
    amount = t("hours_short", days=seconds // 86400, hours=seconds % 86400 // 3600)
    return t("overdue_by", time=amount) if due < now else amount


def mask_phone(phone: str) -> str:
    """All but the last four digits hidden: for viewers and officers who do not act on the complaint."""
    return "•" * max(0, len(phone) - 4) + phone[-4:]


def render(request: Request, template: str, status: int = 200, **context: Any) -> response.HTTPResponse:
    language = language_of(request)
    t = translator(language)
    timezone = city_settings().timezone

    def when(moment: Optional[datetime], with_time: bool = True) -> str:
        return format_date(moment, language, timezone, with_time) if moment else ""

    body = _templates().get_template(template).render(
        t=t, lang=language, officer=officer_of(request), path=request.path, when=when,
        status_name=lambda s: status_name(s, language), category_name=lambda c: category_name(c, language),
        **context,
    )
    return response.html(body, status=status)


async def in_db(request: Request, work) -> Any:
    """Run `work(session)` as one transaction on a worker thread (never on the event loop)."""
    return await run_in_session(work, request.app.ctx.database)


def message_page(request: Request, key: str, status: int, **values: Any) -> response.HTTPResponse:
    return render(request, "message.html", status=status, message=translator(language_of(request))(key, **values))


def department_names(session: Session, language: str) -> dict:
    return {d.code: d.names.get(language, d.code) for d in session.execute(select(Department).order_by(Department.code)).scalars()}


def _take_flash(request: Request) -> List[str]:
    raw = request.cookies.get(FLASH_COOKIE, "")
    return [unquote(part) for part in raw.split("|") if part] if raw else []


def with_flash(reply: response.HTTPResponse, messages: List[str]) -> response.HTTPResponse:
    """Messages for the page a redirect leads to (after a change: a reload then repeats nothing)."""
    set_cookie(reply, FLASH_COOKIE, "|".join(quote(m) for m in messages)[:3500])
    return reply


def render_with_flash(request: Request, template: str, status: int = 200, **context: Any) -> response.HTTPResponse:
    flashes = _take_flash(request)
    reply = render(request, template, status=status, flashes=flashes, **context)
    if flashes:
        del reply.cookies[FLASH_COOKIE]
    return reply
