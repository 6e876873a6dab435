"""The German texts of the demo site: pages, contacts and news, as raw StreamField data.

Written from the reference documents (service description, portal handbook, the AQB
team's slides of 13.11.2025) for the readers of this portal: clerks of the grant
recipients, staff of the providers, and the public. References to snippets and
documents are symbolic ("contact:aqb_team", "document:antrag") and resolved by demo.py.
"""

import datetime

from .models import DownloadsPage, GuidanceIndexPage, NewsIndexPage, StandardPage

AQB_MAIL = '<a href="mailto:AQBudget@rpks.hessen.de">AQBudget@rpks.hessen.de</a>'


def heading(text, level="h2"):
    return {"type": "heading", "value": {"text": text, "level": level}}


def text(html):
    return {"type": "paragraph", "value": html}


def callout(html, title="", kind="info"):
    return {"type": "callout", "value": {"kind": kind, "title": title, "text": html}}


def faq(title, items):
    return {"type": "faq", "value": {"title": title, "items": [{"question": q, "answer": a} for q, a in items]}}


def contact(key):
    return {"type": "contact", "value": {"contact": f"contact:{key}"}}


def timeline(title, entries):
    return {"type": "timeline", "value": {"title": title, "entries": [{"when": w, "text": t} for w, t in entries]}}


def document(key, title=""):
    return {"type": "document", "value": {"document": f"document:{key}", "title": title}}


def download_group(title, explanation, keys):
    return {
        "type": "group",
        "value": {"heading": title, "text": explanation, "documents": [f"document:{k}" for k in keys]},
    }


# ---------------------------------------------------------------------------
# Contacts (snippets)
# ---------------------------------------------------------------------------

CONTACTS = {
    "aqb_team": {
        "name": "AQB-Team des Regierungspräsidiums Kassel",
        "organisation_unit": "Regierungspräsidium Kassel, Dezernat 57 – Förderungen, AQB-Team",
        "email": "AQBudget@rpks.hessen.de",
        "phones": [
            {"type": "phone", "value": {"label": "AQB-Team – Frau Löwer", "number": "0561 106-4092"}},
            {"type": "phone", "value": {"label": "AQB-Team – Frau Oetzel", "number": "0561 106-2732"}},
            {"type": "phone", "value": {"label": "AQB-Team – Frau Funke", "number": "0561 106-4170"}},
            {"type": "phone", "value": {"label": "AQB-Team – Frau Pilgram", "number": "0561 106-4084"}},
            {"type": "phone", "value": {"label": "AQB-Team – Frau Teske", "number": "0561 106-2730"}},
        ],
        "address": "Regierungspräsidium Kassel\nDezernat 57 – AQB-Team\nKurt-Schumacher-Str. 2\n34117 Kassel",
        "note": (
            "Bei allen technischen und fachlichen Fragen zum AQB und zum Portal wenden Sie sich bitte "
            "ausschließlich an das RP Kassel. Probleme, die das RP Kassel nicht selbst lösen kann, leitet es "
            "an den technischen Support weiter."
        ),
    },
    "postanschrift": {
        "name": "Regierungspräsidium Kassel – Postanschrift",
        "organisation_unit": "Dezernat Soziales und Förderwesen",
        "email": "AQBudget@rpks.hessen.de",
        "phones": [],
        "address": "Regierungspräsidium Kassel\nDezernat Soziales und Förderwesen\nKurt-Schumacher-Str. 2\n34117 Kassel",
        "note": "Anträge, Verwendungsnachweise und sonstige Unterlagen senden Sie bitte an diese Anschrift.",
    },
}

# ---------------------------------------------------------------------------
# Start page
# ---------------------------------------------------------------------------

HOME = {
    "title": "Ausbildungs- und Qualifizierungsbudget (AQB)",
    "seo_title": "Startseite",
    "slug": "start",
    "intro": (
        "<p>Mit dem Ausbildungs- und Qualifizierungsbudget fördert das Land Hessen die Integration "
        "benachteiligter Menschen in Ausbildung und Arbeit. Dieses Portal des Regierungspräsidiums Kassel "
        "informiert über das Programm, erklärt das Teilnehmenden-Monitoring und bietet Formulare und "
        "Neuigkeiten für alle, die am AQB mitwirken.</p>"
    ),
    "entry_points": [
        (
            "Zuwendungsempfänger",
            "Landkreise und kreisfreie Städte: Monitoring, Meldungen an das RP Kassel, Formulare und Ansprechpersonen.",
            ["hinweise", "meldungen", "downloads", "kontakt"],
        ),
        (
            "Träger",
            "Bildungs- und Beschäftigungsträger: Teilnehmende erfassen, Excel-Vorlage nutzen, Daten importieren.",
            ["teilnehmende-erfassen", "excel-export-und-import", "status-der-datensaetze", "downloads"],
        ),
        (
            "Öffentlichkeit",
            "Was das AQB fördert, wer es beantragen kann und was es Neues gibt.",
            ["programm", "aktuelles", "kontakt"],
        ),
    ],
    "body": [
        heading("Das AQB in Kürze"),
        text(
            "<p>Das Land unterstützt mit dem AQB die 26 hessischen Landkreise und kreisfreien Städte bei der "
            "Umsetzung ihrer regionalen Förderansätze: von der Ausbildungsvorbereitung über Ausbildung und "
            "Ausbildungscoaching bis zu Qualifizierungsprojekten für Arbeitsmarktintegration und "
            "Fachkräftesicherung. Die Gebietskörperschaften setzen die Maßnahmen gemeinsam mit Bildungs- und "
            "Beschäftigungsträgern um; das Regierungspräsidium Kassel bewilligt die Mittel und begleitet die "
            'Umsetzung. <a href="/programm/">Mehr über das Programm</a></p>'
        ),
        callout(
            "<p>Zuwendungsempfänger und Träger erfassen ihre Teilnehmenden im Portal. Melden Sie sich über "
            "„Anmelden“ oben rechts mit Ihrer E-Mail-Adresse an. Wie das geht, steht in den "
            '<a href="/hinweise/">Hinweisen zum Monitoring</a>.</p>',
            title="Teilnehmenden-Monitoring",
        ),
    ],
}

# ---------------------------------------------------------------------------
# Pages in the main navigation (children of the start page, in menu order)
# ---------------------------------------------------------------------------

