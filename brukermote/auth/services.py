from __future__ import annotations

import secrets
from functools import lru_cache

import sqlalchemy as sa

from ..extensions import db
from . import passwords, sessions
from .models import User, _hasher
from .passwords import MIN_PASSWORD_LENGTH  # noqa: F401  (the forms' and templates' number)
from .sessions import EndReason


class UserError(ValueError):
    pass


def find_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def check_new_password(password: str) -> None:
    problem = passwords.problem(password)
    if problem:
        raise UserError(passwords.ENGLISH[problem])


def create_user(email: str, name: str, password: str, *, admin: bool = False, confidential: bool = False) -> User:
    email = email.strip().lower()
    if find_by_email(email):
        raise UserError(f"A user with e-mail {email} already exists.")
    check_new_password(password)
    user = User(email=email, name=name.strip(), is_admin=admin, is_confidential=confidential)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def members() -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.is_active_member.is_(True)).order_by(User.name)))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(24))


def authenticate(email: str, password: str) -> User | None:
    """The active member with this e-mail and password, else None.

    Every path verifies one argon2 hash — a dummy one for an unknown address — so the time taken
    does not tell an attacker which addresses have accounts.
    """
    user = find_by_email(email)
    if user is None:
        try:
            _hasher.verify(_dummy_hash(), password)
        except Exception:  # noqa: BLE001 - a mismatch, as intended
            pass
        return None
    ok = user.check_password(password)
    return user if ok and user.is_active_member else None


def change_own_password(user: User, current: str, new: str) -> None:
    """The member's own change: needs the current password; ends every session of the account
    (the view starts a new one for the browser that made the change). Flushes."""
    if not user.check_password(current):
        raise UserError("The current password is wrong.")
    check_new_password(new)
    user.set_password(new)
    sessions.end_all(user, EndReason.password)


def reset_password(user: User, new: str) -> None:
    """An administrator's reset: every session and remembered device of the account ends. Flushes."""
    check_new_password(new)
    user.set_password(new)
    sessions.end_all(user, EndReason.password)


def set_active(user: User, active: bool) -> None:
    """Deactivating ends every session at once (not at the member's next sign-in). Flushes."""
    if user.is_active_member and not active:
        sessions.end_all(user, EndReason.deactivated)
    user.is_active_member = active


def sign_out_everywhere(user: User) -> int:
    """Every session and "keep me signed in" token of the account ends; how many there were."""
    return sessions.end_all(user, EndReason.everywhere)
