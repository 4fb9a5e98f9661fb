"""Ward notices and the COVID-19 bulletin (as `nagarik notices/covid publish` do), and citizens' feedback."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Dict, List, Optional

from sanic import Sanic, response
from sanic.request import Request
from sqlalchemy import select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from nagarik.covid import Figures
from nagarik.db.covid import store_figures, stored_figures
from nagarik.db.models import Category, Feedback, WardNotice, WardRecord
from nagarik.db.notices import publish_notice
from nagarik.db.officers import SignedIn, audit
from nagarik.language import LANGUAGES
from nagarik.settings import city_settings
from nagarik.web.i18n import translator
from nagarik.web.pages import in_db, language_of, mask_phone, officer_of, render, render_with_flash, with_flash

COUNTS = ("confirmed", "active", "recovered", "deceased")


def _may_publish_for(officer: SignedIn, ward: int) -> bool:
    return officer.is_admin or (officer.role == "ward" and ward in officer.wards)


def _recent_notices(session: Session, officer: SignedIn) -> List[WardNotice]:
    query = select(WardNotice).order_by(WardNotice.id.desc()).limit(30)
    if not officer.is_admin and officer.scope.wards is not None:
        query = query.where(WardNotice.ward.in_(officer.scope.wards))
    return list(session.execute(query).scalars())


async def notices(request: Request, errors: Optional[List[str]] = None, status: int = 200,
                  form: Optional[Dict[str, str]] = None) -> response.HTTPResponse:
    officer = officer_of(request)
    recent = await in_db(request, lambda session: _recent_notices(session, officer))
    return render_with_flash(request, "notices.html", status=status, notices=recent, errors=errors or [], form=form or {},
                             may_publish=officer.is_admin or officer.role == "ward")


def _publish(session: Session, officer: SignedIn, ward: int, texts: Dict[str, str]) -> int:
    count = publish_notice(session, ward, texts, officer.name)
    audit(session, officer, "publish_notice", f"ward {ward}", " | ".join(texts.values())[:500])
    return count


async def publish(request: Request) -> response.HTTPResponse:
    officer, form = officer_of(request), request.form
    t = translator(language_of(request))
    kept = {key: form.get(key, "") for key in ("ward", "all", *LANGUAGES)}
    ward_text = form.get("ward", "").strip()
    ward = int(ward_text) if ward_text.isdigit() else None
    exists = ward is not None and await in_db(request, lambda s: s.get(WardRecord, ward) is not None)
    if ward is None or not exists or not _may_publish_for(officer, ward):
        return await notices(request, [t("unknown_ward", ward=ward_text[:10])], 400, form=kept)
    one = form.get("all", "").strip()
    texts = {"all": one} if one else {language: form.get(language, "").strip() for language in LANGUAGES}
    texts = {key: text[:2000] for key, text in texts.items() if text}
    if not texts:
        return await notices(request, [t("notice_empty")], 400, form=kept)
    count = await in_db(request, lambda s: _publish(s, officer, ward, texts))
    return with_flash(response.redirect("/notices"), [t("notice_published", ward=ward, count=count)])


async def covid(request: Request, errors: Optional[List[str]] = None, status: int = 200) -> response.HTTPResponse:
    city = city_settings()
    figures = None
    if city.covid_state and city.covid_district:
        figures = await in_db(request, lambda s: stored_figures(s, city.covid_state, city.covid_district))
    return render_with_flash(request, "covid.html", status=status, figures=figures, errors=errors or [],
                  district=city.covid_district, today=date.today().isoformat(), may_publish=officer_of(request).is_admin)


def _count(value: str) -> Optional[int]:
    value = value.strip()
    return int(value) if value.isdigit() else None


async def publish_covid(request: Request) -> response.HTTPResponse:
    officer, form, t = officer_of(request), request.form, translator(language_of(request))
    if not officer.is_admin:
        return await covid(request, [t("not_allowed")], 403)
    counts = {name: _count(form.get(name, "")) for name in COUNTS}
    new = _count(form.get("new", "")) if form.get("new", "").strip() else None
    try:
        as_of = datetime.combine(date.fromisoformat(form.get("as_of", "")), datetime.min.time(), timezone.utc)
    except ValueError:
        return await covid(request, [t("bad_input", what=t("as_of"))], 400)
    if any(v is None for v in counts.values()) or (form.get("new", "").strip() and new is None):
        return await covid(request, [t("covid_bad_counts")], 400)
    city = city_settings()
    figures = Figures(city.covid_state, city.covid_district, counts["confirmed"], counts["active"], counts["recovered"],
                      counts["deceased"], as_of=as_of, new_confirmed=new, source="bulletin")

    def work(session: Session) -> None:
        store_figures(session, figures, published_by=officer.name)
        audit(session, officer, "publish_covid", city.covid_district, str(counts))

    await in_db(request, work)
    return with_flash(response.redirect("/covid"), [t("covid_published", district=city.covid_district)])


def _feedback_scope(session: Session, officer: SignedIn) -> ColumnElement:
    scope = officer.scope
    if scope.wards is not None:
        return Feedback.ward.in_(scope.wards)
    if scope.department is not None:
        return Feedback.category_code.in_(select(Category.code).where(Category.department_code == scope.department))
    return true()


def _feedback(session: Session, officer: SignedIn, args) -> List[Dict[str, Any]]:
    query = select(Feedback).where(_feedback_scope(session, officer)).order_by(Feedback.id.desc()).limit(200)
    ward = args.get("ward", "")
    if ward.isdigit():
        query = query.where(Feedback.ward == int(ward))
    if args.get("category"):
        query = query.where(Feedback.category_code == args.get("category"))
    if args.get("language") in LANGUAGES:
        query = query.where(Feedback.language == args.get("language"))
    return [{"at": f.created_at, "phone": f.citizen.phone if officer.acts else mask_phone(f.citizen.phone),
             "text": f.text, "ward": f.ward, "category": f.category_code, "language": f.language}
            for f in session.execute(query).scalars()]


async def feedback(request: Request) -> response.HTTPResponse:
    officer = officer_of(request)
    rows = await in_db(request, lambda session: _feedback(session, officer, request.args))
    return render(request, "feedback.html", rows=rows, args={k: v[0] for k, v in request.args.items()})


def register(app: Sanic) -> None:
    app.add_route(notices, "/notices", methods=["GET"])
    app.add_route(publish, "/notices", methods=["POST"], name="publish_notice")
    app.add_route(covid, "/covid", methods=["GET"])
    app.add_route(publish_covid, "/covid", methods=["POST"], name="publish_covid")
    app.add_route(feedback, "/feedback", methods=["GET"])