PROGRAMME = {
    "type": StandardPage,
    "slug": "programm",
    "title": "Das Programm",
    "show_in_menus": True,
    "intro": (
        "Mit dem Ausbildungs- und Qualifizierungsbudget unterstützt das Land Hessen die Landkreise und "
        "kreisfreien Städte dabei, benachteiligte Menschen in Ausbildung und Arbeit zu bringen."
    ),
    "body": [
        heading("Ziel"),
        text(
            "<p>Ziel der regionalisierten Arbeitsmarktförderung ist die Integration benachteiligter Menschen in "
            "den Ausbildungs- und Arbeitsmarkt und die Mobilisierung von Talentreserven für die "
            "Fachkräftesicherung in Hessen.</p>"
            "<p>Hessen versteht Arbeitsmarktpolitik als regionale Aufgabe: Förderung wirkt dort am besten, wo "
            "die Akteure vor Ort eng zusammenarbeiten – Jobcenter, Sozialamt, Jugendamt, Wirtschaftsförderung "
            "und Sozialplanung. Weil die Landkreise und kreisfreien Städte sehr unterschiedlich aufgestellt "
            "sind, brauchen sie auch unterschiedliche Strategien. Das AQB lässt ihnen dafür Raum.</p>"
        ),
        heading("Grundlage der Förderung"),
        text(
            "<p>Grundlage sind die jährlichen Zielvereinbarungen zwischen dem Hessischen Ministerium für "
            "Soziales und Integration und den Landkreisen und kreisfreien Städten. Voraussetzung für die "
            "Förderung ist, dass die Gebietskörperschaft eine regionale Ausbildungs- und "
            "Arbeitsmarktstrategie vorlegt.</p>"
        ),
        heading("Die vier Maßnahmearten"),
        text(
            "<p>Gefördert werden Maßnahmen dieser vier Arten:</p>"
            "<ul>"
            "<li><b>M1 – Ausbildungsvorbereitung:</b> Junge Menschen werden an eine Ausbildung herangeführt, "
            "ihre Ausbildungsreife wird verbessert oder ihre Lebenssituation zunächst stabilisiert.</li>"
            "<li><b>M2 – Ausbildung und Ausbildungscoaching</b> in anerkannten Ausbildungsberufen: "
            "Auszubildende werden bis zum erfolgreichen Abschluss begleitet.</li>"
            "<li><b>M3 – Qualifizierungsprojekte</b> zur Arbeitsmarktintegration und Fachkräftesicherung.</li>"
            "<li><b>M4 – Weiterbildung für Personal</b> der Landkreise und kreisfreien Städte, das fachlich "
            "für die in den Fördergrundsätzen genannten Zielgruppen verantwortlich ist.</li>"
            "</ul>"
        ),
        callout(
            "<p>Für Maßnahmen der Arten M1 bis M3 werden die Teilnehmenden im Portal erfasst. "
            "M4-Maßnahmen richten sich an Beschäftigte der Verwaltung; für sie gibt es kein "
            'Teilnehmenden-Monitoring. Mehr dazu in den <a href="/hinweise/">Hinweisen zum Monitoring</a>.</p>',
            title="Monitoring",
        ),
        heading("Wer kann Fördermittel beantragen?"),
        text(
            "<p>Antragsberechtigt sind die hessischen Landkreise und kreisfreien Städte. Bildungs- und "
            "Beschäftigungsträger beantragen nicht selbst: Sie werden über die regionale Steuerung der Budgets "
            "in die Umsetzung einbezogen und führen Maßnahmen im Auftrag der Gebietskörperschaft durch.</p>"
        ),
        heading("Wer setzt das Programm um?"),
        text(
            "<p>Die administrative Umsetzung des AQB liegt seit 2015 beim Regierungspräsidium Kassel. Es arbeitet "
            "dabei mit der Gesellschaft für Arbeit und Beschäftigung Limburg zusammen. Die Formulare für Antrag, "
            'Mittelabruf und Verwendungsnachweis finden Sie unter <a href="/downloads/">Downloads</a>.</p>'
        ),
        contact("aqb_team"),
    ],
}

GUIDANCE_INDEX = {
    "type": GuidanceIndexPage,
    "slug": "hinweise",
    "title": "Hinweise zum Monitoring",
    "show_in_menus": True,
    "intro": (
        "Schritt für Schritt: wie Sie im AQB-Portal Teilnehmende erfassen, prüfen und an das "
        "Regierungspräsidium Kassel melden. Für die Sachbearbeitung bei den Zuwendungsempfängern und für die Träger."
    ),
    "body": [
        heading("Warum Monitoring?"),
        text(
            "<p>Nach den Fördergrundsätzen des AQB stellen die Zuwendungsempfänger dem Regierungspräsidium Kassel "
            "die Daten zur Verfügung, die es für die Begleitung und Bewertung der Förderung braucht. Dafür stellt "
            "das RP Kassel das AQB-Portal kostenfrei bereit. Die Teilnehmenden erfasst entweder der "
            "Zuwendungsempfänger selbst oder der beauftragte Träger, der die Maßnahme durchführt.</p>"
        ),
        callout(
            "<ul><li>Teilnehmende werden <b>ohne Namen</b> erfasst, nur mit einer selbst gewählten ID.</li>"
            "<li>Die <b>Jahresmeldung</b> ist bis zum 31. Januar für das Vorjahr fällig.</li>"
            "<li>Beendete Maßnahmen schließen Sie <b>innerhalb von vier Wochen</b> nach Maßnahmenende ab.</li></ul>",
            title="Das Wichtigste in Kürze",
        ),
        contact("aqb_team"),
    ],
}

DOWNLOADS = {
    "type": DownloadsPage,
    "slug": "downloads",
    "title": "Downloads",
    "show_in_menus": True,
    "intro": "Formulare und Vorlagen für Antrag, Umsetzung und Nachweis des Ausbildungs- und Qualifizierungsbudgets.",
    "participant_template_text": (
        "Für die Erfassung vieler Teilnehmender auf einmal und für den Excel-Import ins Monitoring. Die Vorlage "
        "wird bei jedem Abruf aus den aktuellen Auswahllisten erzeugt – so arbeiten Sie nie mit einer veralteten "
        "Fassung."
    ),
    "groups": [
        download_group(
            "Antrag und Änderungen",
            "Für die Beantragung des Budgets durch die Landkreise und kreisfreien Städte.",
            ["antrag", "aenderungsantrag", "massnahmendetails", "zielvereinbarung"],
        ),
        download_group(
            "Mittelabruf und Planung",
            "Für die Planung der Maßnahmen und den Abruf bewilligter Mittel.",
            ["detailplanung", "mittelabruf"],
        ),
        download_group(
            "Nachweis der Verwendung",
            "Nach Ende des Budgetjahres: zahlenmäßiger Nachweis, Sachbericht und Belege.",
            ["verwendungsnachweis", "sachbericht", "belegliste"],
        ),
    ],
    "body": [
        callout(
            "<p>Bitte verwenden Sie immer die Fassung von dieser Seite. Fragen zu den Formularen beantwortet das "
            f"AQB-Team: {AQB_MAIL}.</p>",
            title="Aktuelle Fassungen",
        ),
        contact("postanschrift"),
    ],
}

NEWS_INDEX = {
    "type": NewsIndexPage,
    "slug": "aktuelles",
    "title": "Aktuelles",
    "show_in_menus": True,
    "intro": "Neuigkeiten des AQB-Teams zum Programm und zum Teilnehmenden-Monitoring.",
}

