"""The audit log: every action in the workspace, for administrators only."""

from __future__ import annotations

from sanic import Sanic, response
from sanic.request import Request
from sqlalchemy import select

from nagarik.db.models import AuditEntry
from nagarik.web.pages import in_db, message_page, officer_of, render

SHOWN = 300


async def audit_log(request: Request) -> response.HTTPResponse:
    if not officer_of(request).is_admin:
        return message_page(request, "not_allowed", 403)
    who = request.args.get("officer", "")

    def entries(session):
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(SHOWN)
        if who:
            query = query.where(AuditEntry.officer_name == who)
        return list(session.execute(query).scalars())

    return render(request, "audit.html", entries=await in_db(request, entries), who=who)


def register(app: Sanic) -> None:
    app.add_route(audit_log, "/audit", methods=["GET"])
