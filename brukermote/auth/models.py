from __future__ import annotations

import datetime as dt
import os
import secrets

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..config import production
from ..core.models import TimestampMixin, UTCDateTime
from ..core.timeutil import utcnow
from ..extensions import db

#: Set by the test suite alone: hundreds of test users each hashed with 64 MiB and three passes cost
#: minutes. Ignored in production, so a stray variable cannot weaken real accounts.
CHEAP_HASH_FOR_TESTS = "BRUKERMOTE_CHEAP_PASSWORD_HASH_FOR_TESTS"


def password_hasher() -> PasswordHasher:
    """argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile: 64 MiB, 3 passes, 4 lanes);
    the cheapest argon2id parameters only when the test suite asks and the app is not in production."""
    if os.environ.get(CHEAP_HASH_FOR_TESTS) == "1" and not production():
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


_hasher = password_hasher()


class User(UserMixin, TimestampMixin, db.Model):
    """A committee member who signs in. Participants never have accounts."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Sign-in name; an e-mail address, stored lower-case.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True, nullable=False)
    #: Name shown to other members and on task assignments.
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    #: argon2id hash; never the password.
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    #: May manage users, the checklist template and the organisation's settings.
    is_admin: Mapped[bool] = mapped_column(default=False)
    #: Bound by professional secrecy (taushetsplikt): may see participants' personal data.
    is_confidential: Mapped[bool] = mapped_column(default=False)
    #: Deactivated members cannot sign in; their history stays.
    is_active_member: Mapped[bool] = mapped_column(default=True)
    #: Preferred UI language ("nb" or "en").
    locale: Mapped[str] = mapped_column(sa.String(8), default="nb")
    #: Secret for the private calendar feed; rotating it revokes old links.
    calendar_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, default=lambda: secrets.token_urlsafe(32)
    )
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    def set_password(self, password: str) -> None:
        self.password_hash = _hasher.hash(password)

    def check_password(self, password: str) -> bool:
        try:
            ok = _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if ok and _hasher.check_needs_rehash(self.password_hash):
            self.set_password(password)
        return ok

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_member

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class UserSession(db.Model):
    """One sign-in on one browser, known to the server (ASVS V3): signing out, a new password or a
    deactivated account ends it, and a copy of the cookie is then worth nothing.

    The browser holds random secrets; the server only their SHA-256, so a leaked database or backup
    signs nobody in. A row with a remember token is also the device's "keep me signed in": when the
    browser comes back without a session the token (rotated at each use) starts the next one on the
    same row. Ended rows stay a while so a replayed cookie can be told why it was signed out.
    """

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: SHA-256 (hex) of the session secret kept in the signed Flask session cookie.
    sid_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: SHA-256 of the current "keep me signed in" token, if the member ticked it.
    remember_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    #: The token it replaced: a second tab racing the first with the old cookie is left alone.
    previous_remember_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    #: "Keep me signed in" ends here however often it is used (30 days from signing in).
    remember_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Updated at most once a minute; idle expiry counts from here.
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: "Firefox on Windows": enough to tell one's devices apart, not a fingerprint.
    device: Mapped[str] = mapped_column(sa.String(80), default="")
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Why it ended (``sessions.EndReason``), shown on the sign-in page to whoever comes back with it.
    end_reason: Mapped[str | None] = mapped_column(sa.String(20))

    user: Mapped[User] = relationship(User)


class LoginAttempt(db.Model):
    """A sign-in attempt, counted by every worker alike when there is no Redis (``auth.throttle``)."""

    __tablename__ = "login_attempt"
    __table_args__ = (sa.Index("ix_login_attempt_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: HMAC of "address:1.2.3.4" or "account:name@example.org" (neither stored in the clear).
    key: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