CONTACT_PAGE = {
    "type": StandardPage,
    "slug": "kontakt",
    "title": "Kontakt und Support",
    "show_in_menus": True,
    "intro": (
        "Bei allen technischen und fachlichen Fragen zum AQB und zum Portal hilft Ihnen das AQB-Team des "
        "Regierungspräsidiums Kassel, Dezernat 57."
    ),
    "body": [
        contact("aqb_team"),
        callout(
            "<p>Wenden Sie sich bitte ausschließlich an das RP Kassel. Kann das AQB-Team ein Problem nicht selbst "
            "lösen, leitet es Ihr Anliegen an den technischen Support weiter – darum müssen Sie sich nicht "
            "kümmern.</p>",
            title="Ein Ansprechpartner für alles",
        ),
        heading("Zugänge zum Portal"),
        text(
            "<ul>"
            "<li><b>Mitarbeitende der Landkreise und kreisfreien Städte</b> erhalten ihren Zugang vom AQB-Team. "
            "Schicken Sie Name und E-Mail-Adresse neuer Personen – oder der Personen, deren Zugang gelöscht werden "
            f"soll – an Ihre zuständige Sachbearbeiterin oder an {AQB_MAIL}.</li>"
            "<li><b>Mitarbeitende der Träger</b> erhalten ihren Zugang von dem Landkreis oder der kreisfreien Stadt, "
            "für die der Träger Maßnahmen durchführt.</li>"
            "<li><b>Fehlt ein Träger oder eine Maßnahme</b>, informieren Sie bitte das RP Kassel: Beide werden aus "
            "der AQB-Datenbank des RP übernommen und nicht im Portal angelegt.</li>"
            "</ul>"
        ),
        faq(
            "Häufige Fragen",
            [
                (
                    "Was sollte meine Anfrage enthalten?",
                    "<p>Die Maßnahmennummer (z. B. AQB26-KS-M1-01), was Sie getan haben und welche Meldung das "
                    "Portal angezeigt hat. Nennen Sie Teilnehmende nur mit ihrer Teilnehmenden-ID – niemals mit "
                    "Namen.</p>",
                ),
                (
                    "Ich habe mein Passwort vergessen.",
                    "<p>Das können Sie selbst lösen: Klicken Sie auf der Anmeldeseite auf „Passwort vergessen?“. "
                    'Mehr unter <a href="/hinweise/anmeldung-und-passwort/">Anmeldung und Passwort</a>.</p>',
                ),
                (
                    "Die Stammdaten einer Maßnahme stimmen nicht.",
                    "<p>Stellen Sie als Zuwendungsempfänger in der Maßnahme eine Änderungsanfrage zu den "
                    "Stammdaten. Das RP Kassel prüft sie und passt die Daten an.</p>",
                ),
            ],
        ),
        heading("Postanschrift"),
        contact("postanschrift"),
    ],
}

MENU_PAGES = [PROGRAMME, GUIDANCE_INDEX, DOWNLOADS, NEWS_INDEX, CONTACT_PAGE]

# ---------------------------------------------------------------------------
# Guidance topics (children of "Hinweise zum Monitoring"): the rules of docs/domain-rules.md for users
# ---------------------------------------------------------------------------

