from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from .models import User

MIN_PASSWORD_LENGTH = 10


class UserError(ValueError):
    pass


def find_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def create_user(email: str, name: str, password: str, *, admin: bool = False, confidential: bool = False) -> User:
    email = email.strip().lower()
    if find_by_email(email):
        raise UserError(f"A user with e-mail {email} already exists.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
    user = User(email=email, name=name.strip(), is_admin=admin, is_confidential=confidential)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def members() -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.is_active_member.is_(True)).order_by(User.name)))
