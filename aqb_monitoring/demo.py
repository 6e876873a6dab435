"""Demo data of the monitoring side, built in code (see `manage.py seed_demo`)."""

from django.contrib.auth.models import Group

from .models import Organisation, OrganisationKind, User

DEMO_PASSWORD = "AQBdemo#!2026"

AUTHORITY_NAME = "Regierungspräsidium Kassel, Dezernat 57 – AQB-Team"


def ensure_user(email, organisation, first_name, last_name, *, groups=(), report):
    """Create a demo login once; a second run leaves it (and its password) as it is."""
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"first_name": first_name, "last_name": last_name, "organisation": organisation, "is_active": True},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        report.created("Benutzer", email)
    for group in groups:
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
            report.changed("Gruppe", f"{email} → {group.name}")
    return user


def seed_accounts(report):
    """The RP organisation and its editor login (the authority sees and edits everything)."""
    authority, created = Organisation.objects.get_or_create(
        kind=OrganisationKind.AUTHORITY,
        name=AUTHORITY_NAME,
        defaults={"contact_email": "AQBudget@rpks.hessen.de"},
    )
    if created:
        report.created("Organisation", authority.name)
    editor_groups = [authority.group]
    editor_groups += list(Group.objects.filter(name__in=["Editors", "Moderators"]))
    ensure_user("rp@aqb-demo.de", authority, "Petra", "Reinhardt", groups=editor_groups, report=report)
    return authority


DEMO_LOGINS = [
    ("rp@aqb-demo.de", "RP Kassel (Redaktion und Bewilligungsbehörde)"),
]


# ---------------------------------------------------------------------------
# Monitoring: grant recipients, providers, logins, measures, participants
# ---------------------------------------------------------------------------

import datetime  # noqa: E402
import random  # noqa: E402

from django.utils import timezone  # noqa: E402

from .models import (  # noqa: E402
    AuditAction,
    Benefit,
    Destination,
    EducationLevel,
    EmploymentStatus,
    ExitReason,
    Gender,
    GrantRecipient,
    InterimDueDate,
    MainGoal,
    Measure,
    MeasureType,
    Participant,
    ParticipantGoal,
    ParticipantStatus,
    ProgrammeLine,
    Provider,
    SchoolAttendance,
    UnemploymentRegistration,
)
from .services import SHELL, import_participants  # noqa: E402
from .services.participants import ImportRow  # noqa: E402

GRANT_RECIPIENTS = [
    # abbreviation, name, contact
    ("KS", "Landkreis Kassel", "aqb@landkreiskassel.example"),
    ("FD", "Landkreis Fulda", "aqb@landkreis-fulda.example"),
]

PROVIDERS = [
    # short code (used in participant IDs), name, grant recipient, contact
    ("BWN", "Bildungswerk Nordhessen", "KS", "kontakt@bildungswerk-nordhessen.example"),
    ("JWK", "Jugendwerkstatt Kassel", "KS", "info@jugendwerkstatt-kassel.example"),
    ("FP", "Fulda Perspektiven", "FD", "team@fulda-perspektiven.example"),
]

TENANT_LOGINS = [
    # e-mail, organisation (abbreviation), first, last name, role for DEMO_LOGINS
    ("ze.kassel@aqb-demo.de", "KS", "Karin", "Sommer", "Zuwendungsempfänger Landkreis Kassel"),
    ("ze.fulda@aqb-demo.de", "FD", "Felix", "Brand", "Zuwendungsempfänger Landkreis Fulda"),
    ("traeger.nordhessen@aqb-demo.de", "BWN", "Nora", "Hess", "Träger Bildungswerk Nordhessen (Kassel)"),
    ("traeger.jugendwerkstatt@aqb-demo.de", "JWK", "Jan", "Werner", "Träger Jugendwerkstatt Kassel (Kassel)"),
    ("traeger.fulda@aqb-demo.de", "FP", "Paula", "Fink", "Träger Fulda Perspektiven (Fulda)"),
]

DEMO_LOGINS += [(email, role) for email, _org, _first, _last, role in TENANT_LOGINS]

# A provider login the ZE Kassel created whose invitation is still open (the "Benutzer" list shows it).
PENDING_INVITATION = ("neu.jugendwerkstatt@aqb-demo.de", "JWK", "Jonas", "Neumann")