GUIDANCE_TOPICS = [
    {
        "slug": "anmeldung-und-passwort",
        "title": "Anmeldung und Passwort",
        "intro": "Wie Sie Ihren Zugang erhalten, sich anmelden, Ihr Passwort wählen und es zurücksetzen, wenn Sie es vergessen haben.",
        "body": [
            heading("Wer erhält einen Zugang?"),
            text(
                "<p>Die Zugänge der Mitarbeitenden bei den Landkreisen und kreisfreien Städten legt das AQB-Team "
                "des RP Kassel an. Die Zugänge der Mitarbeitenden bei den Trägern legt der jeweilige "
                "Zuwendungsempfänger an. Träger können selbst keine Zugänge anlegen.</p>"
                "<p>Zuwendungsempfänger sehen und bearbeiten alle eigenen Maßnahmen und melden die Daten an das "
                "RP Kassel. Träger sehen die Maßnahmen, die sie durchführen, und erfassen dort die Teilnehmenden.</p>"
            ),
            heading("Anmelden"),
            text(
                "<p>Klicken Sie oben rechts auf jeder Seite auf <b>„Anmelden“</b> oder öffnen Sie direkt "
                '<a href="/admin/">/admin/</a>. Sie melden sich mit Ihrer <b>E-Mail-Adresse</b> und Ihrem '
                "Passwort an. Danach sehen Sie die Verwaltungsoberfläche des Portals mit Ihren Maßnahmen.</p>"
            ),
            heading("Das erste Passwort"),
            text(
                "<p>Sobald Ihr Zugang angelegt ist, erhalten Sie eine E-Mail mit einem Link, über den Sie Ihr "
                "Passwort selbst wählen. Alternativ teilt Ihnen die Person, die Ihren Zugang angelegt hat, ein "
                "Einmal-Passwort mit: Damit melden Sie sich an und legen gleich danach ein eigenes Passwort fest.</p>"
            ),
            callout(
                "<p>Das Passwort muss mindestens 8 Zeichen lang sein und enthalten:</p>"
                "<ul><li>mindestens zwei Ziffern,</li><li>mindestens zwei Kleinbuchstaben,</li>"
                "<li>mindestens zwei Großbuchstaben,</li>"
                "<li>mindestens zwei dieser Sonderzeichen: ! $ ' # %</li></ul>",
                title="Anforderungen an das Passwort",
            ),
            heading("Passwort vergessen oder Link abgelaufen"),
            text(
                "<p>Klicken Sie auf der Anmeldeseite auf <b>„Passwort vergessen?“</b> und geben Sie Ihre "
                "E-Mail-Adresse ein. Sie erhalten eine E-Mail mit einem Link, über den Sie ein neues Passwort "
                "wählen. Ist der Link abgelaufen, fordern Sie auf demselben Weg einfach einen neuen an.</p>"
            ),
            heading("Passwort ändern und abmelden"),
            text(
                "<p>Ihr Passwort können Sie jederzeit selbst ändern: Klicken Sie unten links in der Seitenleiste "
                "auf Ihren Namen und öffnen Sie <b>„Benutzerkonto“</b>. Über <b>„Abmelden“</b> an derselben Stelle "
                "verlassen Sie das Portal. Eingaben, die Sie bis dahin nicht gespeichert haben, gehen dabei "
                "verloren.</p>"
            ),
            callout(
                "<p>Wird mehrmals hintereinander ein falsches Passwort eingegeben, sperrt das Portal die Anmeldung "
                "für dieses Konto zum Schutz vorübergehend (in der Regel für 30 Minuten). Warten Sie die Sperre ab "
                "und setzen Sie Ihr Passwort gegebenenfalls zurück.</p>",
                title="Sperre nach Fehlversuchen",
                kind="warning",
            ),
            faq(
                "Häufige Fragen",
                [
                    (
                        "Ich erhalte keine E-Mail zum Zurücksetzen.",
                        "<p>Sehen Sie im Spam-Ordner nach und prüfen Sie, ob Sie die E-Mail-Adresse eingegeben haben, "
                        "mit der Ihr Zugang angelegt wurde. Hilft das nicht, wenden Sie sich als Zuwendungsempfänger an "
                        "das AQB-Team, als Träger an Ihren Zuwendungsempfänger.</p>",
                    ),
                    (
                        "Meine E-Mail-Adresse hat sich geändert.",
                        "<p>Da Sie sich mit Ihrer E-Mail-Adresse anmelden, muss sie im Portal geändert werden: bei "
                        "Zuwendungsempfängern durch das AQB-Team, bei Trägern durch den Zuwendungsempfänger.</p>",
                    ),
                ],
            ),
        ],
    },
    {
        "slug": "uebersicht-massnahmen",
        "title": "Übersicht Ihrer Maßnahmen",
        "intro": "Nach der Anmeldung sehen Sie alle Maßnahmen, für die Sie zuständig sind. Von hier aus erreichen Sie Teilnehmende, Exporte und Meldungen.",
        "body": [
            text(
                "<p>Im Menü <b>„Meine Maßnahmen“</b> finden Sie alle Maßnahmen, auf die Sie Zugriff haben: als "
                "Zuwendungsempfänger alle Ihre Maßnahmen, als Träger die Maßnahmen, die Sie durchführen. Die "
                "Übersicht zeigt zu jeder Maßnahme Nummer, Titel, Laufzeit, Träger und den Stand der Erfassung.</p>"
            ),
            heading("Woher kommen die Maßnahmen?"),
            text(
                "<p>Maßnahmen und Träger werden nicht im Portal angelegt, sondern vom RP Kassel aus seiner "
                "AQB-Datenbank übernommen. Fehlt Ihnen eine Maßnahme oder ein Träger, wenden Sie sich bitte an das "
                "RP Kassel.</p>"
            ),
            heading("Suchen, filtern, sortieren"),
            text(
                "<p>Über das Suchfeld finden Sie eine Maßnahme nach Nummer oder Titel. Mit den Filtern grenzen "
                "Sie die Liste ein, etwa nach Budgetjahr oder Maßnahmeart. Ein Klick auf eine Spaltenüberschrift "
                "sortiert die Liste, ein zweiter Klick kehrt die Reihenfolge um.</p>"
            ),
            heading("Die Maßnahmennummer lesen"),
            text(
                "<p>Die Nummer setzt sich aus Programm und Budgetjahr, dem Kürzel der Gebietskörperschaft, der "
                "Maßnahmeart und einer laufenden Nummer zusammen. <b>AQB18-WMK-M1-01</b> ist zum Beispiel die erste "
                "M1-Maßnahme des Werra-Meißner-Kreises im Budget 2018.</p>"
            ),
            heading("Stammdaten prüfen"),
            text(
                "<p>Prüfen Sie beim Öffnen einer Maßnahme, ob Titel, Laufzeit, Hauptziel und Träger stimmen. Stimmt "
                "etwas nicht, stellen Sie als Zuwendungsempfänger eine <b>Änderungsanfrage zu den Stammdaten</b>. "
                "Die Anfrage ändert die Maßnahme noch nicht: Das RP Kassel prüft sie und übernimmt die Änderung. "
                "Träger wenden sich in diesem Fall an ihren Zuwendungsempfänger.</p>"
            ),
            callout(
                "<p>Als Zuwendungsempfänger pflegen Sie die Kontakt-E-Mail-Adressen Ihrer Träger und legen die "
                "Zugänge der Mitarbeitenden Ihrer Träger an. An die Kontakt-Adresse schickt das Portal "
                "Benachrichtigungen, zum Beispiel wenn ein Träger die Erfassung einer Maßnahme abgeschlossen hat. "
                "Tragen Sie die Adressen deshalb gleich nach der ersten Anmeldung ein.</p>",
                title="Nur für Zuwendungsempfänger",
            ),
        ],
    },
    {
        "slug": "teilnehmende-erfassen",
        "title": "Teilnehmende erfassen",
        "intro": "Teilnehmende werden pseudonymisiert erfasst: ohne Namen, mit einer selbst gewählten ID. So legen Sie einen Datensatz an und vervollständigen ihn.",
        "body": [
            heading("Wer wird erfasst?"),
            text(
                "<p>Erfasst werden Personen, die über einen längeren Zeitraum an einer Maßnahme oder "
                "Beratungseinheit teilnehmen. Nicht erfasst werden Personen, die nur einmal an einer Veranstaltung, "
                "einer Messe oder einem Beratungsgespräch teilnehmen. Sie können Teilnehmende schon während der "
                "Maßnahme erfassen – am besten gleich bei Eintritt.</p>"
            ),
            heading("Einen Datensatz anlegen"),
            text(
                "<p>Öffnen Sie die Maßnahme und dort die Liste der Teilnehmenden. Über <b>„Teilnehmende(n) erfassen“</b> öffnen "
                "Sie das Erfassungsformular. Pflichtangaben sind mit * gekennzeichnet.</p>"
            ),
            callout(
                "<p>Die <b>Teilnehmenden-ID</b> wählen Sie frei. Sie darf nur Buchstaben (A–Z, a–z), Ziffern und "
                "den Bindestrich enthalten und muss innerhalb der Maßnahme eindeutig sein. Vor- oder Nachnamen sind "
                "als ID nicht zulässig.</p>",
                title="Keine Namen",
                kind="warning",
            ),
            heading("Angaben bei Eintritt"),
            text(
                "<p>Eintrittsdatum, Geschlecht, Geburtsjahr, Migrationshintergrund, Schwerbehinderung, Kinder im "
                "Haushalt und Alleinerziehend, Schulbesuch, Bildungsstand, Erwerbstätigkeit, Arbeitslosmeldung und "
                "Leistungsbezug – jeweils bezogen auf den Tag des Eintritts. In M1-Maßnahmen wählen Sie außerdem das "
                "<b>TN-Ziel</b>.</p>"
            ),
            faq(
                "Erläuterungen zu einzelnen Angaben",
                [
                    (
                        "Migrationshintergrund",
                        "<p>Ja, wenn die Person keine deutsche Staatsangehörigkeit besitzt, außerhalb Deutschlands "
                        "geboren ist oder mindestens ein Elternteil außerhalb Deutschlands geboren ist.</p>",
                    ),
                    (
                        "Schwerbehindert",
                        "<p>Ja, wenn der Grad der Behinderung mindestens 50 beträgt oder die Person einem "
                        "schwerbehinderten Menschen gleichgestellt ist.</p>",
                    ),
                    (
                        "Geburtsjahr",
                        "<p>Erfasst wird nur das Jahr, nicht das vollständige Geburtsdatum. Das genügt für die "
                        "Altersprüfung und hält die Daten sparsam.</p>",
                    ),
                    (
                        "Bildungsstand",
                        "<p>Der höchste Abschluss bei Eintritt. Bei Geflüchteten kann die Einordnung nach "
                        "Selbstauskunft erfolgen.</p>",
                    ),
                    (
                        "Arbeitslosmeldung und Leistungsbezug",
                        "<p>Wo und nach welchen Rechtsvorschriften die Person arbeitslos gemeldet ist, und ob sie bei "
                        "Eintritt Leistungen nach dem SGB oder dem Asylbewerberleistungsgesetz bezieht.</p>",
                    ),
                ],
            ),
            heading("Detailangaben in M1 und M3"),
            text(
                "<p>In M1 entscheidet das TN-Ziel, welche zusätzlichen Fragen zu beantworten sind:</p>"
                "<ul><li>„Verbesserung der Ausbildungsreife der Teilnehmer“: Fragen zur "
                "<b>Ausbildungs- und Qualifizierungsreife</b>,</li>"
                "<li>„Stabilisierung der Teilnehmer als Grundlage der Entwicklung der Ausbildungsreife“: Fragen zu "
                "den <b>lebenswesentlichen Rahmenbedingungen</b>,</li>"
                "<li>„Vermittlung der Teilnehmer in Ausbildung“: keine zusätzlichen Fragen.</li></ul>"
                "<p>In M3 sind beide Fragenblöcke immer zu beantworten. Jede Frage beantworten Sie mit Ja oder "
                "Nein – einmal bei Eintritt und noch einmal bei Austritt.</p>"
            ),
            heading("Angaben bei Austritt"),
            text(
                "<p>Tritt eine Person aus, tragen Sie ein: Austrittsdatum, Verbleib, ob die Maßnahme vollständig "
                "durchlaufen und ob das Hauptziel der Maßnahme erreicht wurde; in M2 außerdem, ob die Prüfung "
                "bestanden wurde. Maßgeblich für den Verbleib ist die Situation bis spätestens vier Wochen nach dem "
                "Austritt. Lautet der Verbleib „nicht erwerbstätig, nicht in Ausbildung, nicht in Qualifizierung "
                "oder Praktikum“, wählen Sie zusätzlich den Austrittsgrund; bei „sonstiger Grund“ beschreiben Sie ihn "
                "kurz in eigenen Worten.</p>"
                "<p>Das Austrittsdatum tragen Sie am Tag des Austritts ein und speichern es auch allein. Die übrigen "
                "Austrittsangaben ergänzen Sie, sobald sie bekannt sind. Bis dahin bleibt der Datensatz gelb und "
                "nennt unter „Austrittsangaben unvollständig“, was noch fehlt.</p>"
            ),
            heading("Speichern, korrigieren, löschen"),
            text(
                "<p>Sie können einen Datensatz auch unvollständig speichern; sein "
                '<a href="/hinweise/status-der-datensaetze/">Status</a> zeigt, was noch fehlt. Ungültige Angaben – '
                "etwa ein Eintrittsdatum vor Maßnahmenbeginn – werden nicht gespeichert, sondern am Feld erklärt. "
                "Eine falsche Auswahl überschreiben Sie mit der richtigen; mit „Auswählen“ nehmen Sie eine Antwort "
                "zurück. Löschen können Sie Teilnehmende nur, solange der Maßnahmenabschluss noch nicht gemeldet ist.</p>"
            ),
        ],
    },
    {
        "slug": "pruefregeln",
        "title": "Prüfregeln bei der Erfassung",
        "intro": "Das Portal prüft jede Eingabe sofort – im Formular ebenso wie beim Excel-Import. Diese Regeln gelten.",
        "body": [
            text(
                "<ol>"
                "<li>Alle Pflichtfelder (*) müssen ausgefüllt sein, bevor der Datensatz gemeldet werden kann.</li>"
                "<li>Jede Teilnehmenden-ID gibt es pro Maßnahme nur einmal. Wer austritt und später wieder in "
                "dieselbe Maßnahme eintritt, erhält eine neue ID.</li>"
                "<li>Teilnehmende sind bei Eintritt mindestens 10 und höchstens 70 Jahre alt (Eintrittsjahr minus "
                "Geburtsjahr).</li>"
                "<li>Das Eintrittsdatum liegt nicht vor dem Beginn der Maßnahme.</li>"
                "<li>Das Austrittsdatum liegt nicht vor dem Eintrittsdatum.</li>"
                "<li>Das Austrittsdatum liegt nicht nach dem Ende der Maßnahme.</li>"
                "<li>Teilnehmende, die aus dem vorangegangenen Budget übernommen werden, treten am Beginn-Datum der "
                "neuen Maßnahme ein.</li>"
                "<li>Teilnehmende, die im folgenden Budget weitermachen, treten am Ende-Datum der alten Maßnahme aus, "
                "mit dem Verbleib „setzt die Maßnahme im folgenden Budget fort“.</li>"
                "<li>Austrittsangaben gibt es nur mit Austrittsdatum. Das Austrittsdatum allein darf gespeichert "
                "werden; bis alle Austrittsangaben ausgefüllt sind, bleibt der Datensatz gelb.</li>"
                "<li>Nach dem Maßnahmenabschluss können die Daten der Maßnahme nicht mehr geändert werden.</li>"
                "</ol>"
            ),
            callout(
                "<p>Verstößt eine Eingabe gegen eine Regel, nennt das Portal den Grund direkt am Feld. Solche "
                "Werte werden nicht gespeichert; alle übrigen Angaben bleiben erhalten.</p>",
                title="So zeigt das Portal Fehler",
            ),
            faq(
                "Häufige Fragen",
                [
                    (
                        "Das Portal meldet ein ungültiges Alter.",
                        "<p>Prüfen Sie das Geburtsjahr und das Eintrittsdatum: Das Alter ergibt sich aus Eintrittsjahr "
                        "minus Geburtsjahr und muss zwischen 10 und 70 liegen.</p>",
                    ),
                    (
                        "In einer abgeschlossenen Maßnahme ist ein Fehler.",
                        "<p>Nach dem Maßnahmenabschluss ist die Maßnahme gesperrt. Wenden Sie sich an das AQB-Team: "
                        "Das RP Kassel kann die Maßnahme mit Begründung wieder öffnen.</p>",
                    ),
                ],
            ),
        ],
    },
    {
        "slug": "status-der-datensaetze",
        "title": "Status der Datensätze: rot, gelb, grün",
        "intro": "Jeder Datensatz zeigt in Farbe und in Worten, wie vollständig er ist – und damit, welche Meldungen möglich sind.",
        "body": [
            text(
                "<ul>"
                "<li><b>Rot – Eintrittsangaben unvollständig:</b> Es fehlen Pflichtangaben zum Eintritt. Mit diesem "
                "Datensatz ist keine Meldung möglich.</li>"
                "<li><b>Gelb – Austrittsangaben fehlen:</b> Die Eintrittsangaben sind vollständig, die Angaben zum "
                "Austritt fehlen noch oder sind unvollständig (etwa ein Austrittsdatum ohne Verbleib). Jahres- und "
                "Zwischenmeldung sind möglich, der Maßnahmenabschluss nicht.</li>"
                "<li><b>Grün – vollständig:</b> Alle Angaben sind erfasst. Alle Meldungen sind möglich.</li>"
                "</ul>"
            ),
            callout(
                "<p>Wer noch in der Maßnahme ist, bleibt gelb – das ist richtig so. Für die Jahresmeldung und die "
                "Zwischenmeldung genügt Gelb.</p>",
                title="Gelb ist kein Fehler",
            ),
            text(
                "<p>Der Status steht in der Teilnehmendenliste in einer eigenen Spalte, immer als Farbe <i>und</i> "
                "als Text – so ist er auch ohne Farbwahrnehmung und im Ausdruck lesbar. Über den Filter nach Status "
                "finden Sie schnell alle Datensätze, die noch Angaben brauchen.</p>"
            ),
        ],
    },
    {
        "slug": "excel-export-und-import",
        "title": "Excel: Vorlage, Export und Import",
        "intro": "Viele Teilnehmende auf einmal erfassen oder erfasste Daten weiterbearbeiten: mit der Excel-Vorlage, dem Export und dem Import mit Vorschau.",
        "body": [
            heading("Die Vorlage"),
            text(
                '<p>Die <a href="/downloads/teilnehmende-vorlage.xlsx">Teilnehmenden-Vorlage</a> können Sie jederzeit '
                'herunterladen, auch von der Seite <a href="/downloads/">Downloads</a>. Sie wird bei jedem Abruf aus '
                "den aktuellen Auswahllisten erzeugt und ist deshalb immer auf dem neuesten Stand. Auswahlfelder "
                "haben Listen zum Aufklappen, Datumsfelder das Format TT.MM.JJJJ, und ein eigenes Tabellenblatt "
                "erklärt jede Spalte. Bitte verwenden Sie keine älteren Fassungen.</p>"
            ),
            heading("Export"),
            text(
                "<p>In der Teilnehmendenliste einer Maßnahme lädt <b>„Excel-Datei herunterladen“</b> alle "
                "Teilnehmenden dieser Maßnahme herunter – mit denselben Spalten wie die Vorlage. Ist die Liste leer, "
                "erhalten Sie eine leere Vorlage.</p>"
            ),
            heading("Import in drei Schritten"),
            text(
                "<ol>"
                "<li><b>Hochladen:</b> In der Teilnehmendenliste der Maßnahme wählen Sie „Excel-Datei hochladen“. "
                "Die Datei darf höchstens 100 MB groß sein.</li>"
                "<li><b>Vorschau prüfen:</b> Das Portal zeigt jede Zeile einzeln mit ihrem Status und den Gründen, "
                "falls etwas fehlt oder ungültig ist. Zeilen mit einer ID, die es in der Maßnahme schon gibt, "
                "erscheinen als Aktualisierung mit den geänderten Feldern. Fehlerhafte Zeilen können Sie vor der "
                "Übernahme korrigieren.</li>"
                "<li><b>Übernehmen:</b> Übernommen werden alle Zeilen ohne ungültige Werte und mit vollständigen "
                "Eintrittsangaben (Status gelb oder grün). Rote und abgelehnte Zeilen bleiben außen vor.</li>"
                "</ol>"
            ),
            callout(
                "<p>Der Import findet direkt in der Maßnahme statt, die Sie geöffnet haben. Die Datei darf deshalb "
                "nur Teilnehmende dieser einen Maßnahme enthalten.</p>",
                title="Eine Maßnahme je Datei",
                kind="warning",
            ),
            faq(
                "Häufige Fragen",
                [
                    (
                        "Kann ich meine bisherige Monitoring-Datei weiterverwenden?",
                        "<p>Kopieren Sie die Spalten Ihrer bisherigen Datei in die aktuelle Vorlage. So stimmen "
                        "Spalten und Auswahllisten mit dem Portal überein.</p>",
                    ),
                    (
                        "Was passiert mit Teilnehmenden, die es schon gibt?",
                        "<p>Eine Zeile mit einer vorhandenen ID aktualisiert diesen Datensatz. Die Vorschau zeigt "
                        "vorher, welche Felder sich ändern.</p>",
                    ),
                ],
            ),
        ],
    },
    {
        "slug": "meldungen",
        "title": "Meldungen an das RP Kassel",
        "intro": "Jahresmeldung, Zwischenmeldung, Maßnahmenabschluss und Nullmeldung: wer meldet, wann und unter welchen Voraussetzungen.",
        "body": [
            heading("Jahresmeldung"),
            text(
                "<p>Bis zum <b>31. Januar</b> prüft der Zuwendungsempfänger die Daten des Vorjahres und gibt sie "
                "frei. Gemeldet werden alle erfassten Teilnehmenden, auch diejenigen, die noch in der Maßnahme sind. "
                "Alle Datensätze müssen dafür gelb oder grün sein; die Austrittsangaben dürfen noch fehlen. Träger "
                "geben keine Jahresmeldung ab.</p>"
            ),
            heading("Zwischenmeldung"),
            text(
                "<p>Wollen Sie die Daten einer Maßnahme innerhalb eines Jahres mehrfach übermitteln, nutzen Sie die "
                "Zwischenmeldung. Es gelten dieselben Voraussetzungen wie bei der Jahresmeldung. Für Maßnahmen des "
                "„Schutzschirms für Ausbildungssuchende“ und der „Brückenqualifizierung für Frauen“ sieht der "
                "Zuwendungsbescheid feste Termine für Zwischenmeldungen vor.</p>"
            ),
            heading("Maßnahmenabschluss"),
            text(
                "<p>Ist eine Maßnahme beendet, schließt der Zuwendungsempfänger sie <b>innerhalb von vier Wochen</b> "
                "nach Maßnahmenende ab. Das geht nur, wenn alle Datensätze grün sind. Nach dem Abschluss können die "
                "Daten der Teilnehmenden nicht mehr geändert oder gelöscht werden.</p>"
                "<p>Erfasst ein Träger die Teilnehmenden, meldet er dem Zuwendungsempfänger mit "
                "„Maßnahmenabschluss“, dass die Erfassung vollständig ist. Der Zuwendungsempfänger erhält dazu eine "
                "E-Mail und schließt die Maßnahme dann selbst ab.</p>"
            ),
            callout(
                "<p>Der Klick des Trägers auf „Maßnahmenabschluss“ ist noch keine Meldung an das RP Kassel. Die "
                "Meldung gibt erst der Zuwendungsempfänger ab.</p>",
                title="Für Träger",
                kind="warning",
            ),
            heading("Nullmeldung"),
            text(
                "<p>Hat an einer Maßnahme niemand teilgenommen, melden Sie dies mit der Nullmeldung. Sie wird nur "
                "angeboten, wenn in der Maßnahme keine Teilnehmenden erfasst sind.</p>"
            ),
            heading("Vorprüfung und Nachweis"),
            text(
                "<p>Vor jeder Meldung prüft das Portal die Voraussetzungen und nennt alle Gründe, die einer Meldung "
                "noch entgegenstehen. Haben Sie diese behoben, lösen Sie die Meldung einfach erneut aus. Jede "
                "abgegebene Meldung wird mit Zeitpunkt, meldender Person und den gemeldeten Daten gespeichert.</p>"
            ),
        ],
    },
    {
        "slug": "uebernahme-folgebudget",
        "title": "Übernahme in das Folgebudget",
        "intro": "Teilnehmende, die eine Maßnahme im nächsten Budget fortsetzen, übernehmen Sie mit einem Klick in die Folgemaßnahme.",
        "body": [
            heading("In der bisherigen Maßnahme"),
            text(
                "<p>Teilnehmende, die im folgenden Budget weitermachen, erhalten in der bisherigen Maßnahme als "
                "Austrittsdatum das Ende-Datum der Maßnahme und als Verbleib <b>„setzt die Maßnahme im folgenden "
                "Budget fort“</b>. Ergänzen Sie die übrigen Austrittsangaben wie gewohnt.</p>"
            ),
            heading("In die Folgemaßnahme übernehmen"),
            text(
                "<p>Öffnen Sie die Teilnehmendenliste der bisherigen Maßnahme und wählen Sie <b>„In Folgebudget "
                "übernehmen“</b>. Das Portal zeigt, welche Teilnehmenden übernommen werden, und legt sie nach Ihrer "
                "Bestätigung in der Folgemaßnahme an: mit dem Beginn der neuen Maßnahme als Eintrittsdatum und ohne "
                "Austrittsangaben. Prüfen Sie die Eintrittsangaben anschließend in der neuen Maßnahme.</p>"
            ),
            callout(
                "<p>Eine Excel-Datei exportieren, von Hand bearbeiten und wieder importieren müssen Sie dafür nicht "
                "mehr.</p>",
                title="Kein Umweg über Excel",
            ),
            text(
                "<p>Voraussetzung ist, dass die Folgemaßnahme im Portal vorhanden ist. Sie wird vom RP Kassel mit den "
                "Maßnahmen des neuen Budgets übernommen; fehlt sie, wenden Sie sich bitte an das AQB-Team.</p>"
            ),
        ],
    },
]

