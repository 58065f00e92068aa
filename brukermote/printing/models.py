from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import TimestampMixin, UTCDateTime, at_most
from ..core.timeutil import utcnow
from ..extensions import db


class BrandMark(TimestampMixin, db.Model):
    """A mark every printed document must carry (coat of arms, district, NAV, project)."""

    __tablename__ = "brand_mark"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable key, e.g. "coat_of_arms", "district", "nav", "project".
    key: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)
    #: Human name, e.g. "NAV-logo".
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    #: Documents may not be printed finally without it.
    required: Mapped[bool] = mapped_column(default=True)
    #: Smallest printed width allowed by the owner's design manual (mm).
    min_width_mm: Mapped[float] = mapped_column(sa.Float, default=15.0)
    #: The colour the mark must be printed in, as #RRGGBB (NAV's logo is red); empty: any.
    required_colour: Mapped[str] = mapped_column(sa.String(7), default="")
    position: Mapped[int] = mapped_column(default=0)
    #: The file as uploaded (PNG, JPEG, PDF or sanitised SVG).
    original: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    original_type: Mapped[str] = mapped_column(sa.String(40), default="")
    original_filename: Mapped[str] = mapped_column(sa.String(200), default="")
    #: A PNG rendition (PDF and SVG are rasterised once, at upload) used for drawing and checks.
    raster: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    pixel_width: Mapped[int] = mapped_column(default=0)
    pixel_height: Mapped[int] = mapped_column(default=0)
    #: The project's own stand-in, shipped so the app works before the real mark is uploaded.
    is_placeholder: Mapped[bool] = mapped_column(default=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)

    @property
    def aspect(self) -> float:
        return (self.pixel_height / self.pixel_width) if self.pixel_width else 1.0


class PhraseReview(db.Model):
    """A fluent reviewer's approval of one fixed phrase in one language (overlays printables/texts/*.po)."""

    __tablename__ = "phrase_review"
    __table_args__ = (sa.UniqueConstraint("language", "key", name="uq_phrase_review_language_key"), *at_most(text=2000))

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    #: The phrase's stable key (msgctxt in the catalogs), e.g. "doc.free_voluntary".
    key: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    #: The approved text (possibly corrected by the reviewer).
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    #: The English source the approval was given for; a changed source voids the approval.
    source: Mapped[str] = mapped_column(sa.Text, nullable=False)
    reviewer_name: Mapped[str] = mapped_column(sa.String(120), default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    reviewed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class MeetingText(db.Model):
    """A meeting's topic or short description in one language, with translator and reviewer."""

    __tablename__ = "meeting_text"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "language", "field", name="uq_meeting_text_meeting_id"),
                      # A translated topic as long as the topic form allows, a description as the description's.
                      *at_most(text=3000),
                      sa.CheckConstraint("field <> 'topic' OR length(text) <= 300", name="topic_length"))

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    #: "topic" or "description".
    field: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    text: Mapped[str] = mapped_column(sa.Text, default="")
    #: The Norwegian text this translates; when the meeting's text changes, the translation needs review again.
    source: Mapped[str] = mapped_column(sa.Text, default="")
    translator: Mapped[str] = mapped_column(sa.String(120), default="")
    reviewer_name: Mapped[str] = mapped_column(sa.String(120), default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    def is_approved_for(self, current_source: str) -> bool:
        return self.reviewed_at is not None and self.source == current_source and bool(self.text.strip())


class GlossaryTerm(db.Model):
    """A word translators get wrong, with a note and the approved rendering per language."""

    __tablename__ = "glossary_term"
    __table_args__ = at_most(note=3000)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The Norwegian term(s), comma-separated forms, e.g. "bruker, brukere, brukermøte".
    term: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    #: The English source words that carry the same concept, comma-separated.
    source_terms: Mapped[str] = mapped_column(sa.String(200), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")

    renderings: Mapped[list[GlossaryRendering]] = relationship(back_populates="term", cascade="all, delete-orphan")

    def forms(self) -> list[str]:
        words = [w.strip() for w in (self.term + "," + self.source_terms).split(",")]
        return [w for w in words if w]

    def rendering(self, language: str) -> GlossaryRendering | None:
        return next((r for r in self.renderings if r.language == language), None)


class GlossaryRendering(db.Model):
    __tablename__ = "glossary_rendering"
    __table_args__ = (sa.UniqueConstraint("term_id", "language", name="uq_glossary_rendering_term_id"),
                      *at_most(rendering=500, note=500))

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(sa.ForeignKey("glossary_term.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    rendering: Mapped[str] = mapped_column(sa.Text, nullable=False)
    #: What to avoid and why (e.g. "never مستهلك, 'consumer'").
    note: Mapped[str] = mapped_column(sa.Text, default="")
    approved: Mapped[bool] = mapped_column(default=False)

    term: Mapped[GlossaryTerm] = relationship(back_populates="renderings")


class PrintRecord(db.Model):
    """A final poster or flyer was made for a meeting: which, in which language and size, when, by whom.

    When a published meeting moves or is cancelled, what was printed before shows the old time:
    ``outdated_at`` marks it (``meetings.impact``), and the meeting page asks for a reprint until a
    newer final print of the same document and language exists."""

    __tablename__ = "print_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    #: "poster" or "flyer".
    document: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    language: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    size: Mapped[str] = mapped_column(sa.String(8), default="")
    #: "office" or "printshop".
    variant: Mapped[str] = mapped_column(sa.String(16), default="office")
    printed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The member's name at the time ("cli:…" from the command line); kept if the account goes.
    printed_by: Mapped[str] = mapped_column(sa.String(120), default="")
    #: Set when the meeting moved or was cancelled after this was printed.
    outdated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: "moved" or "cancelled".
    outdated_because: Mapped[str] = mapped_column(sa.String(16), default="")