# number suffix, type, provider code (None: the ZE runs it itself), programme line, title
MEASURES = {
    "KS": [
        ("M1-01", "M1", "BWN", "standard", "Berufsorientierung und Ausbildungsreife Kassel"),
        ("M2-01", "M2", "JWK", "standard", "Ausbildungscoaching Handwerk"),
        ("M3-01", "M3", None, "schutzschirm", "Qualifizierung Lager und Logistik"),
        ("M3-02", "M3", None, "standard", "Qualifizierung Gastronomie (mangels Anmeldungen nicht gestartet)"),
        ("M4-01", "M4", None, "standard", "Fortbildung Fallmanagement für Personal des Kreises"),
    ],
    "FD": [
        ("M1-01", "M1", "FP", "standard", "Startklar Ausbildung Fulda"),
        ("M2-01", "M2", "FP", "standard", "Ausbildungsbegleitung Pflegeberufe"),
        ("M3-01", "M3", "FP", "brueckenqualifizierung", "Brückenqualifizierung für Frauen Osthessen"),
        ("M4-01", "M4", None, "standard", "Weiterbildung Jugendberufshilfe"),
    ],
}
BUDGET_YEARS = (2025, 2026)
CLOSED_MEASURE = "AQB25-FD-M2-01"
ZERO_MEASURE = "AQB26-KS-M3-02"  # nobody enrolled: the zero report
CARRY_OVER_COUNT = 4  # participants of AQB25-KS-M1-01 continuing in AQB26-KS-M1-01


def ensure_pending_invitation(organisations, creator, report):
    """Once, through the service the ZE's form uses: the user and its invitation (a queued mail)."""
    from .services.accounts import do_create_user

    email, org_code, first, last = PENDING_INVITATION
    if User.objects.filter(email__iexact=email).exists():
        return
    do_create_user(creator, {"email": email, "first_name": first, "last_name": last,
                             "organisation": organisations[org_code]})
    report.created("Benutzer (Einladung offen)", email)


def seed_monitoring(report):
    """Two grant recipients, three providers, their logins, measures of every type in 2025 and
    2026 (2026 as successors), one closed, and 20-60 participants in every status per measure.

    Idempotent: organisations, logins and measures are looked up by name/number, and a
    measure that has participants already gets none added.
    """
    grant_recipients = {abbr: ensure_grant_recipient(abbr, name, email, report) for abbr, name, email in GRANT_RECIPIENTS}
    providers = {
        code: ensure_provider(code, name, grant_recipients[ze], email, report) for code, name, ze, email in PROVIDERS
    }
    organisations = {**grant_recipients, **providers}
    users = {}
    for email, org_code, first, last, _role in TENANT_LOGINS:
        organisation = organisations[org_code]
        users[org_code] = ensure_user(email, organisation, first, last, groups=[organisation.group], report=report)
    ensure_pending_invitation(organisations, users["KS"], report)
    measures = ensure_measures(grant_recipients, providers, report)
    catalogues = Catalogues()
    rng = random.Random(2026)
    carried = {}
    numbering = {}
    for measure in sorted(measures.values(), key=lambda m: (m.budget_year, m.number)):
        if (not measure.measure_type.has_participant_monitoring or measure.number == ZERO_MEASURE
                or measure.participants.exists()):
            continue
        author = users.get(measure.provider.abbreviation if measure.provider_id else measure.grant_recipient.abbreviation)
        predecessor_rows = carried.get(measure.number, [])
        created = seed_participants(measure, rng, catalogues, author, predecessor_rows, numbering, report)
        if measure.successor_id and measure.number.startswith("AQB25-KS-M1"):
            carried[measure.successor.number] = [p for p in created if p.destination_id == catalogues.carry_over.pk]
    seed_reports(measures, users, report)
    seed_change_requests(measures, users, report)


def ensure_grant_recipient(abbreviation, name, email, report):
    organisation, created = GrantRecipient.objects.get_or_create(
        abbreviation=abbreviation, defaults={"name": name, "contact_email": email}
    )
    if created:
        report.created("Zuwendungsempfänger", name)
    return organisation


def ensure_provider(code, name, grant_recipient, email, report):
    organisation, created = Provider.objects.get_or_create(
        name=name, grant_recipient=grant_recipient, defaults={"abbreviation": code, "contact_email": email}
    )
    if created:
        report.created("Träger", name)
    return organisation