# ---------------------------------------------------------------------------
# News (children of "Aktuelles")
# ---------------------------------------------------------------------------

NEWS = [
    {
        "slug": "zeitplan-2026",
        "title": "Neues Teilnehmenden-Monitoring: der Zeitplan für 2026",
        "date": datetime.date(2025, 11, 13),
        "intro": (
            "In der Umsetzungsbesprechung am 13.11.2025 hat das AQB-Team vorgestellt, wie der Wechsel in das neue "
            "Teilnehmenden-Monitoring abläuft. Die wichtigsten Termine im Überblick."
        ),
        "body": [
            timeline(
                "Wie sieht der Zeitplan aus?",
                [
                    ("Anfang Januar 2026", "<p>Start des neuen AQB-Antragsportals.</p>"),
                    (
                        "bis 31.01.2026",
                        "<ul><li>Meldung aller Maßnahmenabschlüsse durch die Gebietskörperschaften im alten "
                        "Monitoring-Portal</li><li>Vervollständigung aller Teilnehmenden-Daten</li></ul>",
                    ),
                    (
                        "03.02.2026",
                        "<ul><li>Export aller Teilnehmenden-Daten aus dem alten Monitoring-Portal</li>"
                        "<li>Import aller Teilnehmenden-Daten in die Datenbank des RP Kassel</li>"
                        "<li>Löschung aller beendeten Maßnahmen und aller Teilnehmenden mit Austrittsdaten aus dem "
                        "Monitoring-Portal</li>"
                        "<li>Löschung der Daten in Feldern, deren Inhalte sich geändert haben, bei allen verbliebenen "
                        "Teilnehmenden</li></ul>",
                    ),
                    (
                        "ab 04.02.2026",
                        "<ul><li>Vervollständigung der nun unvollständigen Teilnehmenden-Daten im neuen "
                        "Teilnehmenden-Monitoring-Portal</li>"
                        "<li>Erfassung neuer Teilnehmender und Meldung von Maßnahmenabschlüssen</li></ul>",
                    ),
                    (
                        "31.08.2026",
                        "<p>Erste Zwischenmeldung im neuen Monitoring-Portal. Ihre Daten fließen in das neue "
                        "Antragsportal.</p>",
                    ),
                ],
            ),
            callout(
                "<p>Bitte melden Sie alle beendeten Maßnahmen bis zum 31.01.2026 im alten Portal ab und "
                "vervollständigen Sie dort die Teilnehmenden-Daten. Was danach noch fehlt, ergänzen Sie ab dem "
                "04.02.2026 im neuen Portal.</p>",
                title="Bitte vormerken",
                kind="warning",
            ),
            contact("aqb_team"),
        ],
    },
    {
        "slug": "neuerungen-im-monitoring",
        "title": "Was ist neu im Teilnehmenden-Monitoring?",
        "date": datetime.date(2025, 11, 14),
        "intro": "Hauptziel der Maßnahme, TN-Ziel in M1, neue Fragenblöcke und erweiterte Austrittsdaten: die Neuerungen im Überblick.",
        "body": [
            text(
                "<ul>"
                "<li><b>Hauptziel der Maßnahme:</b> Jede Maßnahme zeigt das Hauptziel, das im Antrag gewählt wurde.</li>"
                "<li><b>TN-Ziel in M1:</b> Für jede Person in einer M1-Maßnahme wird ein eigenes Ziel gewählt. Es "
                "entscheidet, welche zusätzlichen Fragen zu beantworten sind.</li>"
                "<li><b>Fragenblöcke:</b> „Ausbildungs- und Qualifizierungsreife“ und „Lebenswesentliche "
                "Rahmenbedingungen“ – jede Frage mit Ja oder Nein, bei Eintritt und bei Austritt. In M3 werden "
                "beide Blöcke immer abgefragt.</li>"
                "<li><b>Austrittsdaten:</b> Neben Austrittsdatum und Verbleib werden der Austrittsgrund, das "
                "vollständige Durchlaufen der Maßnahme und das Erreichen des Hauptziels erfasst.</li>"
                "</ul>"
                '<p>Wie Sie die neuen Angaben erfassen, erklären die <a href="/hinweise/teilnehmende-erfassen/">'
                "Hinweise zum Erfassen von Teilnehmenden</a>.</p>"
            ),
        ],
    },
    {
        "slug": "jahresmeldung-bis-31-januar",
        "title": "Erinnerung: Jahresmeldung bis zum 31. Januar",
        "date": datetime.date(2026, 1, 5),
        "intro": "Die Zuwendungsempfänger geben die Monitoring-Daten des Vorjahres bis zum 31. Januar frei.",
        "body": [
            text(
                "<p>Für die Jahresmeldung müssen alle Teilnehmenden mindestens den Status gelb haben, also "
                "vollständige Eintrittsangaben. Teilnehmende, die noch in der Maßnahme sind, werden mitgemeldet. "
                'Einzelheiten finden Sie unter <a href="/hinweise/meldungen/">Meldungen an das RP Kassel</a>.</p>'
            ),
        ],
    },
    {
        "slug": "teilnehmenden-vorlage-immer-aktuell",
        "title": "Teilnehmenden-Vorlage: immer in der aktuellen Fassung",
        "date": datetime.date(2026, 2, 4),
        "intro": "Die Excel-Vorlage für den Import wird jetzt bei jedem Abruf aus den aktuellen Auswahllisten erzeugt.",
        "body": [
            text(
                "<p>Veraltete Vorlagen waren eine häufige Ursache für Fehler beim Import. Die Vorlage auf der Seite "
                '<a href="/downloads/">Downloads</a> entsteht deshalb bei jedem Abruf neu und enthält immer die '
                "aktuellen Auswahllisten. Beim Import zeigt das Portal jede Zeile mit ihrem Status, bevor Sie sie "
                "übernehmen.</p>"
            ),
        ],
    },
]

