from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import TimestampMixin, UTCDateTime, str_enum
from ..core.timeutil import utcnow
from ..extensions import db
from ..meetings.models import TitledEnum


class ConsentPurpose(TitledEnum):
    news_post = "news_post", _l("News of coming meetings by post")
    news_sms = "news_sms", _l("News of coming meetings by SMS")
    help_arrange = "help_arrange", _l("Helping to arrange meetings")


class ConsentMethod(TitledEnum):
    slip = "slip", _l("Sign-up slip")
    phone = "phone", _l("Phone call")
    web = "web", _l("Web form")
    sms = "sms", _l("SMS")
    import_ = "import", _l("Import from the office's systems")


class Contact(TimestampMixin, db.Model):
    """A person who may be invited. Personal data of a social-services client: least data, consent, erasure."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Full name as it should appear on an envelope.
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    #: Street address (one or two lines), postcode and town, for letters.
    street: Mapped[str] = mapped_column(sa.String(300), default="")
    postcode: Mapped[str] = mapped_column(sa.String(10), default="")
    city: Mapped[str] = mapped_column(sa.String(100), default="")
    #: Mobile phone in E.164.
    phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    #: Preferred language (code from the language registry).
    language: Mapped[str] = mapped_column(sa.String(16), default="nb")
    #: The number sent STOP: no SMS reaches it, whatever the consents say.
    sms_opted_out_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Last time the person did something (signed up, came, replied); drives retention.
    last_activity_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=utcnow)

    consents: Mapped[list[Consent]] = relationship(back_populates="contact", cascade="all, delete-orphan",
                                                   order_by="Consent.given_at")

    @property
    def has_postal_address(self) -> bool:
        return bool(self.street.strip() and self.postcode.strip() and self.city.strip())

    def address_lines(self) -> list[str]:
        lines = [self.name] + [line for line in self.street.splitlines() if line.strip()]
        lines.append(f"{self.postcode} {self.city}".strip())
        return lines

    def consents_to(self, purpose: ConsentPurpose) -> bool:
        if purpose == ConsentPurpose.news_sms and self.sms_opted_out_at is not None:
            return False
        return any(c.purpose == purpose and c.withdrawn_at is None for c in self.consents)


class Consent(db.Model):
    """What a person agreed to, when, how, and with which wording; withdrawal keeps the record."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contact.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[ConsentPurpose] = mapped_column(str_enum(ConsentPurpose))
    method: Mapped[ConsentMethod] = mapped_column(str_enum(ConsentMethod))
    #: Version of the consent wording the person saw (e.g. "2026-1").
    wording_version: Mapped[str] = mapped_column(sa.String(20), default="2026-1")
    given_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    contact: Mapped[Contact] = relationship(back_populates="consents")



class ContactImport(db.Model):
    """An uploaded contact file waiting between preview and commit.

    Why a table and not the session or a temporary file: the parsed rows are personal data. A signed
    session cookie is readable by the browser (and limited to ~4 KB); a file in the instance folder
    would leave clear-text personal data on disk outside the database's backups, access control and
    erasure. Here the rows sit in the same database as the contacts themselves, under the same
    protection, and the row is deleted on commit or cancel, and by ``services.purge_stale_imports``
    (run on every upload and by ``brukermote contacts purge``) once older than an hour.
    """

    __tablename__ = "contact_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Unguessable handle used in the preview URL.
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    #: {"filename": str, "headers": [str], "rows": [[row_number, [cell, ...]], ...]}
    payload: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