def ensure_measures(grant_recipients, providers, report):
    """Measures by number; the 2026 measure is the successor of the 2025 one of the same kind."""
    types = {measure_type.code: measure_type for measure_type in MeasureType.objects.all()}
    lines = {line.code: line for line in ProgrammeLine.objects.all()}
    goals = list(MainGoal.objects.prefetch_related("measure_types"))
    measures = {}
    for year in BUDGET_YEARS:
        for abbreviation, rows in MEASURES.items():
            for suffix, type_code, provider_code, line_code, title in rows:
                number = f"AQB{year % 100:02d}-{abbreviation}-{suffix}"
                if year == 2026 and (abbreviation, suffix) == ("FD", "M2-01"):
                    continue  # the closed 2025 measure has no successor
                if year == 2025 and (abbreviation, suffix) == ("KS", "M3-02"):
                    continue  # the zero-report measure exists in 2026 only
                measure_type = types[type_code]
                main_goal = next((g for g in goals if measure_type in g.measure_types.all()), None)
                measure, created = Measure.objects.get_or_create(
                    number=number,
                    defaults={
                        "title": title,
                        "measure_type": measure_type,
                        "programme_line": lines[line_code],
                        "start_date": datetime.date(year, 2, 1) if year == 2025 else datetime.date(year, 1, 1),
                        "end_date": datetime.date(year, 12, 31),
                        "main_goal": main_goal,
                        "grant_recipient": grant_recipients[abbreviation],
                        "provider": providers.get(provider_code),
                        "planned_participants": 40,
                        "budget_year": year,
                    },
                )
                if created:
                    report.created("Maßnahme", number)
                if measure.programme_line.has_interim_due_dates:
                    for month, day in ((6, 30), (12, 15)):
                        _due, due_created = InterimDueDate.objects.get_or_create(
                            measure=measure, due_date=datetime.date(year, month, day)
                        )
                        if due_created:
                            report.created("Termin der Zwischenmeldung", f"{number} {day:02d}.{month:02d}.{year}")
                measures[number] = measure
    for number, measure in measures.items():
        if measure.budget_year == 2025:
            successor = measures.get(number.replace("AQB25-", "AQB26-", 1))
            if successor is not None and measure.successor_id is None:
                measure.successor = successor
                measure.save(update_fields=["successor", "updated_at"])
                report.changed("Maßnahme", f"{number} → Folgemaßnahme {successor.number}")
    return {
        number: measure
        for number, measure in (
            (m.number, m)
            for m in Measure.objects.filter(number__in=measures).select_related(
                "measure_type", "provider", "grant_recipient", "successor"
            )
        )
    }


class Catalogues:
    """The active catalogue entries, loaded once per seed run."""

    def __init__(self):
        def active(model):
            return list(model.objects.filter(is_active=True).order_by("sort_order"))

        self.genders = active(Gender)
        self.schools = active(SchoolAttendance)
        self.education = active(EducationLevel)
        self.employment = active(EmploymentStatus)
        self.unemployment = active(UnemploymentRegistration)
        self.benefits = active(Benefit)
        self.goals = active(ParticipantGoal)
        destinations = active(Destination)
        self.carry_over = next(d for d in destinations if d.is_carry_over)
        self.destinations = [d for d in destinations if not d.is_carry_over]
        self.exit_reasons = active(ExitReason)


OPTIONAL_ENTRY_FIELDS = ("gender", "birth_year", "school_attendance", "education_level", "benefit", "goal")


def entry_values(measure, rng, cats, pseudonym, entry_date, context):
    goal = rng.choice(cats.goals) if context.requires_participant_goal else None
    youngest, oldest = (15, 24) if measure.measure_type.code in ("M1", "M2") else (18, 55)
    values = {
        "pseudonym": pseudonym,
        "entry_date": entry_date,
        "gender": rng.choice(cats.genders),
        "birth_year": entry_date.year - rng.randint(youngest, oldest),
        "migration_background": rng.random() < 0.4,
        "severely_disabled": rng.random() < 0.06,
        "children_in_household": rng.random() < 0.15,
        "single_parent": rng.random() < 0.07,
        "school_attendance": rng.choice(cats.schools),
        "education_level": rng.choice(cats.education[:4]),
        "employment_status": rng.choice(cats.employment[:2]),
        "unemployment_registration": rng.choice(cats.unemployment),
        "benefit": rng.choice(cats.benefits[:3]),
        "goal": goal,
        "entry_answers": answers(context, goal, rng),
    }
    return values