# ---------------------------------------------------------------------------
# Legal pages (linked in the footer, not in the main navigation)
# ---------------------------------------------------------------------------

DEMO_LEGAL_NOTE = callout(
    "<p>Dieser Text gehört zur Demo-Installation. Vor dem Betrieb prüft und ergänzt ihn die verantwortliche Stelle.</p>",
    title="Muster",
    kind="warning",
)

LEGAL_PAGES = [
    {
        "slug": "impressum",
        "title": "Impressum",
        "intro": "Angaben zum Anbieter dieses Portals.",
        "body": [
            DEMO_LEGAL_NOTE,
            heading("Herausgeber"),
            text(
                "<p>Regierungspräsidium Kassel<br/>Kurt-Schumacher-Str. 2<br/>34117 Kassel</p>"
                "<p>Das Regierungspräsidium Kassel ist eine Behörde des Landes Hessen.</p>"
            ),
            heading("Verantwortlich für den Inhalt"),
            text(f"<p>Regierungspräsidium Kassel, Dezernat 57 – AQB-Team<br/>E-Mail: {AQB_MAIL}</p>"),
            heading("Haftung für Links"),
            text(
                "<p>Für die Inhalte verlinkter externer Seiten sind ausschließlich deren Anbieter verantwortlich.</p>"
            ),
        ],
    },
    {
        "slug": "datenschutz",
        "title": "Datenschutz",
        "intro": "Welche Daten dieses Portal verarbeitet, wozu, und welche Rechte Sie haben.",
        "body": [
            DEMO_LEGAL_NOTE,
            heading("Verantwortliche Stelle"),
            text("<p>Regierungspräsidium Kassel, Kurt-Schumacher-Str. 2, 34117 Kassel.</p>"),
            heading("Öffentliche Seiten"),
            text(
                "<p>Die öffentlichen Seiten setzen keine Cookies, verwenden keine Analyse- oder Trackingdienste und "
                "laden keine Inhalte von fremden Servern (etwa Schriften oder Skripte). Der Webserver verarbeitet "
                "technisch notwendige Verbindungsdaten, um die Seiten auszuliefern und die Sicherheit des Betriebs "
                "zu gewährleisten.</p>"
            ),
            heading("Anmeldung und Monitoring"),
            text(
                "<p>Für Ihren Zugang speichern wir Name, E-Mail-Adresse und Organisation. Nach der Anmeldung setzt "
                "das Portal ein Sitzungs-Cookie, das beim Abmelden ungültig wird. Um Konten vor dem Erraten von "
                "Passwörtern zu schützen, werden fehlgeschlagene Anmeldeversuche mit IP-Adresse protokolliert.</p>"
                "<p>Teilnehmende werden pseudonymisiert erfasst: ohne Namen, mit einer frei gewählten ID und nur mit "
                "dem Geburtsjahr statt des Geburtsdatums. Die Daten dienen der Begleitung und Bewertung der Förderung "
                "nach den Fördergrundsätzen des AQB.</p>"
            ),
            heading("Ihre Rechte"),
            text(
                "<p>Sie haben das Recht auf Auskunft, Berichtigung, Löschung und Einschränkung der Verarbeitung "
                "sowie das Recht, sich bei der Aufsichtsbehörde zu beschweren, dem Hessischen Beauftragten für "
                "Datenschutz und Informationsfreiheit.</p>"
            ),
        ],
    },
    {
        "slug": "barrierefreiheit",
        "title": "Barrierefreiheit",
        "intro": "Erklärung zur Barrierefreiheit des AQB-Portals.",
        "body": [
            DEMO_LEGAL_NOTE,
            heading("Stand der Vereinbarkeit"),
            text(
                "<p>Das Regierungspräsidium Kassel ist bemüht, dieses Portal barrierefrei zugänglich zu machen. "
                "Maßstab sind die Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) und die Richtlinien für "
                "barrierefreie Webinhalte (WCAG 2.1, Stufe AA).</p>"
                "<ul><li>Alle Seiten lassen sich vollständig mit der Tastatur bedienen; ein Link „Zum Inhalt "
                "springen“ führt direkt zum Hauptinhalt.</li>"
                "<li>Der Tastaturfokus ist deutlich sichtbar, Texte und Bedienelemente haben ausreichenden Kontrast.</li>"
                "<li>Die Seiten funktionieren ohne JavaScript; aufklappbare Antworten nutzen Standard-HTML.</li>"
                "<li>Der Status von Datensätzen wird immer auch als Text angezeigt, nicht nur als Farbe.</li></ul>"
            ),
            heading("Nicht barrierefreie Inhalte"),
            text(
                "<p>Die Formulare unter Downloads sind zum Teil noch nicht vollständig barrierefrei. Benötigen Sie ein "
                "Formular in einer zugänglichen Form, schreiben Sie uns.</p>"
            ),
            heading("Feedback und Kontakt"),
            text(
                f"<p>Barrieren auf diesen Seiten melden Sie bitte an {AQB_MAIL}. Erhalten Sie auf Ihre Meldung keine "
                "zufriedenstellende Antwort, können Sie sich an die zuständige Durchsetzungsstelle des Landes Hessen "
                "wenden.</p>"
            ),
        ],
    },
    # BITV 2.0 § 4: what the portal is for, how to find one's way, where to report barriers, in plain language.
    {
        "slug": "leichte-sprache",
        "title": "Leichte Sprache",
        "intro": "Hier erklären wir das AQB-Portal in Leichter Sprache.",
        "body": [
            heading("Was ist das AQB?"),
            text(
                "<p>AQB ist eine Abkürzung.</p>"
                "<p>Sie bedeutet: Ausbildungs- und Qualifizierungs-Budget.</p>"
                "<p>Das Land Hessen gibt dafür Geld.</p>"
                "<p>Mit dem Geld bekommen Menschen Hilfe.</p>"
                "<p>Zum Beispiel bei der Suche nach einer Ausbildung.</p>"
                "<p>Oder bei der Suche nach Arbeit.</p>"
            ),
            heading("Was ist dieses Portal?"),
            text(
                "<p>Ein Portal ist eine Internet-Seite.</p>"
                "<p>Das Regierungs-Präsidium Kassel macht dieses Portal.</p>"
                "<p>Auf dem Portal finden Sie Infos über das AQB.</p>"
                "<p>Sie finden hier auch Formulare.</p>"
                "<p>Die Formulare können Sie herunterladen.</p>"
            ),
            heading("Wer meldet sich im Portal an?"),
            text(
                "<p>Manche Menschen arbeiten mit dem AQB.</p>"
                "<p>Zum Beispiel bei einem Bildungs-Träger.</p>"
                "<p>Diese Menschen melden sich im Portal an.</p>"
                "<p>Sie schreiben dann auf:</p>"
                "<ul><li>Wer macht bei einem Angebot mit?</li>"
                "<li>Wann fängt es an?</li>"
                "<li>Wann hört es auf?</li></ul>"
                "<p>Die Daten sind geschützt.</p>"
                "<p>Nur wenige Menschen dürfen die Daten sehen.</p>"
            ),
            heading("So finden Sie sich zurecht"),
            text(
                "<p>Oben auf jeder Seite ist ein Menü.</p>"
                "<p>Auf einem Handy ist das Menü zu.</p>"
                "<p>Dann drücken Sie auf: Menü.</p>"
                "<p>Oben ist auch ein Feld zum Suchen.</p>"
                "<p>Schreiben Sie dort ein Wort hinein.</p>"
                "<p>Dann drücken Sie auf: Suchen.</p>"
                "<p>Unten auf jeder Seite steht, wie Sie uns erreichen.</p>"
            ),
            heading("Haben Sie ein Problem mit dem Portal?"),
            text(
                "<p>Vielleicht können Sie etwas nicht lesen.</p>"
                "<p>Oder etwas geht nicht.</p>"
                f"<p>Dann schreiben Sie uns eine E-Mail: {AQB_MAIL}</p>"
                "<p>Sie können uns auch anrufen: 0561 106-4092</p>"
                '<p>Mehr dazu steht in der <a href="/barrierefreiheit/">Erklärung zur Barriere-Freiheit</a>.</p>'
                "<p>Diese Erklärung ist in schwerer Sprache.</p>"
            ),
        ],
    },
]
