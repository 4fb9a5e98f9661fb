"""`nagarik`: the officers' command line over the complaint database.

    nagarik complaints list [--status S] [--ward N] [--category C] [--department D] [--json]
    nagarik complaints show REF [--json]
    nagarik complaints update REF --status S [--note TEXT] [--by NAME]
    nagarik complaints export --format csv|json
    nagarik feedback list [--json]
    nagarik city load [FILE] [--wards WARDS_FILE]
    nagarik wards show N [--json] [--file F] | wards check [--file F] | wards subscribers N
    nagarik notices publish --ward N (--text T | --en T --hi T --bn T) | notices list --ward N
    nagarik covid publish ... | covid show

The database is DATABASE_URL (or --database); see nagarik/db/session.py.
Exit status: 0 done, 1 refused (unknown reference, transition not allowed,
bad city file), 2 wrong usage.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from dataclasses import asdict
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import select, true
from sqlalchemy.orm import Session, selectinload

from nagarik.covid import Figures
from nagarik.db.catalog import load_catalog
from nagarik.db.covid import store_figures, stored_figures
from nagarik.db.notices import latest_notices, publish_notice
from nagarik.db.complaints import STATUSES, TransitionError, change_status, media_kind
from nagarik.db.models import Complaint, Feedback, Notification
from nagarik.db.queue import ComplaintFilter, filtered, ordered
from nagarik.db.session import database_url, session_scope
from nagarik.references import canonical_reference
from nagarik.settings import ConfigError, city_file, city_settings, read_city_file
from nagarik.db.wards import replace_wards, stored_wards, subscribers
from nagarik.wards import Ward, parse_wards, ward_by_number, wards_file
from nagarik.web.cli import add_web_commands

EXPORT_FIELDS = (
    "ref", "citizen", "category", "department", "ward", "locality", "landmark", "latitude", "longitude", "description",
    "status", "language", "created_at", "due_at", "rating", "updated_at", "attachments", "citizen_notes",
)
# What `show` prints as lines of their own, after the complaint's fields.
DETAIL_LISTS = ("history", "citizen_notes", "attachments", "notifications")


class Refused(Exception):
    """The command was understood but cannot be carried out; the message says why."""


def _iso(value) -> Optional[str]:
    return value.isoformat() if value else None


def complaint_record(complaint: Complaint) -> Dict[str, Any]:
    return {
        "ref": complaint.reference,
        "citizen": complaint.citizen.phone,
        "category": complaint.category_code,
        "department": complaint.department_code,
        "ward": complaint.ward,
        "locality": complaint.locality,
        "landmark": complaint.landmark,
        "latitude": complaint.latitude,
        "longitude": complaint.longitude,
        "description": complaint.description,
        "status": complaint.status,
        "language": complaint.language,
        "created_at": _iso(complaint.created_at),
        "due_at": _iso(complaint.due_at),
        "rating": complaint.rating,
        "updated_at": _iso(complaint.updated_at),
    }


def _history(complaint: Complaint) -> List[Dict[str, Any]]:
    return [
        {"at": _iso(e.created_at), "from": e.from_status, "to": e.to_status, "by": e.actor, "note": e.note}
        for e in complaint.events
    ]


def _attachments(complaint: Complaint) -> List[Dict[str, Any]]:
    """Every photo or document stored with the complaint: kind, type, size and where the file is."""
    return [
        {"kind": a.kind or media_kind(a.media_type), "media_type": a.media_type, "size_bytes": a.size_bytes,
         "path": a.path, "filename": a.filename, "caption": a.caption, "at": _iso(a.created_at)}
        for a in sorted(complaint.attachments, key=lambda attachment: attachment.id)
    ]


def _notifications_of(session: Session, complaint_ids: Optional[List[int]] = None) -> Dict[int, List[Notification]]:
    """The messages queued for citizens about these complaints (all when None), sent or not, by complaint."""
    query = select(Notification).where(Notification.complaint_id.isnot(None)).order_by(Notification.id)
    if complaint_ids is not None:
        query = query.where(Notification.complaint_id.in_(complaint_ids))
    found: Dict[int, List[Notification]] = defaultdict(list)
    for notification in session.execute(query).scalars():
        found[notification.complaint_id].append(notification)
    return found


def complaint_details(complaint: Complaint, notifications: List[Notification]) -> Dict[str, Any]:
    """Everything stored about a complaint: its fields, history, the citizen's notes, attachments and
    notifications, and the key that made a retried submission file it once."""
    return {
        **complaint_record(complaint),
        "submission_key": complaint.submission_key,
        "history": _history(complaint),
        "citizen_notes": [{"at": _iso(n.created_at), "text": n.text} for n in complaint.notes],
        "attachments": _attachments(complaint),
        "notifications": [
            {"kind": n.kind, "language": n.language, "payload": n.payload, "created_at": _iso(n.created_at),
             "sent_at": _iso(n.sent_at), "attempts": n.attempts}
            for n in notifications
        ],
    }


def _csv_row(details: Dict[str, Any]) -> Dict[str, Any]:
    """One CSV line: the lists as text (attachments as "kind type bytes path", notes as their texts)."""
    row = {field: details.get(field) for field in EXPORT_FIELDS}
    row["attachments"] = "; ".join(
        f"{a['kind']} {a['media_type']} {_cell(a['size_bytes'])} {a['path']}" for a in details["attachments"]
    )
    row["citizen_notes"] = " | ".join(note["text"] for note in details["citizen_notes"])
    return row


def _find(session: Session, reference: str) -> Complaint:
    canonical = canonical_reference(reference)
    complaint = None
    if canonical:
        complaint = session.execute(select(Complaint).where(Complaint.reference == canonical)).scalar_one_or_none()
    if complaint is None:
        raise Refused(f"no complaint with reference {reference!r}")
    return complaint


def _listed(session: Session, args: argparse.Namespace) -> List[Complaint]:
    chosen = ComplaintFilter(status=args.status, ward=args.ward, category=args.category, department=args.department)
    query = ordered(select(Complaint).options(selectinload(Complaint.citizen)), chosen)
    return list(session.execute(filtered(query, chosen, scope=true())).scalars())


def _write_json(value: Any, out) -> None:
    json.dump(value, out, ensure_ascii=False, indent=2)
    out.write("\n")


def _cell(value: Any) -> str:
    return "-" if value is None else str(value)


def _print_table(rows: List[Dict[str, Any]], out) -> None:
    columns = ("ref", "status", "category", "ward", "department", "language", "created_at", "due_at")
    widths = {c: max([len(c)] + [len(_cell(r[c])) for r in rows]) for c in columns}
    out.write("  ".join(c.ljust(widths[c]) for c in columns).rstrip() + "\n")
    for row in rows:
        out.write("  ".join(_cell(row[c]).ljust(widths[c]) for c in columns).rstrip() + "\n")
    out.write(f"{len(rows)} complaint(s)\n")


def cmd_list(args: argparse.Namespace, out) -> None:
    with session_scope(args.database) as session:
        rows = [complaint_record(c) for c in _listed(session, args)]
    if args.json:
        _write_json(rows, out)
    else:
        _print_table(rows, out)


def cmd_show(args: argparse.Namespace, out) -> None:
    with session_scope(args.database) as session:
        complaint = _find(session, args.ref)
        record = complaint_details(complaint, _notifications_of(session, [complaint.id])[complaint.id])
    if args.json:
        _write_json(record, out)
        return
    for key, value in record.items():
        if key not in DETAIL_LISTS:
            out.write(f"{key:<14} {value if value is not None else '-'}\n")
    out.write("history:\n")
    for event in record["history"]:
        note = f"  ({event['note']})" if event["note"] else ""
        out.write(f"  {event['at']}  {event['from'] or '-'} -> {event['to']}  by {event['by']}{note}\n")
    if record["citizen_notes"]:
        out.write("added by the citizen:\n")
        for citizen_note in record["citizen_notes"]:
            out.write(f"  {citizen_note['at']}  {citizen_note['text']}\n")
    _print_attachments(record["attachments"], out)
    if record["notifications"]:
        out.write("notifications to the citizen:\n")
        for sent in record["notifications"]:
            state = f"sent {sent['sent_at']}" if sent["sent_at"] else f"not sent ({sent['attempts']} attempts)"
            out.write(f"  {sent['created_at']}  {sent['kind']} ({sent['language']}): {state}\n")


def _print_attachments(attachments: List[Dict[str, Any]], out) -> None:
    if not attachments:
        return
    out.write("attachments:\n")
    for a in attachments:
        size = f"{a['size_bytes']:,} bytes" if a["size_bytes"] is not None else "size unknown"
        named = f" ({a['filename']})" if a["filename"] else ""
        caption = f"  \"{a['caption']}\"" if a["caption"] else ""
        out.write(f"  {a['at']}  {a['kind']} {a['media_type']}, {size}{named}: {a['path']}{caption}\n")


def cmd_update(args: argparse.Namespace, out) -> None:
    try:
        with session_scope(args.database) as session:
            complaint = _find(session, args.ref)
            previous = complaint.status
            change_status(session, complaint, args.status, actor=args.by, note=args.note)
            reference = complaint.reference
    except TransitionError as error:
        raise Refused(str(error)) from error
    out.write(f"{reference}: {previous} -> {args.status}; the citizen will be notified\n")


def cmd_export(args: argparse.Namespace, out) -> None:
    with session_scope(args.database) as session:
        everything = select(Complaint).options(
            selectinload(Complaint.citizen), selectinload(Complaint.events), selectinload(Complaint.notes),
            selectinload(Complaint.attachments),
        ).order_by(Complaint.id)
        notifications = _notifications_of(session)
        rows = [complaint_details(c, notifications[c.id]) for c in session.execute(everything).scalars()]
    if args.format == "json":
        _write_json(rows, out)
        return
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_csv_row(row) for row in rows)


def cmd_feedback_list(args: argparse.Namespace, out) -> None:
    query = select(Feedback).options(selectinload(Feedback.citizen)).order_by(Feedback.created_at, Feedback.id)
    with session_scope(args.database) as session:
        rows = [
            {"citizen": f.citizen.phone, "text": f.text, "ward": f.ward, "category": f.category_code,
             "language": f.language, "created_at": _iso(f.created_at)}
            for f in session.execute(query).scalars()
        ]
    if args.json:
        _write_json(rows, out)
        return
    for row in rows:
        where = ", ".join(str(v) for v in (f"ward {row['ward']}" if row["ward"] else None, row["category"]) if v)
        out.write(f"{row['created_at']}  {row['citizen']}  [{row['language']}{'; ' + where if where else ''}]  {row['text']}\n")
    out.write(f"{len(rows)} feedback message(s)\n")


def cmd_city_load(args: argparse.Namespace, out) -> None:
    """Load a city file (departments, categories and its wards) or a wards file alone, all or nothing."""
    path = Path(args.file)
    try:
        raw = read_city_file(path)
    except ConfigError as error:
        raise Refused(f"{path}: {error}") from error
    is_wards_file = "wards" in raw and "departments" not in raw
    ward_file = path if is_wards_file else Path(args.wards) if args.wards else wards_file(path)
    wards, ward_path = _load_wards(str(ward_file))
    try:
        with session_scope(args.database) as session:
            if not is_wards_file:
                load_catalog(session, raw)
            replace_wards(session, wards)
    except ConfigError as error:
        raise Refused(f"{path}: {error}") from error
    if not is_wards_file:
        out.write(f"loaded departments and categories from {path}\n")
    with_boundary = sum(1 for ward in wards if ward.boundary)
    out.write(f"loaded {len(wards)} wards ({with_boundary} with boundaries) from {ward_path}\n")


def _as_of(text: Optional[str]) -> datetime:
    if not text:
        return datetime.now(timezone.utc)
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), timezone.utc)
    except ValueError as error:
        raise Refused(f"--as-of {text!r} is not a date like 2026-11-20") from error


def _covid_district(args: argparse.Namespace) -> Tuple[str, str]:
    city = city_settings()
    state, district = args.state or city.covid_state, args.district or city.covid_district
    if not state or not district:
        raise Refused("say --state and --district (the city file has no covid: state/district)")
    return state, district


def cmd_covid_publish(args: argparse.Namespace, out) -> None:
    state, district = _covid_district(args)
    counts = (args.confirmed, args.active, args.recovered, args.deceased, args.new)
    if any(count is not None and count < 0 for count in counts):
        raise Refused("counts cannot be negative")
    figures = Figures(state, district, args.confirmed, args.active, args.recovered, args.deceased,
                      as_of=_as_of(args.as_of), new_confirmed=args.new, source="bulletin")
    with session_scope(args.database) as session:
        store_figures(session, figures, published_by=args.by)
    out.write(f"published the COVID-19 bulletin for {district} ({state}) as of {figures.as_of.date()}\n")


def cmd_covid_show(args: argparse.Namespace, out) -> None:
    state, district = _covid_district(args)
    with session_scope(args.database) as session:
        figures = stored_figures(session, state, district)
    if figures is None:
        raise Refused(f"no COVID-19 figures stored for {district} ({state})")
    record = {**asdict(figures), "as_of": _iso(figures.as_of)}
    if args.json:
        _write_json(record, out)
        return
    for key, value in record.items():
        out.write(f"{key:<14} {value if value is not None else '-'}\n")


def _add_covid_commands(areas) -> None:
    covid = areas.add_parser("covid", help="district COVID-19 figures")
    covid_actions = covid.add_subparsers(dest="action", required=True)
    publish = covid_actions.add_parser("publish", help="publish a bulletin by hand (used when the feed is down or absent)")
    for name in ("confirmed", "active", "recovered", "deceased"):
        publish.add_argument(f"--{name}", type=int, required=True)
    publish.add_argument("--new", type=int, help="new cases since the last bulletin")
    publish.add_argument("--as-of", help="the bulletin's date, YYYY-MM-DD (default: today)")
    publish.add_argument("--by", default="officer", help="who published it")
    show = covid_actions.add_parser("show", help="the newest figures stored (feed or bulletin)")
    show.add_argument("--json", action="store_true")
    for command in (publish, show):
        command.add_argument("--state", help="default: the city file's covid.state")
        command.add_argument("--district", help="default: the city file's covid.district")
    publish.set_defaults(run=cmd_covid_publish)
    show.set_defaults(run=cmd_covid_show)


def _load_wards(path: Optional[str]):
    file = Path(path) if path else wards_file()
    try:
        return parse_wards(read_city_file(file)), file
    except ConfigError as error:
        raise Refused(f"{file}: {error}") from error


def _wards(args: argparse.Namespace) -> Tuple[Ward, ...]:
    """The wards of --file, else the ones loaded into the database, else the wards file."""
    if getattr(args, "file", None):
        return _load_wards(args.file)[0]
    with session_scope(args.database) as session:
        wards = stored_wards(session)
    if not wards:
        # What the assistant does too until the city is loaded: answer from the wards file.
        print(f"note: no wards loaded (run `nagarik city load`); using {wards_file()}", file=sys.stderr)
        wards = _load_wards(None)[0]
    return wards


def _ward(args: argparse.Namespace, number: int) -> Ward:
    wards = _wards(args)
    ward = ward_by_number(wards, number)
    if ward is None:
        raise Refused(f"there is no ward {number} (wards: {wards[0].number} to {wards[-1].number})")
    return ward


def cmd_wards_show(args: argparse.Namespace, out) -> None:
    ward = _ward(args, args.number)
    if args.json:
        _write_json(ward.as_record(), out)
        return
    out.write(f"ward {ward.number}: {ward.name['en']}\ncouncillor: {ward.councillor['en']}\n")
    out.write(f"office: {ward.office_address['en']}, {ward.office_phone}\n")
    out.write("committee: " + "; ".join(m["en"] for m in ward.committee) + "\n")
    out.write("localities: " + ", ".join(l["en"] for l in ward.localities) + "\n")
    out.write(f"boundary: {'yes' if ward.boundary else 'none'}\n")


def cmd_wards_subscribers(args: argparse.Namespace, out) -> None:
    ward = _ward(args, args.number)
    with session_scope(args.database) as session:
        phones = [(c.phone, c.preferred_language or "-") for c in subscribers(session, ward.number)]
    for phone, language in phones:
        out.write(f"{phone}  [{language}]\n")
    out.write(f"{len(phones)} subscriber(s) to ward {ward.number}'s notices\n")


def cmd_wards_check(args: argparse.Namespace, out) -> None:
    wards, file = _load_wards(args.file)
    localities = sum(len(w.localities) for w in wards)
    with_boundary = sum(1 for ward in wards if ward.boundary)
    out.write(f"{file}: {len(wards)} wards, {localities} localities, {with_boundary} boundaries, valid\n")


def cmd_notices_publish(args: argparse.Namespace, out) -> None:
    ward = _ward(args, args.ward)
    texts = {"all": args.text} if args.text else {"en": args.en, "hi": args.hi, "bn": args.bn}
    texts = {k: v for k, v in texts.items() if v}
    try:
        with session_scope(args.database) as session:
            queued = publish_notice(session, ward.number, texts, args.by)
    except ValueError as error:
        raise Refused(str(error)) from error
    out.write(f"published a notice for ward {ward.number}; queued for {queued} subscriber(s)\n")


def cmd_notices_list(args: argparse.Namespace, out) -> None:
    with session_scope(args.database) as session:
        rows = [
            {"ward": n.ward, "texts": n.texts, "by": n.published_by, "at": _iso(n.created_at)}
            for n in latest_notices(session, args.ward, limit=args.limit)
        ]
    if args.json:
        _write_json(rows, out)
        return
    for row in rows:
        out.write(f"{row['at']}  ward {row['ward']}  by {row['by']}: " + " | ".join(row["texts"].values()) + "\n")
    out.write(f"{len(rows)} notice(s)\n")


def _add_notice_commands(areas) -> None:
    notices = areas.add_parser("notices", help="ward notices that citizens see with their ward's information")
    notice_actions = notices.add_subparsers(dest="action", required=True)
    publish = notice_actions.add_parser("publish", help="publish a notice: --text for all languages, or --en/--hi/--bn")
    publish.add_argument("--ward", type=int, required=True)
    publish.add_argument("--text", help="one text shown as is in every language")
    for language in ("en", "hi", "bn"):
        publish.add_argument(f"--{language}", help=f"the notice in {language}")
    publish.add_argument("--by", default="officer", help="who published it")
    publish.set_defaults(run=cmd_notices_publish)
    listing = notice_actions.add_parser("list", help="a ward's notices, newest first")
    listing.add_argument("--ward", type=int, required=True)
    listing.add_argument("--limit", type=int, default=20)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_notices_list)


def _add_ward_commands(areas) -> None:
    wards = areas.add_parser("wards", help="the city's wards, as loaded by `nagarik city load`")
    ward_actions = wards.add_subparsers(dest="action", required=True)
    show = ward_actions.add_parser("show", help="one ward: councillor, office, committee, localities")
    show.add_argument("number", type=int)
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=cmd_wards_show)
    show.add_argument("--file", help="read this wards file instead of the database")
    check = ward_actions.add_parser("check", help="validate a wards file")
    check.add_argument("--file", help="default: NAGARIK_WARDS_FILE or the sample wards")
    check.set_defaults(run=cmd_wards_check)
    subscribed = ward_actions.add_parser("subscribers", help="who follows a ward's notices")
    subscribed.add_argument("number", type=int)
    subscribed.set_defaults(run=cmd_wards_subscribers)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nagarik", description="Nagarik officers' command line.")
    parser.add_argument("--database", default="", help="database URL (default: DATABASE_URL or nagarik.db)")
    areas = parser.add_subparsers(dest="area", required=True)

    complaints = areas.add_parser("complaints", help="list, show, update and export complaints")
    actions = complaints.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="complaints, oldest first")
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--ward", type=int)
    listing.add_argument("--category")
    listing.add_argument("--department")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_list)
    show = actions.add_parser("show", help="one complaint with its history")
    show.add_argument("ref")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=cmd_show)
    update = actions.add_parser("update", help="move a complaint to another status")
    update.add_argument("ref")
    update.add_argument("--status", required=True, choices=STATUSES)
    update.add_argument("--note", help="why; required for rejected and reopened")
    update.add_argument("--by", default="officer", help="who made the change")
    update.set_defaults(run=cmd_update)
    export = actions.add_parser("export", help="every complaint, as CSV or JSON on standard output")
    export.add_argument("--format", choices=("csv", "json"), required=True)
    export.set_defaults(run=cmd_export)

    feedback = areas.add_parser("feedback", help="suggestions and praise from citizens")
    feedback_actions = feedback.add_subparsers(dest="action", required=True)
    feedback_list = feedback_actions.add_parser("list", help="all feedback, oldest first")
    feedback_list.add_argument("--json", action="store_true")
    feedback_list.set_defaults(run=cmd_feedback_list)

    city = areas.add_parser("city", help="the city's data")
    city_actions = city.add_subparsers(dest="action", required=True)
    load = city_actions.add_parser("load", help="load a city file (departments, categories, wards) or a wards file")
    load.add_argument("file", nargs="?", default=str(city_file()), help="default: NAGARIK_CITY_FILE or the sample city")
    load.add_argument("--wards", help="the wards file (default: the city file's wards_file, NAGARIK_WARDS_FILE or the sample)")
    load.set_defaults(run=cmd_city_load)
    _add_covid_commands(areas)
    _add_ward_commands(areas)
    _add_notice_commands(areas)
    add_web_commands(areas)
    return parser


def main(argv: Optional[Sequence[str]] = None, out=None) -> int:
    args = build_parser().parse_args(argv)
    args.database = args.database or database_url()
    try:
        args.run(args, out or sys.stdout)
    except Refused as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
