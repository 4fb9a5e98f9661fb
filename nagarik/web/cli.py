"""`nagarik users add|list` and `nagarik web`: the command line's part of the web workspace.

A password is read from standard input (typed twice at a terminal), never from an argument,
which other users of the machine could read in the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy import select

from nagarik.db.models import Officer
from nagarik.db.officers import ROLES, AccountError, add_officer, disable_officer
from nagarik.db.session import session_scope


def _read_password(stdin) -> str:
    if stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise AccountError("the two passwords differ")
        return first
    return stdin.readline().rstrip("\r\n")


def cmd_users_add(args: argparse.Namespace, out) -> None:
    from nagarik.cli import Refused  # nagarik.cli imports this module to register the commands

    try:
        password = _read_password(sys.stdin)
        with session_scope(args.database) as session:
            officer = add_officer(session, args.name, password, args.role, args.department, args.ward or (),
                                  args.language)
            scope = officer.department_code or ", ".join(map(str, officer.wards)) or "all complaints"
    except AccountError as error:
        raise Refused(str(error)) from error
    out.write(f"added {args.name} ({args.role}; {scope})\n")


def cmd_users_disable(args: argparse.Namespace, out) -> None:
    from nagarik.cli import Refused

    try:
        with session_scope(args.database) as session:
            disable_officer(session, args.name)
    except AccountError as error:
        raise Refused(str(error)) from error
    out.write(f"disabled {args.name}; their sessions have ended\n")


def cmd_users_list(args: argparse.Namespace, out) -> None:
    with session_scope(args.database) as session:
        officers = session.execute(select(Officer).order_by(Officer.name)).scalars().all()
        for o in officers:
            scope = o.department_code or ", ".join(map(str, o.wards)) or "-"
            out.write(f"{o.name}  {o.role}  {scope}  {o.language}{'' if o.active else '  (disabled)'}\n")
    out.write(f"{len(officers)} officer(s)\n")


def cmd_web(args: argparse.Namespace, out) -> None:
    from nagarik.web.app import create_app  # Sanic and the templates only when serving

    out.write(f"officers' workspace on http://{args.host}:{args.port}/\n")
    out.flush()
    app = create_app(args.database, secure_cookies=args.secure_cookies)
    app.run(host=args.host, port=args.port, access_log=False, workers=1, motd=False)


def add_web_commands(areas) -> None:
    users = areas.add_parser("users", help="officers' accounts for the web workspace")
    user_actions = users.add_subparsers(dest="action", required=True)
    add = user_actions.add_parser("add", help="add an officer; the password is read from standard input")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--department", help="the department's code (role department; optional for viewer)")
    add.add_argument("--ward", type=int, nargs="+", action="extend", help="the officer's ward(s) (role ward)")
    add.add_argument("--language", default="en", choices=("en", "hi", "bn"), help="the officer's pages' language")
    add.set_defaults(run=cmd_users_add)
    listing = user_actions.add_parser("list", help="every officer with role and scope")
    listing.set_defaults(run=cmd_users_list)
    disable = user_actions.add_parser("disable", help="end an officer's access (sessions end at once; history stays)")
    disable.add_argument("name")
    disable.set_defaults(run=cmd_users_disable)
    web = areas.add_parser("web", help="serve the officers' web workspace")
    web.add_argument("--port", type=int, default=8000)
    web.add_argument("--host", default="127.0.0.1")
    web.add_argument("--secure-cookies", action="store_true", help="behind HTTPS: cookies only over HTTPS")
    web.set_defaults(run=cmd_web)
