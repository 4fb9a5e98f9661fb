"""The web workspace's application: sign-in, sessions, CSRF, errors, and the areas' routes.

No page is served without a signed-in officer (only /login and the static CSS are public);
every POST carries the session's CSRF token (the login form a cookie's), or is refused.
"""

from __future__ import annotations

import itertools
import logging
import secrets
from pathlib import Path
from typing import Optional

from sanic import Sanic, response
from sanic.exceptions import NotFound, PayloadTooLarge
from sanic.request import Request

from nagarik.db.officers import audit, log_in, log_out, session_officer, set_language
from nagarik.db.session import database_url
from nagarik.language import LANGUAGES
from nagarik.settings import media_dir
from nagarik.web import admin, complaints, dashboard, publishing
from nagarik.web.i18n import translator
from nagarik.web.pages import (
    LOGIN_CSRF_COOKIE, SESSION_COOKIE, in_db, language_of, message_page, officer_of, render, set_cookie,
)

logger = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
PUBLIC_PATHS = ("/login", "/static/", "/favicon.ico")
# Larger requests are refused without reading them; attachments stop at 5 MB (complaints.py).
REQUEST_MAX_BYTES = 20 * 1024 * 1024
_app_numbers = itertools.count(1)


def _is_public(path: str) -> bool:
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in PUBLIC_PATHS)


def _safe_next(target: str) -> str:
    """Only a path of this site to go back to after signing in (not //elsewhere.example)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/complaints"


async def authenticate(request: Request) -> Optional[response.HTTPResponse]:
    request.ctx.officer = None
    if request.path.startswith("/static/"):
        return None
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        request.ctx.officer = await in_db(request, lambda session: session_officer(session, token))
    if request.ctx.officer is None and not _is_public(request.path):
        if request.method == "GET":
            return response.redirect(f"/login?next={request.path}")
        return message_page(request, "not_logged_in", 401)
    if int(request.headers.get("content-length") or 0) > REQUEST_MAX_BYTES:
        # Sanic hands such a request on without its body (so without a form): say what happened.
        return message_page(request, "request_too_large", 413)
    if request.method == "POST" and not _csrf_ok(request):
        return message_page(request, "csrf_refused", 403)
    return None


def _csrf_ok(request: Request) -> bool:
    sent = (request.form or {}).get("csrf_token", "") if request.form is not None else ""
    officer = officer_of(request)
    # The login form holds the login cookie's token, also when its browser is already signed in.
    if request.path == "/login" or officer is None:
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    else:
        expected = officer.csrf_token
    return bool(sent and expected) and secrets.compare_digest(sent, expected)


async def login_form(request: Request, error: str = "", status: int = 200) -> response.HTTPResponse:
    # The browser's next request (its favicon, another tab) must not replace the token this form holds.
    token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    token = token if len(token) == 43 else secrets.token_urlsafe(32)
    reply = render(request, "login.html", status=status, csrf=token, error=error, next=_safe_next(request.args.get("next", "")))
    set_cookie(reply, LOGIN_CSRF_COOKIE, token, request.app.ctx.secure_cookies)
    return reply


async def login(request: Request) -> response.HTTPResponse:
    name, password = request.form.get("name", ""), request.form.get("password", "")
    result = await in_db(request, lambda session: log_in(session, name, password))
    t = translator(language_of(request))
    if result.wait_seconds:
        return await login_form(request, t("login_wait", seconds=result.wait_seconds), 429)
    if result.token is None:
        return await login_form(request, t("wrong_login"), 401)
    reply = response.redirect(_safe_next(request.form.get("next", "")))
    set_cookie(reply, SESSION_COOKIE, result.token, request.app.ctx.secure_cookies)

    def record(session) -> None:
        officer = session_officer(session, result.token)
        audit(session, officer, "log_in")

    await in_db(request, record)
    return reply


async def logout(request: Request) -> response.HTTPResponse:
    officer, token = officer_of(request), request.cookies.get(SESSION_COOKIE, "")

    def end(session) -> None:
        audit(session, officer, "log_out")
        log_out(session, token)

    await in_db(request, end)
    reply = response.redirect("/login")
    del reply.cookies[SESSION_COOKIE]
    return reply


async def choose_language(request: Request) -> response.HTTPResponse:
    language, officer = request.form.get("language", ""), officer_of(request)
    if language in LANGUAGES:

        def store(session) -> None:
            set_language(session, officer.id, language)
            audit(session, officer, "set_language", detail=language)

        await in_db(request, store)
    return response.redirect(_safe_next(request.form.get("back", "")))


async def not_found(request: Request, _error: Exception) -> response.HTTPResponse:
    return message_page(request, "page_not_found", 404)


async def too_large(request: Request, _error: Exception) -> response.HTTPResponse:
    return message_page(request, "request_too_large", 413)


async def server_error(request: Request, error: Exception) -> response.HTTPResponse:
    logger.exception("error serving %s %s", request.method, request.path, exc_info=error)
    return message_page(request, "server_error", 500)


def create_app(database: str = "", media: Optional[Path] = None, secure_cookies: bool = False) -> Sanic:
    """The workspace over `database` (default DATABASE_URL); attachments are stored under `media`."""
    app = Sanic(f"nagarik_web_{next(_app_numbers)}")
    app.config.REQUEST_MAX_SIZE = REQUEST_MAX_BYTES
    app.config.FALLBACK_ERROR_FORMAT = "html"
    app.ctx.database = database or database_url()
    app.ctx.media = Path(media or media_dir())
    app.ctx.secure_cookies = secure_cookies
    app.register_middleware(authenticate, "request")
    app.static("/static", str(STATIC))
    app.add_route(login_form, "/login", methods=["GET"])
    app.add_route(login, "/login", methods=["POST"], name="login_post")
    app.add_route(logout, "/logout", methods=["POST"])
    app.add_route(choose_language, "/language", methods=["POST"])
    app.add_route(lambda request: response.redirect("/complaints"), "/", methods=["GET"], name="home")
    app.add_route(lambda request: response.empty(), "/favicon.ico", methods=["GET"], name="favicon")
    for area in (complaints, publishing, dashboard, admin):
        area.register(app)
    app.error_handler.add(NotFound, not_found)
    app.error_handler.add(PayloadTooLarge, too_large)
    app.error_handler.add(Exception, server_error)
    return app
