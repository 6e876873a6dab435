"""Seed the catalogues with the values of docs/domain-rules.md §2-§5.

This migration is the one place where the German choice lists are written in code;
afterwards they are data that RP editors maintain in the admin. Re-running it (e.g. on
a database where editors already changed labels) leaves existing codes untouched.
"""

from django.db import migrations

MEASURE_TYPES = [
    # code, label, monitoring, participant goal, exam question
    ("M1", "M1 Ausbildungsvorbereitung", True, True, False),
    ("M2", "M2 Ausbildung und Ausbildungscoaching", True, False, True),
    ("M3", "M3 Qualifizierungsprojekte zur Arbeitsmarktintegration/Fachkräftesicherung", True, False, False),
    ("M4", "M4 Weiterbildung für Personal der GK", False, False, False),
]

PROGRAMME_LINES = [
    ("standard", "Standard", False),
    ("schutzschirm", "Schutzschirm für Ausbildungssuchende", True),
    ("brueckenqualifizierung", "Brückenqualifizierung für Frauen", True),
]

M1_GOALS = [
    ("vermittlung-ausbildung", "Vermittlung der Teilnehmer in Ausbildung"),
    ("ausbildungsreife", "Verbesserung der Ausbildungsreife der Teilnehmer"),
    ("stabilisierung", "Stabilisierung der Teilnehmer als Grundlage der Entwicklung der Ausbildungsreife"),
]

M23_GOALS = [
    ("ausbildungsabschluss", "Erfolgreicher Ausbildungsabschluss"),
    ("integration-beschaeftigung", "Integration in Beschäftigung"),
    ("teilqualifikation", "Erwerb einer (Teil-)Qualifikation"),
]

SIMPLE = {
    "Gender": [
        ("weiblich", "weiblich"),
        ("maennlich", "männlich"),
        ("divers", "divers"),
        ("keine-angabe", "keine Angabe"),
    ],
    "SchoolAttendance": [
        ("keine-schule", "keine Schule"),
        ("allgemeinbildend", "allgemeinbildende Schule"),
        ("beruflich", "berufliche Schule (z. B. BFS, BVJ, InteA)"),
        ("berufsschule-ausbildung", "Berufsschule im Rahmen einer Ausbildung"),
    ],
    "EducationLevel": [
        ("ohne-abschluss", "ohne Schulabschluss"),
        ("hauptschule", "Hauptschulabschluss"),
        ("realschule", "Realschulabschluss/Mittlere Reife"),
        ("fachhochschulreife-abitur", "Fachhochschulreife/Abitur"),
        ("berufsausbildung", "abgeschlossene Berufsausbildung"),
        ("hochschule", "Hochschulabschluss"),
        ("auslaendisch-nicht-anerkannt", "ausländischer Abschluss (nicht anerkannt)"),
    ],
    "EmploymentStatus": [
        ("nicht-erwerbstaetig", "nicht erwerbstätig"),
        ("in-ausbildung", "in Ausbildung"),
        ("sv-pflichtig", "sozialversicherungspflichtig beschäftigt"),
        ("geringfuegig", "geringfügig beschäftigt"),
        ("selbstaendig", "selbständig"),
    ],
    "UnemploymentRegistration": [
        ("nicht-gemeldet", "nicht arbeitslos gemeldet"),
        ("agentur-sgb3", "bei der Agentur für Arbeit (SGB III)"),
        ("jobcenter-sgb2", "beim Jobcenter (SGB II)"),
    ],
    "Benefit": [
        ("keiner", "keiner"),
        ("sgb2", "SGB II"),
        ("sgb3", "SGB III"),
        ("sgb8", "SGB VIII"),
        ("sgb12", "SGB XII"),
        ("asylblg", "AsylbLG"),
    ],
}