def answers(context, goal, rng):
    return {q.code: rng.random() < 0.55 for block in context.applicable_blocks(goal) for q in block.active_questions}


def exit_values(measure, rng, cats, entry_date, goal, context, last_day, destination=None):
    destination = destination or rng.choice(cats.destinations)
    exit_date = last_day if destination.is_carry_over else entry_date + datetime.timedelta(
        days=rng.randint(0, max(0, (last_day - entry_date).days))
    )
    values = {
        "exit_date": exit_date,
        "destination": destination,
        "exit_reason": None,
        "exit_reason_other": "",
        "completed_measure": rng.random() < 0.75,
        "main_goal_reached": rng.random() < 0.6,
        "exam_passed": (rng.random() < 0.8) if context.asks_exam_passed else None,
        "exit_answers": answers(context, goal, rng),
    }
    if destination.requires_exit_reason:
        values["exit_reason"] = rng.choice(cats.exit_reasons)
        if values["exit_reason"].requires_free_text:
            values["exit_reason_other"] = "Umzug ins Ausland"
    return values


def planned_statuses(measure, rng, count):
    """Every status in every 2026 measure; 2025 ones entry-complete (their annual report is sent),
    mostly left; the closed one all green."""
    if measure.number == CLOSED_MEASURE:
        return [ParticipantStatus.GREEN] * count
    if measure.budget_year == 2025:
        statuses, weights = [ParticipantStatus.YELLOW, ParticipantStatus.GREEN], (0.3, 0.7)
        planned = statuses + rng.choices(statuses, weights=weights, k=count - 2)
        rng.shuffle(planned)
        return planned
    weights = (0.2, 0.5, 0.3)
    statuses = [ParticipantStatus.RED, ParticipantStatus.YELLOW, ParticipantStatus.GREEN]
    planned = statuses + rng.choices(statuses, weights=weights, k=count - 3)
    rng.shuffle(planned)
    return planned


