"""What a member may do beyond planning: review a language, send SMS, print names and addresses.

Capabilities are granted per account by an administrator (the user page). Being an administrator
does not imply any of them: managing accounts is not reading Arabic, and an administrator who
should send or print grants it to themselves, which the audit log then shows. The one exception is
Norwegian (``nb``): every committee member works in Norwegian, the Norwegian texts are the
committee's own words, and they are what every other reader gets while their language is not
approved — so a reviewer of ``nb`` *or* any administrator may approve them, and a fresh
installation is never stuck without anyone allowed to.

The services that approve, send or print call ``require_*`` with the acting user and write the
audit entry themselves, so the command line and background jobs are checked and logged like the
web pages. A refusal is a ``CapabilityError``, which a request turns into 403.
"""

from __future__ import annotations

import datetime as dt
import enum
import getpass
import socket
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core import languages
from ..core.models import UTCDateTime, str_enum
from ..core.timeutil import utcnow
from ..extensions import db


class Capability(enum.Enum):
    #: Approves the fixed phrases, meeting texts and SMS texts of one language (``language`` set).
    review = "review"
    #: Sends SMS to everyone who consented: "send now" and scheduled reminders.
    send_sms = "send_sms"
    #: Prints letters, envelopes and labels (names and addresses); needs professional secrecy too.
    print_personal = "print_personal"


#: Norwegian is approved by its reviewers or by any administrator (see the module docstring).
ADMIN_APPROVES = frozenset({"nb"})


