from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import Money, TimestampMixin, UTCDateTime, at_most, in_planning_years, str_enum
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
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False, index=True)
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
        return any(c.purpose == purpose and c.in_force for c in self.consents)

    @property
    def sms_consent_pending(self) -> bool:
        """Consented to SMS on the public form and not yet confirmed by a yes from the number."""
        return any(c.purpose == ConsentPurpose.news_sms and c.withdrawn_at is None and c.awaiting_confirmation
                   for c in self.consents)


class Consent(db.Model):
    """What a person agreed to, when, how, and with which wording; withdrawal keeps the record."""

    __tablename__ = "consent"
    __table_args__ = in_planning_years("given_at", timestamp=True)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contact.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[ConsentPurpose] = mapped_column(str_enum(ConsentPurpose))
    method: Mapped[ConsentMethod] = mapped_column(str_enum(ConsentMethod))
    #: Version of the consent wording the person saw (e.g. "2026-1").
    wording_version: Mapped[str] = mapped_column(sa.String(20), default="2026-1")
    given_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Given on the public form: anyone can type any number there, so it is not in force (nothing but the
    #: one opt-in request is sent to the number) until the number itself replies yes. Consents from slips,
    #: phone calls and imports are vouched for by the committee and never wait.
    awaiting_confirmation: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: When the number replied yes to the opt-in request (the proof that its owner agreed).
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    contact: Mapped[Contact] = relationship(back_populates="consents")

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None and not self.awaiting_confirmation



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
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    #: {"filename": str, "headers": [str], "rows": [[row_number, [cell, ...]], ...]}
    payload: Mapped[dict] = mapped_column(sa.JSON, nullable=False)


class Channel(TitledEnum):
    """How people were reached (mailings) or how they signed up (registrations)."""

    letter = "letter", _l("Letter by post")
    enclosure = "enclosure", _l("Enclosed with the office's outgoing mail")
    flyer = "flyer", _l("Flyers from caseworkers")
    stand = "stand", _l("Stand in the waiting room")
    newspaper = "newspaper", _l("Advertisement in the local paper")
    website = "website", _l("The district's website")
    sms = "sms", _l("SMS")
    phone = "phone", _l("Phone call")
    reply_slip = "reply_slip", _l("Reply slip")
    web = "web", _l("Web sign-up")
    walk_in = "walk_in", _l("Walk-in")


MAILING_CHANNELS = [Channel.letter, Channel.enclosure, Channel.flyer, Channel.stand, Channel.newspaper,
                    Channel.website, Channel.sms, Channel.phone]
REGISTRATION_CHANNELS = [Channel.reply_slip, Channel.phone, Channel.sms, Channel.web, Channel.stand, Channel.walk_in]
#: The outreach channels a registration channel answers, for the conversion of each channel.
ANSWERS = {
    Channel.reply_slip: (Channel.letter, Channel.enclosure),
    Channel.phone: (Channel.phone,),
    Channel.sms: (Channel.sms,),
    Channel.web: (Channel.website, Channel.flyer, Channel.newspaper),
    Channel.stand: (Channel.stand,),
}


class Mailing(db.Model):
    """One outreach effort for a meeting: who was reached how, in which languages, at what cost."""

    __tablename__ = "mailing"
    __table_args__ = (sa.CheckConstraint("count >= 0", name="count_not_negative"),
                      sa.CheckConstraint("cost IS NULL OR cost >= 0", name="cost_not_negative"),
                      *in_planning_years("sent_on", "stop_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    languages: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: How many letters, flyers, enclosures, SMS … (0 where it cannot be counted, e.g. a website).
    count: Mapped[int] = mapped_column(default=0)
    #: When it went out (for enclosures: the first day they were enclosed).
    sent_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    #: Enclosures only: the last day; a week before the meeting so nobody gets one afterwards.
    stop_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    cost: Mapped[Decimal | None] = mapped_column(Money)
    done_by: Mapped[str] = mapped_column(sa.String(120), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")


class Registration(TimestampMixin, db.Model):
    """Someone said they would come (or walked in). Anonymous unless linked to a contact."""

    __tablename__ = "registration"
    __table_args__ = (sa.CheckConstraint("adults >= 0 AND children >= 0", name="counts_not_negative"),
                      # One registration per person and meeting, whichever way they signed up and however
                      # many times (a double click, a slip typed twice, a second "yes"). NULL keys
                      # (anonymous head counts) may repeat on both databases.
                      sa.UniqueConstraint("meeting_id", "dedupe_key", name="uq_registration_meeting_person"))

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    #: Set null on erasure: the registration stays as an anonymous count.
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contact.id", ondelete="SET NULL"), index=True)
    adults: Mapped[int] = mapped_column(default=1)
    children: Mapped[int] = mapped_column(default=0)
    interpreter_language: Mapped[str] = mapped_column(sa.String(16), default="")
    childcare_needed: Mapped[bool] = mapped_column(default=False)
    dietary: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Whether they came (None: not checked).
    came: Mapped[bool | None] = mapped_column()
    #: Who this is, for "one registration per person": "tel:+4791234567", or "name:<folded name>" for a
    #: person without a phone; NULL for an anonymous head count. See ``funnel.person_key``. Personal
    #: data: cleared on erasure.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(220))


class PosterLocation(db.Model):
    """A place in the district where posters go up, reused from meeting to meeting.

    Priority 1 is the most important; the committee went from 13 places to its 7 most important,
    so a place can be retired (inactive) without losing where posters hung before."""

    __tablename__ = "poster_location"
    __table_args__ = (sa.CheckConstraint("priority >= 1", name="priority_positive"), *at_most(notes=5000))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False, unique=True)
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    #: Who to ask for permission / where exactly on the premises.
    contact: Mapped[str] = mapped_column(sa.String(200), default="")
    priority: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)
    notes: Mapped[str] = mapped_column(sa.Text, default="")


class PosterHanging(db.Model):
    """Posters for one meeting at one place: how many, in which languages, hung and taken down when, by whom."""

    __tablename__ = "poster_hanging"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "location_id", name="one_row_per_place"),
        sa.CheckConstraint("count >= 0", name="count_not_negative"),
        sa.CheckConstraint("taken_down_on IS NULL OR hung_on IS NULL OR taken_down_on >= hung_on",
                           name="taken_down_after_hung"),
        *in_planning_years("hung_on", "taken_down_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("poster_location.id", ondelete="RESTRICT"), index=True)
    languages: Mapped[list] = mapped_column(sa.JSON, default=list)
    count: Mapped[int] = mapped_column(default=1)
    hung_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    hung_by: Mapped[str] = mapped_column(sa.String(120), default="")
    taken_down_on: Mapped[dt.date | None] = mapped_column(sa.Date)

    location: Mapped[PosterLocation] = relationship(lazy="joined")
