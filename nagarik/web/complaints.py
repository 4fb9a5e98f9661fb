"""The complaint queue (filters, sorting, paging, bulk actions, CSV) and one complaint's page."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import quote, urlencode

from sanic import Sanic, response
from sanic.request import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from nagarik.db.complaints import STATUSES, TRANSITIONS, TransitionError, change_status
from nagarik.db.models import Attachment, Complaint, WardRecord, utcnow
from nagarik.db.officers import SignedIn, acting_officers, assignable_officers, audit
from nagarik.db.queue import (
    PAGE_SIZE, SORTS, ComplaintFilter, QueueRow, add_staff_note, assign, assignee_of, queue_page, queue_rows, staff_notes,
)
from nagarik.references import canonical_reference
from nagarik.settings import city_settings
from nagarik.vocabulary import status_name
from nagarik.web.i18n import LANGUAGE_NAMES, translator
from nagarik.web.pages import (
    department_names, in_db, language_of, mask_phone, officer_of, render, render_with_flash, sla_left, with_flash,
)
from nagarik.web.svg import ward_map
from nagarik.wards import city_wards, ward_by_number

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# What an officer may attach, told apart by the file's first bytes, not by its name.
SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg", ".jpg"), (b"\x89PNG\r\n\x1a\n", "image/png", ".png"), (b"%PDF-", "application/pdf", ".pdf"))
NEEDS_REASON = ("rejected", "reopened")


class Refusal(Exception):
    """Bad input or a forbidden change: shown on the page, nothing stored."""

    def __init__(self, key: str, code: int = 400, **values: Any) -> None:
        super().__init__(key)
        self.key, self.code, self.values = key, code, values


# ---------------------------------------------------------------- the queue


def _int(value: str, what: str, problems: List[str]) -> Optional[int]:
    if not value:
        return None
    if value.strip().isdigit():
        return int(value)
    problems.append(f"{what} {value!r}")
    return None


def _date(value: str, what: str, problems: List[str]) -> Optional[date]:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{what} {value!r}")
        return None


def parse_filter(args, officer: SignedIn) -> Tuple[ComplaintFilter, List[str]]:
    """The queue's filter from the query string; what could not be read is listed, not guessed."""
    problems: List[str] = []
    status = args.get("status", "")
    if status and status not in STATUSES:
        problems.append(f"status {status!r}")
        status = ""
    chosen = ComplaintFilter(
        status=status or None,
        ward=_int(args.get("ward", ""), "ward", problems),
        category=args.get("category") or None,
        department=args.get("department") or None,
        assignee_id=officer.id if args.get("mine") == "1" else None,
        overdue=args.get("overdue") == "1",
        created_from=_date(args.get("from", ""), "from", problems),
        created_to=_date(args.get("to", ""), "to", problems),
        search=args.get("q", "")[:100],
        sort=args.get("sort") if args.get("sort") in SORTS else "created",
        descending=args.get("desc") == "1",
        timezone=city_settings().timezone,
    )
    return chosen, problems


def _phone_for(officer: SignedIn, phone: str) -> str:
    """Those who act on a complaint (every acting officer only sees complaints in their scope) see the number."""
    return phone if officer.acts else mask_phone(phone)


