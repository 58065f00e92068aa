"""``/api/v1``: published meetings as JSON, described by the OpenAPI document at ``/api/openapi.json``.

Only what a poster shows: no personal data, no drafts, no internal notes.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request, url_for
from sqlalchemy.orm import selectinload

from ..auth.access import public
from ..core import languages
from ..core.cache import revalidated
from ..core.timeutil import local_zone, utcnow
from ..extensions import csrf, db
from ..meetings.models import Meeting, MeetingStatus
from ..printing.models import MeetingText
from ..printing.texts import SOURCE_LANGUAGE, meeting_source, meeting_text

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.after_request
def _revalidated(response):
    """Every API answer carries an ETag of its content and answers 304 to a client that has it."""
    return revalidated(response)
csrf.exempt(bp)  # read-only GETs; nothing here changes state

PUBLIC_STATUSES = [MeetingStatus.published, MeetingStatus.held, MeetingStatus.cancelled]


def _topic_translations(rows: list[Meeting]) -> dict[int, dict[str, MeetingText]]:
    """Every listed meeting's topic translations in one query (not one per meeting and language)."""
    found: dict[int, dict[str, MeetingText]] = {m.id: {} for m in rows}
    if rows:
        for text in db.session.scalars(sa.select(MeetingText).where(
                MeetingText.meeting_id.in_(found), MeetingText.field == "topic")):
            found[text.meeting_id][text.language] = text
    return found


def _meeting_json(meeting: Meeting, translations: dict[str, MeetingText] | None = None) -> dict:
    zone = local_zone()
    topics = {}
    source = meeting_source(meeting, "topic")
    for code in meeting.target_languages or ["nb"]:
        if code not in languages.LANGUAGES:
            continue
        if translations is None:
            text, approved = meeting_text(meeting, code, "topic")
        elif code == SOURCE_LANGUAGE or not source:
            text, approved = source, True
        else:
            row = translations.get(code)
            text, approved = (row.text, row.is_approved_for(source)) if row is not None and row.text.strip() else ("", False)
        if approved and text:
            topics[code] = text
    venue = meeting.venue
    return {
        "id": meeting.uid,
        "type": meeting.type.value,
        "status": meeting.status.value,
        "topic": meeting.topic,
        "topics": topics,
        "description": meeting.description,
        "start": meeting.starts_at.astimezone(zone).isoformat(),
        "end": meeting.ends_at.astimezone(zone).isoformat(),
        "timezone": str(zone),
        "venue": None if venue is None else {
            "name": venue.name, "address": venue.address, "transport": venue.transport, "step_free": venue.step_free,
        },
        "languages": list(meeting.target_languages or []),
        "interpreter_languages": list(meeting.interpreter_languages or []),
        "childcare": meeting.childcare,
        "food": meeting.catering,
        "cancel_reason": meeting.cancel_reason if meeting.status == MeetingStatus.cancelled else "",
        "url": f"{current_app.config['PUBLIC_BASE_URL']}/m/{meeting.uid}",
        "ics": f"{current_app.config['PUBLIC_BASE_URL']}/m/{meeting.uid}.ics",
    }


def _bad_request(message: str):
    response = jsonify({"error": message})
    response.status_code = 400
    return response


@bp.route("/v1/meetings")
@public
def meetings():
    query = sa.select(Meeting).where(Meeting.published_at.is_not(None), Meeting.status.in_(PUBLIC_STATUSES))
    since = request.args.get("from")
    until = request.args.get("to")
    try:
        since_day = dt.date.fromisoformat(since) if since else None
        until_day = dt.date.fromisoformat(until) if until else None
    except ValueError:
        return _bad_request("from and to must be dates (YYYY-MM-DD)")
    # Dates far outside any meeting's lifetime are bounds that include or exclude everything (and
    # would not survive the conversion to UTC: year 1 in Oslo is year 0 in UTC).
    if since_day is not None and since_day.year >= 1900:
        query = query.where(sa.false()) if since_day.year > 9998 else query.where(
            Meeting.ends_at >= dt.datetime.combine(since_day, dt.time(), tzinfo=local_zone()))
    if until_day is not None and until_day.year <= 9998:
        query = query.where(sa.false()) if until_day.year < 1900 else query.where(
            Meeting.starts_at < dt.datetime.combine(until_day + dt.timedelta(days=1), dt.time(), tzinfo=local_zone()))
    try:
        limit = int(request.args.get("limit", 100))
    except ValueError:
        return _bad_request("limit must be a number")
    if not 1 <= limit <= 500:
        return _bad_request("limit must be between 1 and 500")
    # Coming meetings first, soonest first; then past ones, latest first: what a website shows
    # comes before the archive, whatever the limit (documented in the OpenAPI document).
    # Two index-ordered queries (by end, by start) rather than one sort of the whole history.
    now = utcnow()
    eager = selectinload(Meeting.venue)
    rows = list(db.session.scalars(query.where(Meeting.ends_at >= now).order_by(Meeting.starts_at, Meeting.id)
                                   .limit(limit).options(eager)))
    if len(rows) < limit:
        rows += db.session.scalars(query.where(Meeting.ends_at < now).order_by(Meeting.starts_at.desc(), Meeting.id)
                                   .limit(limit - len(rows)).options(eager)).all()
    translations = _topic_translations(rows)
    return jsonify({"meetings": [_meeting_json(m, translations[m.id]) for m in rows]})