DESTINATIONS = [
    # code, label, requires exit reason, carry-over
    ("schulische-ausbildung", "in einer schulischen Berufsausbildung", False, False),
    ("betriebliche-ausbildung", "in einer betrieblichen Berufsausbildung", False, False),
    ("bae", "in einer geförderten außerbetrieblichen (integr./koop.) Berufsausbildung (BaE)", False, False),
    ("schulbesuch", "Schulbesuch", False, False),
    ("bvb", "in einer Berufsvorbereitenden Bildungsmaßnahme der BA (BvB)", False, False),
    ("eq", "in einer Einstiegsqualifizierung (EQ)", False, False),
    ("qub", "in einer Maßnahme des ESF+-Programms \u201eQualifizierung und Beschäftigung junger Menschen (QuB)\u201c", False, False),
    ("wirtschaft-integriert", "in einer Maßnahme des Landesprogramms \u201eWirtschaft integriert\u201c", False, False),
    (
        "weitere-foerdermassnahme",
        "in einer weiteren durch die Agentur für Arbeit, das Jobcenter, das Jugendamt oder das Land Hessen "
        "geförderten Berufsvorbereitungs- bzw. Qualifizierungsmaßnahme (auch Sprachkurse und Maßnahmen beim Arbeitgeber)",
        False,
        False,
    ),
    ("sv-beschaeftigung", "in einer sv-pflichtigen Beschäftigung", False, False),
    ("geringfuegige-beschaeftigung", "in einer geringfügigen Beschäftigung", False, False),
    ("selbstaendig", "in einer selbständigen Tätigkeit", False, False),
    (
        "nicht-erwerbstaetig",
        "nicht erwerbstätig, nicht in Ausbildung, nicht in Qualifizierung oder Praktikum",
        True,
        False,
    ),
    ("fortsetzung-folgebudget", "setzt die Maßnahme im folgenden Budget fort", False, True),
]

EXIT_REASONS = [
    ("arbeitslos-gemeldet", "steht dem Arbeitsmarkt grundsätzlich zur Verfügung und ist arbeitslos gemeldet", False),
    ("mutterschutz-elternzeit", "Mutterschutz/Elternzeit", False),
    ("kinderbetreuung-u3", "Kinderbetreuung von Kindern unter 3 Jahren", False),
    ("pflege", "Pflege von Angehörigen", False),
    ("freiwilligendienst", "Freiwilligendienst/Wehrdienst", False),
    ("arbeitsunfaehigkeit", "Arbeitsunfähigkeit länger als 6 Wochen", False),
    ("erwerbsminderung-zeit", "Erwerbsminderung auf Zeit/Rechtskreiswechsel zu SGB XII Kap. 4", False),
    ("erwerbsminderung-dauer", "Erwerbsminderung auf Dauer/Rechtskreiswechsel zu SGB XII Kap. 3", False),
    ("erwerbsfaehigkeit-sgb2", "Erwerbsfähigkeit/Rechtskreiswechsel zu SGB II", False),
    ("wohnortwechsel", "Wohnortwechsel in einen anderen Zuständigkeitsbereich", False),
    ("sonstiger-grund", "sonstiger Grund, warum der ehemalige TN dem Arbeitsmarkt nicht zur Verfügung steht", True),
]