async def queue(request: Request) -> response.HTTPResponse:
    officer = officer_of(request)
    chosen, problems = parse_filter(request.args, officer)
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    language = language_of(request)

    def work(session: Session):
        rows, total = queue_page(session, chosen, officer.scope.clause(), page)
        return rows, total, department_names(session, language), acting_officers(session) if officer.acts else []

    rows, total, departments, officers = await in_db(request, work)
    now, t = utcnow(), translator(language)
    # The filter as given, for the page links, the sort links and the CSV link.
    plain_query = {key: values[0] for key, values in request.args.items() if key != "page"}
    errors = [t("bad_input", what=", ".join(problems))] if problems else []
    return render_with_flash(
        request, "queue.html", rows=[_row_view(r, officer, now, t) for r in rows], total=total, page=page,
        pages=max(1, -(-total // PAGE_SIZE)), args=plain_query, query=urlencode(plain_query), departments=departments,
        unsorted_query=urlencode({k: v for k, v in plain_query.items() if k not in ("sort", "desc")}), sorted_by=chosen.sort,
        descending=chosen.descending,
        statuses=STATUSES, sorts=tuple(SORTS), officers=officers, errors=errors,
    )


def _row_view(row: QueueRow, officer: SignedIn, now, t) -> Dict[str, Any]:
    return {"row": row, "phone": _phone_for(officer, row.phone), "overdue": row.overdue(now),
            "sla": sla_left(row.due_at, row.status, now, t)}


async def export_csv(request: Request) -> response.HTTPResponse:
    officer = officer_of(request)
    chosen, _ = parse_filter(request.args, officer)

    def work(session: Session) -> List[QueueRow]:
        rows = queue_rows(session, chosen, officer.scope.clause())
        audit(session, officer, "export_csv", detail=f"{len(rows)} complaints; filter {dict(request.args)}")
        return rows

    rows, now = await in_db(request, work), utcnow()
    out = io.StringIO()
    out.write("\ufeff")  # spreadsheet programs then read the Hindi and Bengali text as UTF-8
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ref", "status", "category", "department", "ward", "locality", "language", "citizen",
                     "created_at", "due_at", "assignee", "overdue"])
    for r in rows:
        writer.writerow([r.reference, r.status, r.category, r.department, r.ward, r.locality, r.language,
                         _phone_for(officer, r.phone), r.created_at.isoformat(), r.due_at.isoformat() if r.due_at else "",
                         r.assignee or "", "yes" if r.overdue(now) else "no"])
    return response.text(out.getvalue(), content_type="text/csv; charset=utf-8",
                         headers={"Content-Disposition": 'attachment; filename="complaints.csv"'})


# ---------------------------------------------------------------- changing complaints


def _in_scope(session: Session, officer: SignedIn, reference: str) -> Complaint:
    canonical = canonical_reference(reference) or ""
    complaint = session.execute(
        select(Complaint).where(Complaint.reference == canonical, officer.scope.clause())
    ).scalar_one_or_none()
    if complaint is None:
        raise Refusal("not_found", 404, reference=reference[:20])
    return complaint


def _acting(session: Session, officer: SignedIn, reference: str, seen: Optional[str] = None) -> Complaint:
    complaint = _in_scope(session, officer, reference)
    if not officer.acts:
        raise Refusal("not_allowed", 403)
    if seen is not None and seen != complaint.updated_at.isoformat():
        raise Refusal("changed_meanwhile", 409)
    return complaint


def move(session: Session, officer: SignedIn, reference: str, to_status: str, note: str, seen: Optional[str],
         language: str) -> Complaint:
    """A status change by an officer, with the lifecycle's rules turned into messages for the page."""
    complaint = _acting(session, officer, reference, seen)
    allowed = TRANSITIONS[complaint.status]
    if to_status not in allowed:
        names = ", ".join(status_name(s, language) for s in sorted(allowed)) or "-"
        raise Refusal("transition_refused", 400, current=status_name(complaint.status, language), allowed=names)
    if to_status in NEEDS_REASON and not note.strip():
        raise Refusal("needs_reason", 400, status=status_name(to_status, language))
    previous = complaint.status
    try:
        change_status(session, complaint, to_status, actor=officer.name, note=note.strip() or None)
    except TransitionError as error:  # someone else's change won the race since we read it
        raise Refusal("changed_meanwhile", 409) from error
    audit(session, officer, "change_status", complaint.reference, f"{previous} -> {to_status}" + (f"; {note.strip()}" if note.strip() else ""))
    return complaint


def assign_to(session: Session, officer: SignedIn, reference: str, assignee_id: Optional[int], seen: Optional[str]) -> str:
    """Assign (or reassign) a complaint; a received or reopened one also becomes 'assigned' (the citizen is told)."""
    complaint = _acting(session, officer, reference, seen)
    candidates = dict(assignable_officers(session, complaint.department_code, complaint.ward))
    if assignee_id not in candidates:
        raise Refusal("unknown_officer", 400)
    previous = assign(session, complaint, assignee_id, officer.name)
    if complaint.status in ("received", "reopened"):
        change_status(session, complaint, "assigned", actor=officer.name)
    audit(session, officer, "assign", complaint.reference, f"{previous or '-'} -> {candidates[assignee_id]}")
    return candidates[assignee_id]


def _refusal_text(request: Request, refusal: Refusal) -> str:
    return translator(language_of(request))(refusal.key, **refusal.values)