def seed_participants(measure, rng, cats, author, predecessor_rows, numbering, report):
    """Build values, check them with the rules (validation.py), store in bulk with their answers.

    IDs start with the provider's short code (the ZE's abbreviation when it runs the measure
    itself) and run on per code ("BWN-0001", ...), so a leak between tenants is visible.
    """
    from .validation import RuleContext, validate_participant

    context = RuleContext.for_measure(measure, with_pseudonyms={})
    prefix = measure.provider.abbreviation if measure.provider_id else measure.grant_recipient.abbreviation
    today = timezone.localdate()
    last_day = min(measure.end_date, today)
    span = max(0, (last_day - measure.start_date).days)
    count = rng.randint(20, 60)
    rows = []
    for old in predecessor_rows:  # V7: carried-over participants enter on the new measure's start
        values = entry_values(measure, rng, cats, old.pseudonym, measure.start_date, context)
        values["carried_over"] = True
        rows.append((values, old))
    statuses = planned_statuses(measure, rng, count)
    for index, status in enumerate(statuses, start=1):
        entry_date = measure.start_date + datetime.timedelta(days=rng.randint(0, span // 2))
        numbering[prefix] = numbering.get(prefix, 0) + 1
        pseudonym = f"{prefix}-{numbering[prefix]:04d}"
        values = entry_values(measure, rng, cats, pseudonym, entry_date, context)
        if status == ParticipantStatus.GREEN:
            destination = None
            if measure.number.startswith("AQB25-KS-M1") and index <= CARRY_OVER_COUNT:
                destination = cats.carry_over
            values.update(exit_values(measure, rng, cats, entry_date, values["goal"], context, last_day, destination))
        elif status == ParticipantStatus.RED:
            for name in rng.sample([n for n in OPTIONAL_ENTRY_FIELDS if values.get(n) is not None], 2):
                values[name] = None
        rows.append((values, None))
    import_rows = []
    for values, carried_from in rows:
        result = validate_participant(values, context=context)
        if result.errors:
            raise RuntimeError(f"Demodaten verletzen die Regeln ({measure.number}, {values['pseudonym']}): {result.errors}")
        import_rows.append(ImportRow(values=result.values, status=result.status, note="Demodaten",
                                     carried_over_from_id=carried_from.pk if carried_from else None))
    created = import_participants(author or SHELL, measure, import_rows, context=context,
                                  create_action=AuditAction.CREATE).created
    participants = list(Participant.objects.filter(pk__in=[row.participant_id for row in created]).order_by("pk"))
    report.created("Teilnehmende", f"{len(participants)} in {measure.number}")
    return participants




# kind, measure, day the report is "sent" (the pre-check's today), review steps (state, reason code, note)
DEMO_REPORTS = [
    ("closing", CLOSED_MEASURE, datetime.date(2026, 1, 20), [("in_review", None, ""), ("accepted", None, "")]),
    ("annual", "AQB25-KS-M1-01", datetime.date(2026, 1, 25), [("accepted", None, "")]),
    ("annual", "AQB25-KS-M2-01", datetime.date(2026, 1, 28), [("in_review", None, "")]),
    ("annual", "AQB25-FD-M1-01", datetime.date(2026, 1, 30),
     [("returned", "daten-unplausibel", "Bei mehreren Teilnehmenden liegt das Eintrittsdatum vor dem Maßnahmenbeginn; "
                                        "bitte prüfen und die Jahresmeldung erneut senden.")]),
    ("interim", "AQB25-FD-M3-01", datetime.date(2025, 6, 30), []),
    ("zero", ZERO_MEASURE, datetime.date(2026, 3, 2), []),
]


def seed_reports(measures, users, report):
    """Every kind of report in every review state, sent through the services like a clerk would.

    Idempotent: a measure that has a report already gets none.
    """
    from .models import Report, ReturnReason, User
    from .services.reports import do_review_report, do_submit_report

    reviewer = User.objects.filter(email="rp@aqb-demo.de").first()
    for kind, number, day, steps in DEMO_REPORTS:
        measure = measures.get(number)
        if measure is None or Report.objects.filter(measure=measure).exists():
            continue
        sender = users.get(measure.grant_recipient.abbreviation)
        sent_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 15)))
        sent = do_submit_report(sender, measure, kind, year=day.year - 1 if kind == "annual" else None, at=sent_at)
        report.created("Meldung", f"{sent.reference} {sent.get_kind_display()} {number}")
        for step, (state, reason_code, note) in enumerate(steps, start=1):
            reasons = list(ReturnReason.objects.filter(code=reason_code)) if reason_code else []
            do_review_report(reviewer, sent, state, reasons=reasons, note=note,
                             at=sent_at + datetime.timedelta(days=3 * step, hours=4))


# measure, field, proposed value, reason, decision (None: open; "applied"; "rejected" with a reason code)
DEMO_CHANGE_REQUESTS = [
    ("AQB26-KS-M1-01", "planned_participants", "45", "Nach Rücksprache mit dem Jobcenter fünf zusätzliche Plätze.", None),
    ("AQB26-FD-M1-01", "title", "Startklar Ausbildung Fulda und Hünfeld",
     "Die Maßnahme läuft seit März auch am Standort Hünfeld.", "applied"),
    ("AQB26-KS-M2-01", "end_date", "31.03.2027", "Verlängerung beantragt.", ("rejected", None)),
]


def seed_change_requests(measures, users, report):
    """An open, an applied and a rejected change request of master data; idempotent per measure."""
    from .models import ChangeRequest, RejectionReason, User
    from .services.change_requests import do_apply_change, do_reject_change, do_request_change

    reviewer = User.objects.filter(email="rp@aqb-demo.de").first()
    for number, field, text, reason, decision in DEMO_CHANGE_REQUESTS:
        measure = measures.get(number)
        if measure is None or ChangeRequest.objects.filter(measure=measure).exists():
            continue
        request = do_request_change(users.get(measure.grant_recipient.abbreviation), measure, field, text, reason)
        report.created("Änderungsanfrage", f"{number} {field}")
        if decision == "applied":
            do_apply_change(reviewer, request)
        elif decision is not None:
            do_reject_change(reviewer, request, list(RejectionReason.objects.order_by("sort_order")[:1]),
                             "Eine Verlängerung wird im Änderungsbescheid geregelt, nicht im Portal.")
