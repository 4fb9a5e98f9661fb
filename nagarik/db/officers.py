"""Officers of the web workspace: accounts, roles and scopes, sessions, login throttling, the audit log.

A department officer sees and acts on their department's complaints only, a ward officer
on their wards', an admin on all; a viewer reads (its scope if it has one, else all) and
sees citizens' numbers masked. Passwords are hashed with Argon2 (argon2-cffi).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timedelta
from typing import List, Optional, Sequence, Tuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import and_, delete, false, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from nagarik.db.models import AuditEntry, Complaint, Department, LoginFailure, Officer, OfficerSession, utcnow
from nagarik.language import LANGUAGES

ROLES = ("admin", "department", "ward", "viewer")
ACTING_ROLES = frozenset({"admin", "department", "ward"})
SESSION_HOURS = 8
# After this many wrong passwords in a row a name must wait, twice as long after each further one.
FREE_FAILURES = 5
FIRST_WAIT_SECONDS = 30
LONGEST_WAIT_SECONDS = 900
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so that a wrong name costs as long as a wrong password
    (made on first use: hashing takes tens of milliseconds, which every `nagarik` command would pay)."""
    return _hasher.hash("not a password of anyone")


class AccountError(ValueError):
    """An account cannot be created or changed as asked; the message says why."""


@dataclass(frozen=True)
class Scope:
    """Which complaints an officer may see: everything, a department's, or some wards'."""

    department: Optional[str] = None
    wards: Optional[Tuple[int, ...]] = None

    def clause(self) -> ColumnElement:
        conditions = []
        if self.department is not None:
            conditions.append(Complaint.department_code == self.department)
        if self.wards is not None:
            conditions.append(Complaint.ward.in_(self.wards) if self.wards else false())
        return and_(*conditions) if conditions else true()

    def covers(self, department: str, ward: Optional[int]) -> bool:
        if self.department is not None and department != self.department:
            return False
        return self.wards is None or ward in self.wards

    def covers_ward(self, ward: int) -> bool:
        return self.wards is None or ward in self.wards


@dataclass(frozen=True)
class SignedIn:
    """The officer behind a request, as plain values (the ORM session is closed by then)."""

    id: int
    name: str
    role: str
    department: Optional[str]
    wards: Tuple[int, ...]
    language: str
    csrf_token: str

    @property
    def scope(self) -> Scope:
        return Scope(self.department, self.wards if self.role == "ward" or (self.role == "viewer" and self.wards) else None)

    @property
    def acts(self) -> bool:
        """May change complaints (and sees the citizens' numbers of those in scope)."""
        return self.role in ACTING_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def add_officer(
    session: Session,
    name: str,
    password: str,
    role: str,
    department: Optional[str] = None,
    wards: Sequence[int] = (),
    language: str = "en",
) -> Officer:
    name = name.strip()
    if not name or len(name) > 100:
        raise AccountError("a name is 1 to 100 characters")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; roles are: {', '.join(ROLES)}")
    if role == "department" and not department:
        raise AccountError("a department officer needs --department CODE")
    if role == "ward" and not wards:
        raise AccountError("a ward officer needs --ward N (one or more)")
    if department and session.get(Department, department) is None:
        known = ", ".join(session.execute(select(Department.code).order_by(Department.code)).scalars())
        raise AccountError(f"unknown department {department!r}; departments are: {known}")
    if language not in LANGUAGES:
        raise AccountError(f"unknown language {language!r}; use one of {', '.join(LANGUAGES)}")
    if session.execute(select(Officer.id).where(Officer.name == name)).first():
        raise AccountError(f"there is already an officer called {name!r}")
    officer = Officer(
        name=name, password_hash=hash_password(password), role=role, department_code=department or None,
        wards=sorted(set(int(w) for w in wards)), language=language, active=1,
    )
    session.add(officer)
    session.flush()
    return officer


def disable_officer(session: Session, name: str) -> None:
    """No more logging in, and every session of theirs ends now; their history and audit entries stay."""
    officer = session.execute(select(Officer).where(Officer.name == name)).scalar_one_or_none()
    if officer is None:
        raise AccountError(f"there is no officer called {name!r}")
    officer.active = 0
    session.execute(delete(OfficerSession).where(OfficerSession.officer_id == officer.id))