async def bulk(request: Request) -> response.HTTPResponse:
    """Assign or move every selected complaint, each in its own transaction; says which failed and why."""
    officer, form = officer_of(request), request.form
    language, t = language_of(request), translator(language_of(request))
    references = form.getlist("ref") or []
    back = "/complaints?" + form.get("back", "")
    if not references:
        return with_flash(response.redirect(back), [t("none_selected")])
    done: List[str] = []
    failed: List[str] = []
    assignee = form.get("assignee", "")
    for reference in references[:500]:
        try:
            if form.get("operation") == "assign":
                await in_db(request, lambda s: assign_to(s, officer, reference, int(assignee) if assignee.isdigit() else None, None))
            else:
                await in_db(request, lambda s: move(s, officer, reference, form.get("status", ""), form.get("note", ""), None, language))
            done.append(reference)
        except Refusal as refusal:
            failed.append(t("bulk_failed", reference=reference[:20], reason=_refusal_text(request, refusal)))
    messages = ([t("bulk_done", count=len(done), references=", ".join(done))] if done else []) + failed
    return with_flash(response.redirect(back), messages)


# ---------------------------------------------------------------- one complaint


def _boundary(session: Session, ward: Optional[int]):
    if ward is None:
        return None
    record = session.get(WardRecord, ward)
    if record is not None:
        return record.boundary
    from_file = ward_by_number(city_wards(), ward)  # wards not loaded yet: the wards file, as the assistant does
    return from_file.boundary if from_file else None


def complaint_view(session: Session, officer: SignedIn, reference: str, language: str) -> Dict[str, Any]:
    complaint = _in_scope(session, officer, reference)
    pin = (complaint.longitude, complaint.latitude) if complaint.latitude is not None and complaint.longitude is not None else None
    assignee = assignee_of(session, complaint.id)
    return {
        "c": complaint,
        "phone": _phone_for(officer, complaint.citizen.phone),
        "department": department_names(session, language).get(complaint.department_code, complaint.department_code),
        "events": list(complaint.events),
        "citizen_notes": list(complaint.notes),
        "attachments": [(a.id, a.media_type, a.caption, Path(a.path).name) for a in complaint.attachments],
        "staff_notes": staff_notes(session, complaint.id),
        "assignee": assignee[1] if assignee else None,
        "assignable": assignable_officers(session, complaint.department_code, complaint.ward) if officer.acts else [],
        "transitions": sorted(TRANSITIONS[complaint.status]),
        "map": ward_map(_boundary(session, complaint.ward), pin),
        "seen": complaint.updated_at.isoformat(),
        "citizen_language": LANGUAGE_NAMES.get(complaint.language, complaint.language),
    }


async def show(request: Request, reference: str, errors: Optional[List[str]] = None, status: int = 200) -> response.HTTPResponse:
    officer, language = officer_of(request), language_of(request)
    try:
        view = await in_db(request, lambda session: complaint_view(session, officer, reference, language))
    except Refusal as refusal:
        return render(request, "message.html", status=refusal.code, message=_refusal_text(request, refusal))
    now = utcnow()
    return render_with_flash(request, "complaint.html", status=status, errors=errors or [], now=now, needs_reason=NEEDS_REASON,
                                sla=sla_left(view["c"].due_at, view["c"].status, now, translator(language)), **view)


async def _act(request: Request, reference: str, work, success) -> response.HTTPResponse:
    """Run a change; on success back to the complaint with a message, on refusal the page with the reason."""
    try:
        outcome = await in_db(request, work)
    except Refusal as refusal:
        if refusal.code == 404:
            return render(request, "message.html", status=404, message=_refusal_text(request, refusal))
        return await show(request, reference, [_refusal_text(request, refusal)], refusal.code)
    return with_flash(response.redirect(f"/complaints/{quote(canonical_reference(reference) or reference)}"), [success(outcome)])


async def change(request: Request, reference: str) -> response.HTTPResponse:
    officer, form, language = officer_of(request), request.form, language_of(request)
    t, to_status = translator(language), form.get("status", "")
    return await _act(
        request, reference,
        lambda s: move(s, officer, reference, to_status, form.get("note", ""), form.get("seen", ""), language),
        lambda c: t("status_changed", status=status_name(to_status, language),
                    language=LANGUAGE_NAMES.get(c.language, c.language)),
    )