class UserCapability(db.Model):
    """One capability of one account; for ``review``, of one language."""

    __tablename__ = "user_capability"
    # The language is "" (not NULL) for capabilities without one, so the unique key holds on both
    # databases (NULLs are distinct in a unique constraint).
    __table_args__ = (sa.UniqueConstraint("user_id", "capability", "language", name="uq_user_capability_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True, nullable=False)
    capability: Mapped[Capability] = mapped_column(str_enum(Capability), nullable=False)
    language: Mapped[str] = mapped_column(sa.String(16), default="", nullable=False)
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)


class CapabilityError(Exception):
    """The acting user lacks a capability; the message says which, for the 403 page and the CLI."""


@dataclass(frozen=True)
class SystemActor:
    """Someone acting outside a signed-in session: the command line (an operator with shell access
    to the server, who could read the database anyway) or a task of the application itself. It may
    do everything, and every action is still audited under its label."""

    label: str
    id: None = None
    is_admin: bool = True
    is_confidential: bool = True
    is_active_member: bool = True
    is_authenticated: bool = True

    @property
    def email(self) -> str:  # what outreach.services.audit records as the user label
        return self.label

    @property
    def name(self) -> str:
        return self.label


def cli_actor() -> SystemActor:
    """The operator running ``brukermote …``: their system account and host, for the audit log."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return SystemActor(f"cli:{who}@{socket.gethostname()}")


def actor_label(user) -> str:
    """The name an approval or send records next to the account id, as it was at the time."""
    return (getattr(user, "name", "") or getattr(user, "email", "") or "system")[:120]


def _is_system(user) -> bool:
    return isinstance(user, SystemActor)


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active_member", False)


def granted(user) -> set[tuple[Capability, str]]:
    """The account's capabilities as (capability, language) pairs; all of them for a system actor."""
    if _is_system(user):
        return {(Capability.send_sms, ""), (Capability.print_personal, "")} | {
            (Capability.review, code) for code in languages.LANGUAGES}
    if not _signed_in(user) or getattr(user, "id", None) is None:
        return set()
    return set(db.session.execute(sa.select(UserCapability.capability, UserCapability.language)
                                  .where(UserCapability.user_id == user.id)).all())


def reviewed_languages(user) -> list[str]:
    """The languages the account may approve, in registry order."""
    pairs = granted(user)
    return [code for code in languages.LANGUAGES if may_review(user, code, pairs)]


def may_review(user, language: str, pairs: set | None = None) -> bool:
    if not _is_system(user) and not _signed_in(user):
        return False
    if language in ADMIN_APPROVES and getattr(user, "is_admin", False):
        return True
    return (Capability.review, language) in (granted(user) if pairs is None else pairs)


def may_send_sms(user) -> bool:
    return (Capability.send_sms, "") in granted(user)


def may_print_personal(user) -> bool:
    # Both: the capability says the committee chose this person to handle the mailing; secrecy
    # (taushetsplikt) is what allows anyone to see the names at all. Losing either stops printing.
    return bool(getattr(user, "is_confidential", False)) and (Capability.print_personal, "") in granted(user)


def require_reviewer(user, language: str) -> None:
    if not may_review(user, language):
        name = languages.get(language).name_en if language in languages.LANGUAGES else language
        raise CapabilityError(f"Only a reviewer of {name} may approve its texts.")


def require_sms_sender(user) -> None:
    if not may_send_sms(user):
        raise CapabilityError("Only members an administrator allowed to send SMS may send or schedule them.")


def require_personal_printer(user) -> None:
    if not may_print_personal(user):
        raise CapabilityError("Only members bound by professional secrecy whom an administrator allowed to print "
                              "names and addresses may print letters, envelopes and labels.")


# -- granting -------------------------------------------------------------------------------------

def set_capabilities(user, *, review: list[str], send_sms: bool, print_personal: bool, by) -> list[str]:
    """Make the account's capabilities exactly these; audit every grant and revocation. Returns
    what changed, e.g. ``["+review:ar", "-send_sms"]``."""
    from ..outreach.services import audit

    wanted = {(Capability.review, code) for code in review if code in languages.LANGUAGES}
    if send_sms:
        wanted.add((Capability.send_sms, ""))
    if print_personal:
        wanted.add((Capability.print_personal, ""))
    rows = {(row.capability, row.language): row for row in db.session.scalars(
        sa.select(UserCapability).where(UserCapability.user_id == user.id))}
    changes = []
    for key in sorted(set(rows) - wanted, key=_order):
        db.session.delete(rows[key])
        changes.append("-" + _code(key))
    for key in sorted(wanted - set(rows), key=_order):
        db.session.add(UserCapability(user_id=user.id, capability=key[0], language=key[1],
                                      granted_by_id=getattr(by, "id", None)))
        changes.append("+" + _code(key))
    if changes:
        audit("user.capabilities", None, by, detail=f"user:{user.id} " + " ".join(changes))
    db.session.flush()
    return changes


def grant_all(user, by=None) -> None:
    """Every capability (the demo administrator, the tests' administrator)."""
    set_capabilities(user, review=list(languages.LANGUAGES), send_sms=True, print_personal=True,
                     by=by or SystemActor("system"))


def _order(key: tuple[Capability, str]) -> tuple[str, str]:
    return key[0].value, key[1]


def _code(key: tuple[Capability, str]) -> str:
    return f"{key[0].value}:{key[1]}" if key[1] else key[0].value


def apply_form(user, formdata, by) -> list[str]:
    """The user page's capability checkboxes (``templates/auth/_capabilities.html``) as posted. A post
    without the section (an older page, a script) leaves the capabilities as they are."""
    if formdata.get("capabilities_shown") != "1":
        return []
    return set_capabilities(user, review=formdata.getlist("capability_review"),
                            send_sms=formdata.get("capability_send_sms") == "1",
                            print_personal=formdata.get("capability_print_personal") == "1", by=by)


def form_context(user, formdata=None) -> dict:
    """What the checkboxes show: the posted choice when redisplaying a form, else what is granted."""
    if formdata is not None and formdata.get("capabilities_shown") == "1":
        return {"review": set(formdata.getlist("capability_review")),
                "send_sms": formdata.get("capability_send_sms") == "1",
                "print_personal": formdata.get("capability_print_personal") == "1",
                "languages": languages.all_languages()}
    pairs = granted(user) if user is not None else set()
    return {"review": {code for cap, code in pairs if cap == Capability.review},
            "send_sms": (Capability.send_sms, "") in pairs, "print_personal": (Capability.print_personal, "") in pairs,
            "languages": languages.all_languages()}


# -- the web side ----------------------------------------------------------------------------------

def init_app(app) -> None:
    """A refused action is a 403 page (the message is for the log, not the page); templates ask
    ``can_review(code)``, ``can_send_sms()`` and ``can_print_personal()`` to show or hide buttons."""
    from flask import render_template
    from flask_login import current_user

    @app.errorhandler(CapabilityError)
    def _forbidden(error):
        db.session.rollback()
        app.logger.info("refused: %s", error)
        return render_template("error.html", code=403), 403

    app.jinja_env.globals.update(
        can_review=lambda code: may_review(current_user, code),
        can_send_sms=lambda: may_send_sms(current_user),
        can_print_personal=lambda: may_print_personal(current_user),
    )