QUESTION_BLOCKS = [
    {
        "code": "ausbildungsreife",
        "label": "Ausbildungs- und Qualifizierungsreife",
        "goal": "ausbildungsreife",
        "questions": [
            ("basiskenntnisse", "Schulische Basiskenntnisse (Lesen, Schreiben, Rechnen) ausreichend",
             "Reichen Lesen, Schreiben und Rechnen für die angestrebte Ausbildung oder Qualifizierung aus?"),
            ("deutschkenntnisse", "Deutschkenntnisse ausreichend für eine Ausbildung",
             "Kann die Person dem Unterricht und der betrieblichen Kommunikation auf Deutsch folgen?"),
            ("berufswahl", "Berufswahlentscheidung getroffen",
             "Hat die Person einen Berufswunsch, der zu ihren Fähigkeiten passt?"),
            ("zuverlaessigkeit", "Zuverlässigkeit und Pünktlichkeit gegeben",
             "Erscheint die Person regelmäßig und pünktlich und hält Absprachen ein?"),
            ("belastbarkeit", "Belastbarkeit gegeben",
             "Hält die Person einen vollen Ausbildungs- oder Arbeitstag durch?"),
            ("bewerbungsunterlagen", "Bewerbungsunterlagen vollständig",
             "Liegen Lebenslauf, Anschreiben und Zeugnisse vollständig vor?"),
        ],
    },
    {
        "code": "rahmenbedingungen",
        "label": "Lebenswesentliche Rahmenbedingungen",
        "goal": "stabilisierung",
        "questions": [
            ("wohnsituation", "Wohnsituation geklärt", "Hat die Person eine gesicherte Unterkunft?"),
            ("finanzen", "Finanzielle Situation geregelt (keine akute Überschuldung)",
             "Ist der Lebensunterhalt gesichert und besteht keine akute Überschuldung?"),
            ("gesundheit", "Gesundheitliche Situation stabil",
             "Lässt die gesundheitliche Situation eine regelmäßige Teilnahme zu?"),
            ("sucht", "Keine akute Suchtproblematik", "Liegt keine akute Suchtproblematik vor?"),
            ("tagesstruktur", "Tagesstruktur vorhanden", "Hat die Person einen geregelten Tagesablauf?"),
            ("aufenthaltsstatus", "Aufenthaltsstatus geklärt",
             "Ist der Aufenthaltsstatus so geklärt, dass Ausbildung oder Arbeit möglich ist?"),
            ("betreuung-pflege", "Kinderbetreuung bzw. Pflege von Angehörigen geregelt",
             "Ist die Betreuung von Kindern oder pflegebedürftigen Angehörigen gesichert?"),
            ("mobilitaet", "Mobilität gegeben", "Kann die Person den Ausbildungs- oder Arbeitsort erreichen?"),
        ],
    },
]


def seed(apps, schema_editor):
    def upsert(model_name, code, label, order, **extra):
        model = apps.get_model("aqb_monitoring", model_name)
        obj, _created = model.objects.get_or_create(
            code=code, defaults={"label": label, "sort_order": order, **extra}
        )
        return obj

    types = {}
    for order, (code, label, monitoring, goal, exam) in enumerate(MEASURE_TYPES, start=1):
        types[code] = upsert(
            "MeasureType",
            code,
            label,
            order * 10,
            has_participant_monitoring=monitoring,
            requires_participant_goal=goal,
            asks_exam_passed=exam,
        )
    for order, (code, label, interim) in enumerate(PROGRAMME_LINES, start=1):
        upsert("ProgrammeLine", code, label, order * 10, has_interim_due_dates=interim)

    participant_goals = {}
    for order, (code, label) in enumerate(M1_GOALS, start=1):
        goal = upsert("MainGoal", code, label, order * 10)
        goal.measure_types.add(types["M1"])
        participant_goals[code] = upsert("ParticipantGoal", code, label, order * 10)
    for order, (code, label) in enumerate(M23_GOALS, start=len(M1_GOALS) + 1):
        goal = upsert("MainGoal", code, label, order * 10)
        goal.measure_types.add(types["M2"], types["M3"])

    for model_name, entries in SIMPLE.items():
        for order, (code, label) in enumerate(entries, start=1):
            upsert(model_name, code, label, order * 10)
    for order, (code, label, needs_reason, carry_over) in enumerate(DESTINATIONS, start=1):
        upsert("Destination", code, label, order * 10, requires_exit_reason=needs_reason, is_carry_over=carry_over)
    for order, (code, label, free_text) in enumerate(EXIT_REASONS, start=1):
        upsert("ExitReason", code, label, order * 10, requires_free_text=free_text)

    for block_order, spec in enumerate(QUESTION_BLOCKS, start=1):
        block = upsert("QuestionBlock", spec["code"], spec["label"], block_order * 10)
        block.measure_types.add(types["M3"])
        block.participant_goals.add(participant_goals[spec["goal"]])
        for order, (code, label, help_text) in enumerate(spec["questions"], start=1):
            upsert("Question", f"{spec['code']}-{code}", label, order * 10, block=block, help_text=help_text)


class Migration(migrations.Migration):
    dependencies = [("aqb_monitoring", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
