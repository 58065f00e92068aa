from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import TimestampMixin, UTCDateTime
from ..extensions import db

_hasher = PasswordHasher()


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