@bp.route("/v1/meetings/<uid>")
@public
def meeting(uid: str):
    row = db.session.scalar(sa.select(Meeting).where(Meeting.uid == uid, Meeting.published_at.is_not(None),
                                                     Meeting.status.in_(PUBLIC_STATUSES)))
    if row is None:
        response = jsonify({"error": "no such published meeting"})
        response.status_code = 404
        return response
    return jsonify(_meeting_json(row))


@bp.route("/openapi.json")
@public
def openapi():
    return jsonify(openapi_document(url_for("api.meetings", _external=False).rsplit("/v1/", 1)[0]))


def openapi_document(prefix: str = "/api") -> dict:
    error = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}
    venue = {"type": "object", "nullable": True, "required": ["name", "address", "transport", "step_free"],
             "properties": {"name": {"type": "string"}, "address": {"type": "string"},
                            "transport": {"type": "string"}, "step_free": {"type": "boolean"}}}
    meeting = {
        "type": "object",
        "required": ["id", "type", "status", "topic", "topics", "start", "end", "timezone", "venue", "languages",
                     "interpreter_languages", "childcare", "url", "ics"],
        "properties": {
            "id": {"type": "string"},
            "type": {"type": "string", "enum": ["listening_post", "user_meeting", "dialogue_conference",
                                                "committee_meeting"]},
            "status": {"type": "string", "enum": ["published", "held", "cancelled"]},
            "topic": {"type": "string"},
            "topics": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "Approved translations of the topic, by language code."},
            "description": {"type": "string"},
            "start": {"type": "string", "format": "date-time"},
            "end": {"type": "string", "format": "date-time"},
            "timezone": {"type": "string"},
            "venue": venue,
            "languages": {"type": "array", "items": {"type": "string"}},
            "interpreter_languages": {"type": "array", "items": {"type": "string"}},
            "childcare": {"type": "boolean"},
            "food": {"type": "string"},
            "cancel_reason": {"type": "string"},
            "url": {"type": "string"},
            "ics": {"type": "string"},
        },
    }
    date_param = {"type": "string", "format": "date"}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Brukermøte – published meetings", "version": "1.0.0",
                 "description": "Open user meetings, for the district's website. Read-only; no personal data."},
        "paths": {
            f"{prefix}/v1/meetings": {"get": {
                "summary": "Published meetings: coming ones first (soonest first), then past ones (latest first)",
                "description": ("Meetings that have not ended come first, ordered by start, soonest first; "
                                "then meetings that have ended, latest first. `limit` (default 100) cuts the "
                                "list after that order, so coming meetings are always included; narrow with "
                                "`from` and `to`."),
                "parameters": [
                    {"name": "from", "in": "query", "schema": date_param, "description": "Meetings ending on or after this date"},
                    {"name": "to", "in": "query", "schema": date_param, "description": "Meetings starting on or before this date"},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
                ],
                "responses": {
                    "200": {"description": "The meetings", "content": {"application/json": {"schema": {
                        "type": "object", "required": ["meetings"],
                        "properties": {"meetings": {"type": "array", "items": {"$ref": "#/components/schemas/Meeting"}}}}}}},
                    "400": {"description": "Bad parameters", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                },
            }},
            f"{prefix}/v1/meetings/{{id}}": {"get": {
                "summary": "One published meeting",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {
                    "200": {"description": "The meeting", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Meeting"}}}},
                    "404": {"description": "No such published meeting", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                },
            }},
        },
        "components": {"schemas": {"Meeting": meeting, "Error": error}},
    }