def signed_in(officer: Officer, csrf_token: str) -> SignedIn:
    return SignedIn(officer.id, officer.name, officer.role, officer.department_code,
                    tuple(officer.wards or ()), officer.language, csrf_token)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class LoginResult:
    token: Optional[str] = None  # the session cookie's value when the password was right
    wait_seconds: int = 0  # > 0: too many wrong passwords, nothing was checked


def _wait_left(failure: Optional[LoginFailure], now: datetime) -> int:
    if failure is None or failure.blocked_until is None or failure.blocked_until <= now:
        return 0
    return int((failure.blocked_until - now).total_seconds()) + 1


def log_in(session: Session, name: str, password: str, now: Optional[datetime] = None) -> LoginResult:
    """A new session for the right password; wrong ones are counted per name and slowed down."""
    now = now or utcnow()
    key = name.strip().lower()[:100]
    failure = session.get(LoginFailure, key)
    wait = _wait_left(failure, now)
    if wait:
        return LoginResult(wait_seconds=wait)
    officer = session.execute(select(Officer).where(Officer.name == name.strip(), Officer.active == 1)).scalar_one_or_none()
    if officer is None or not _verified(officer.password_hash if officer else _dummy_hash(), password):
        _count_failure(session, failure, key, now)
        return LoginResult()
    if failure is not None:
        session.delete(failure)
    token = secrets.token_urlsafe(32)
    session.add(OfficerSession(token_hash=_token_hash(token), officer_id=officer.id, csrf_token=secrets.token_urlsafe(32),
                               created_at=now, expires_at=now + timedelta(hours=SESSION_HOURS)))
    session.execute(delete(OfficerSession).where(OfficerSession.expires_at < now))
    return LoginResult(token=token)


def _verified(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(session: Session, failure: Optional[LoginFailure], key: str, now: datetime) -> None:
    if failure is None:
        failure = LoginFailure(name=key, failures=0)
        session.add(failure)
    failure.failures += 1
    extra = failure.failures - FREE_FAILURES
    if extra >= 0:
        failure.blocked_until = now + timedelta(seconds=min(FIRST_WAIT_SECONDS * 2 ** extra, LONGEST_WAIT_SECONDS))


def session_officer(session: Session, token: str, now: Optional[datetime] = None) -> Optional[SignedIn]:
    """The officer of a live session cookie; None for an unknown, expired or disabled one."""
    if not token:
        return None
    row = session.get(OfficerSession, _token_hash(token))
    if row is None or row.expires_at <= (now or utcnow()) or not row.officer.active:
        return None
    return signed_in(row.officer, row.csrf_token)


def log_out(session: Session, token: str) -> None:
    session.execute(delete(OfficerSession).where(OfficerSession.token_hash == _token_hash(token)))


def set_language(session: Session, officer_id: int, language: str) -> None:
    if language not in LANGUAGES:
        raise AccountError(f"unknown language {language!r}")
    session.get(Officer, officer_id).language = language


def audit(session: Session, officer: SignedIn, action: str, target: Optional[str] = None, detail: str = "") -> None:
    session.add(AuditEntry(officer_id=officer.id, officer_name=officer.name, action=action, target=target,
                           detail=detail or None))


def acting_officers(session: Session) -> List[Tuple[int, str]]:
    """Everyone who may be given complaints (bulk assignment checks each complaint's scope): (id, name)."""
    query = select(Officer.id, Officer.name).where(Officer.active == 1, Officer.role.in_(ACTING_ROLES)).order_by(Officer.name)
    return [(row[0], row[1]) for row in session.execute(query)]


def assignable_officers(session: Session, department: str, ward: Optional[int]) -> List[Tuple[int, str]]:
    """Active acting officers whose scope covers a complaint of this department and ward: (id, name)."""
    officers = session.execute(
        select(Officer).where(Officer.active == 1, Officer.role.in_(ACTING_ROLES)).order_by(Officer.name)
    ).scalars()
    return [(o.id, o.name) for o in officers if signed_in(o, "").scope.covers(department, ward)]
