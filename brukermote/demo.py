"""Demo data: the committee's real history (2007–2009, from the report's Table 1) plus one coming meeting.

Loaded by ``brukermote demo load`` into an empty database so a newcomer sees a living system.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from .auth import capabilities
from .auth.models import User
from .auth.services import create_user
from .core.models import Organisation
from .core.timeutil import local_zone, utcnow
from .extensions import db
from .meetings import services as meetings
from .meetings.models import (
    BudgetCategory,
    Meeting,
    MeetingStatus,
    MeetingType,
    ProgrammeKind,
    Speaker,
    Venue,
)

DEMO_ADMIN = ("admin@example.org", "Demo Administrator", "brukermote-demo")
DEMO_MEMBER = ("medlem@example.org", "Demo Medlem", "brukermote-demo")

VENUES = {
    "madamlokken": dict(name="Madamløkken barnehage", name_en="Madamløkken kindergarten", address="Madamløkka 1, 0595 Oslo",
                        transport="Buss 31 til Veitvet", capacity=40, is_neutral=True, step_free=True),
    "veitvet": dict(name="Veitvet eldresenter", name_en="Veitvet elderly centre", address="Veitvetveien 8, 0596 Oslo",
                    transport="T-bane linje 5 til Veitvet, 3 minutter å gå", capacity=60, is_neutral=True,
                    step_free=True),
    "arvoll": dict(name="Årvoll Gård", address="Årvollveien 36, 0590 Oslo",
                   transport="Buss 31 til Årvoll senter, 5 minutter å gå", capacity=80, is_neutral=True,
                   step_free=True, rental_cost=Decimal("500.00")),
    "nav": dict(name="NAV Bjerke", address="Økernveien 145, 0580 Oslo", transport="T-bane til Økern",
                capacity=30, is_neutral=False, step_free=True,
                notes="NAV-kontoret: låste dører og resepsjon. Bare for dialogkonferansen."),
}

EVENING = (dt.time(17, 30), dt.time(19, 30))
DAYTIME = (dt.time(13, 30), dt.time(15, 30))
NB, NB_SO_AR = ["nb"], ["nb", "so", "ar"]

#: (date, type, venue, topic, times, invitation languages, interpreter languages)
HISTORY = [
    (dt.date(2007, 1, 24), MeetingType.listening_post, "madamlokken", "Bydelens tjenester?", EVENING, NB, []),
    (dt.date(2008, 5, 21), MeetingType.user_meeting, "veitvet",
     "Bedring av kommunikasjonen og samarbeidet mellom brukerne og …", EVENING, NB, ["so", "ar"]),
    (dt.date(2008, 9, 24), MeetingType.user_meeting, "arvoll", "Bolig", DAYTIME, NB_SO_AR, ["so", "ar"]),
    (dt.date(2008, 11, 19), MeetingType.user_meeting, "arvoll", "Bedre trivsel i bydel Bjerke?", DAYTIME,
     NB_SO_AR, ["so", "ar"]),
    (dt.date(2009, 1, 28), MeetingType.dialogue_conference, "nav", "", (dt.time(9, 0), dt.time(15, 0)), NB, []),
    (dt.date(2009, 2, 25), MeetingType.user_meeting, "arvoll", "Aktiviteter i bydel Bjerke", DAYTIME, NB_SO_AR,
     ["so", "ar"]),
    (dt.date(2009, 4, 22), MeetingType.user_meeting, "arvoll", "Bolig", DAYTIME, NB_SO_AR, ["so", "ar"]),
    (dt.date(2009, 5, 27), MeetingType.user_meeting, "arvoll", "Arbeid", DAYTIME, NB_SO_AR, ["so", "ar"]),
]

#: Loaders other domains add (outreach, interpreters, attendance …): ``fn(meetings_by_date, upcoming)``.
extra_loaders: list = []


def database_is_empty() -> bool:
    return not db.session.scalar(sa.select(sa.func.count(Meeting.id))) and not db.session.scalar(
        sa.select(sa.func.count(User.id))
    )


def load_demo() -> dict:
    org = Organisation.current()
    org.name = "NAV Bjerke og HUSK Oslo (demo)"
    org.sender_line = "Arbeidsutvalget for brukermøter, NAV Bjerke og Høgskolen i Oslo"
    org.interpreter_phone = "+4723000000"
    org.return_address = "NAV Bjerke\nPostboks 1, Økern\n0508 Oslo"
    org.default_interpreter_languages = ["so", "ar"]
    org.default_target_languages = ["nb", "so", "ar"]

    admin = create_user(*DEMO_ADMIN, admin=True, confidential=True)
    member = create_user(*DEMO_MEMBER)
    # The administrator may do everything; the member reads English and Somali and may approve those
    # texts, but may neither send SMS nor print names and addresses (see the README's table of roles).
    capabilities.grant_all(admin)
    capabilities.set_capabilities(member, review=["en", "so"], send_sms=False, print_personal=False, by=admin)

    venues = {key: Venue(**values) for key, values in VENUES.items()}
    db.session.add_all(venues.values())
    db.session.flush()

    by_date: dict[dt.date, Meeting] = {}
    for day, kind, venue, topic, (start, end), print_langs, interp_langs in HISTORY:
        meeting = meetings.create_meeting(
            meetings.MeetingData(
                type=kind, topic=topic, day=day, start=start, end=end, venue_id=venues[venue].id,
                catering="halal pizza" if (start, end) == EVENING else "frukt, kjeks og drikke",
                catering_halal=True, childcare=(start, end) == EVENING,
                target_languages=print_langs, interpreter_languages=interp_langs,
            ),
            created_by=admin,
        )
        meeting.status = MeetingStatus.held
        meeting.published_at = meeting.starts_at - dt.timedelta(days=21)
        for task in meeting.tasks:
            task.done_at = meeting.ends_at
        by_date[day] = meeting

    # The coming meeting: four weeks ahead, on a Wednesday, daytime, at the stable venue.
    today = utcnow().astimezone(local_zone()).date()
    day = today + dt.timedelta(days=28)
    day += dt.timedelta(days=(2 - day.weekday()) % 7)
    upcoming = meetings.create_meeting(
        meetings.MeetingData(
            type=MeetingType.user_meeting, topic="Arbeid og aktivitet", day=day, start=DAYTIME[0], end=DAYTIME[1],
            venue_id=venues["arvoll"].id,
            description="Hvordan kan NAV hjelpe deg til arbeid, kurs og aktivitet? Still spørsmål til NAV.",
            catering="frukt, kjeks og drikke", catering_halal=True, catering_vegetarian=True, childcare=True,
            target_languages=["nb", "so", "ar", "ta", "ti", "fa", "ur", "zh-Hans"],
            interpreter_languages=["so", "ar"],
        ),
        created_by=admin,
    )
    upcoming.status = MeetingStatus.planned
    speaker_nav = Speaker(name="Kari Nordmann", organisation="NAV Bjerke", is_internal=True,
                          contact="kari.nordmann@example.org", told_about_interpreters=True, brings_brochures=True)
    speaker_ext = Speaker(name="Ahmed Hassan", organisation="Leieboerforeningen", is_internal=False,
                          contact="+4791234567", told_about_interpreters=False, fee=Decimal("1500.00"))
    db.session.add_all([speaker_nav, speaker_ext])
    db.session.flush()
    for kind, title, minutes, speaker in [
        (ProgrammeKind.welcome, "Velkommen og praktisk informasjon", 10, None),
        (ProgrammeKind.talk, "Hva kan NAV tilby av kurs og arbeidstrening?", 20, speaker_nav),
        (ProgrammeKind.break_, "Pause med spørsmål og samtaler med saksbehandler", 40, None),
        (ProgrammeKind.talk, "Frivillig arbeid i bydelen", 15, speaker_ext),
        (ProgrammeKind.questions, "Spørsmål i plenum", 15, None),
        (ProgrammeKind.feedback, "Tilbakemeldingsrunde", 15, None),
    ]:
        meetings.add_programme_item(upcoming, kind, title, minutes, speaker.id if speaker else None)
    meetings.set_budget(upcoming, {
        BudgetCategory.venue: (Decimal("500"), None),
        BudgetCategory.interpreters: (Decimal("4800"), None),
        BudgetCategory.translation: (Decimal("3000"), None),
        BudgetCategory.printing: (Decimal("400"), None),
        BudgetCategory.food: (Decimal("600"), None),
        BudgetCategory.honoraria: (Decimal("1500"), None),
    })
    for index, task in enumerate(upcoming.tasks):
        if task.due_date < today:
            task.done_at = utcnow()
            task.done_by_id = admin.id
        elif index % 3 == 0:
            task.assignee_id = member.id if index % 2 else admin.id

    from .outreach import demo as outreach_demo
    from .printing import demo as printing_demo

    for loader in [outreach_demo.load, printing_demo.load, *extra_loaders]:
        loader(by_date, upcoming)
    db.session.flush()
    return {"meetings": len(by_date) + 1, "venues": len(venues), "users": 2, "upcoming": upcoming}


demo_cli = AppGroup("demo", help="Demo data for newcomers.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) if the database already has data.")
@click.option("--years", type=click.IntRange(0, 30), default=0,
              help="Also add this many years of invented history (on top of the demo, or of the data already there).")
def load_command(if_empty, years):
    """Fill an empty database with the 2007–2009 history and one coming meeting."""
    if not database_is_empty():
        if if_empty:
            click.echo("The database already has data; demo not loaded.")
            return
        if not years:
            raise click.ClickException("The database is not empty; demo data is only loaded into an empty one.")
    else:
        result = load_demo()
        db.session.commit()
        click.echo(
            f"Loaded {result['meetings']} meetings, {result['venues']} venues and {result['users']} users.\n"
            f"Sign in as {DEMO_ADMIN[0]} / {DEMO_ADMIN[2]} (admin, confidential) "
            f"or {DEMO_MEMBER[0]} / {DEMO_MEMBER[2]} (member)."
        )
    if years:
        from .history import load_history

        added = load_history(years)
        db.session.commit()
        click.echo(f"Added {years} years of history: {added['meetings']} meetings, {added['contacts']} contacts, "
                   f"{added['registrations']} registrations, {added['sms']} SMS, {added['audit']} audit entries.")