async def assign_one(request: Request, reference: str) -> response.HTTPResponse:
    officer, form, t = officer_of(request), request.form, translator(language_of(request))
    assignee = form.get("assignee", "")
    return await _act(
        request, reference,
        lambda s: assign_to(s, officer, reference, int(assignee) if assignee.isdigit() else None, form.get("seen", "")),
        lambda name: t("assigned_to", name=name),
    )


def _note(session: Session, officer: SignedIn, reference: str, text: str) -> None:
    complaint = _acting(session, officer, reference)
    if not text.strip():
        raise Refusal("note_empty", 400)
    add_staff_note(session, complaint, officer.id, text[:5000])
    audit(session, officer, "staff_note", complaint.reference)


async def note(request: Request, reference: str) -> response.HTTPResponse:
    officer, t = officer_of(request), translator(language_of(request))
    text = request.form.get("text", "")
    return await _act(request, reference, lambda s: _note(s, officer, reference, text), lambda _: t("note_added"))


def _kind(body: bytes) -> Tuple[str, str]:
    for signature, media_type, suffix in SIGNATURES:
        if body.startswith(signature):
            return media_type, suffix
    raise Refusal("upload_bad_type", 400)


def _attach(session: Session, officer: SignedIn, reference: str, upload, media: Path) -> None:
    complaint = _acting(session, officer, reference)
    if upload is None or not upload.body:
        raise Refusal("upload_missing", 400)
    if len(upload.body) > MAX_ATTACHMENT_BYTES:
        raise Refusal("upload_too_big", 413)
    media_type, suffix = _kind(upload.body)
    folder = media / "officers"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{suffix}"
    path.write_bytes(upload.body)
    session.add(Attachment(complaint_id=complaint.id, media_type=media_type, path=str(path.resolve()),
                           caption=(upload.name or "")[:200] or None))
    audit(session, officer, "attach", complaint.reference, f"{media_type}, {len(upload.body)} bytes")


async def upload(request: Request, reference: str) -> response.HTTPResponse:
    officer, t = officer_of(request), translator(language_of(request))
    file = request.files.get("file") if request.files else None
    return await _act(request, reference, lambda s: _attach(s, officer, reference, file, request.app.ctx.media),
                      lambda _: t("attached"))


def _attachment_file(session: Session, officer: SignedIn, reference: str, attachment_id: int, media: Path):
    complaint = _in_scope(session, officer, reference)
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.complaint_id != complaint.id:
        raise Refusal("page_not_found", 404)
    path = Path(attachment.path).resolve()
    # Only files under the media folder are ever served, whatever a row says.
    if not path.is_relative_to(media.resolve()) or not path.is_file():
        raise Refusal("page_not_found", 404)
    audit(session, officer, "view_attachment", complaint.reference, str(attachment_id))
    return path, attachment.media_type


async def attachment(request: Request, reference: str, attachment_id: int) -> response.HTTPResponse:
    officer = officer_of(request)
    try:
        path, media_type = await in_db(
            request, lambda s: _attachment_file(s, officer, reference, attachment_id, request.app.ctx.media))
    except Refusal as refusal:
        return render(request, "message.html", status=404, message=_refusal_text(request, refusal))
    inline = media_type in ("image/jpeg", "image/png", "application/pdf")
    return await response.file(
        str(path), mime_type=media_type if inline else "application/octet-stream",
        headers={"X-Content-Type-Options": "nosniff", "Content-Disposition": "inline" if inline else "attachment",
                 "Cache-Control": "private, no-store"},
    )


def register(app: Sanic) -> None:
    app.add_route(queue, "/complaints", methods=["GET"])
    app.add_route(export_csv, "/complaints.csv", methods=["GET"])
    app.add_route(bulk, "/complaints/bulk", methods=["POST"])
    app.add_route(show, "/complaints/<reference:str>", methods=["GET"])
    app.add_route(change, "/complaints/<reference:str>/status", methods=["POST"])
    app.add_route(assign_one, "/complaints/<reference:str>/assign", methods=["POST"])
    app.add_route(note, "/complaints/<reference:str>/notes", methods=["POST"])
    app.add_route(upload, "/complaints/<reference:str>/attachments", methods=["POST"])
    app.add_route(attachment, "/complaints/<reference:str>/attachments/<attachment_id:int>", methods=["GET"])
