"""The dashboard: the officer's scope at a glance, as server-drawn SVG charts."""

from __future__ import annotations

from sanic import Sanic, response
from sanic.request import Request

from nagarik.db.complaints import STATUSES
from nagarik.db.dashboard import dashboard
from nagarik.vocabulary import category_name, status_name
from nagarik.web.i18n import translator
from nagarik.web.pages import department_names, in_db, language_of, officer_of, render
from nagarik.web.svg import bar_chart, weekly_chart


async def show(request: Request) -> response.HTTPResponse:
    officer, language = officer_of(request), language_of(request)
    t = translator(language)
    figures, departments = await in_db(
        request, lambda session: (dashboard(session, officer.scope.clause()), department_names(session, language)))
    ward = t("ward")
    charts = {
        "by_status": bar_chart([(status_name(s, language), figures.by_status.get(s, 0)) for s in STATUSES], label_width=210),
        "by_category": bar_chart(sorted(((category_name(c, language), n) for c, n in figures.by_category.items()),
                                        key=lambda item: -item[1])),
        "by_ward": bar_chart([(f"{ward} {w}" if w is not None else "-", n) for w, n in figures.by_ward]),
        "by_department": bar_chart(sorted(((departments.get(d, d), n) for d, n in figures.by_department.items()),
                                          key=lambda item: -item[1]), label_width=220),
        "per_week": weekly_chart([(f"{w.day}/{w.month}", received, resolved) for w, received, resolved in figures.weeks],
                                 (t("received_series"), t("resolved_series"))),
    }
    return render(request, "dashboard.html", figures=figures, charts=charts)


def register(app: Sanic) -> None:
    app.add_route(show, "/dashboard", methods=["GET"])
