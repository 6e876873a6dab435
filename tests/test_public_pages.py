"""The public pages: every page type renders its content, contacts are shared, footer, 404/500."""

import datetime
from io import BytesIO

import pytest
from django.template.loader import render_to_string
from PIL import Image as PILImage

from aqb_content.models import Contact, NewsIndexPage, NewsPage, StandardPage
from aqb_content.templatetags.aqb_content_tags import file_size, tel_href

pytestmark = pytest.mark.django_db


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/", ["Ausbildungs- und Qualifizierungsbudget (AQB)", "Einstieg für", "Zuwendungsempfänger", "Träger"]),
        ("/programm/", ["Die vier Maßnahmearten", "M1 – Ausbildungsvorbereitung", "Wer kann Fördermittel beantragen?"]),
        ("/hinweise/", ["Hinweise zum Monitoring", "Anmeldung und Passwort", "Übernahme in das Folgebudget"]),
        ("/hinweise/teilnehmende-erfassen/", ["Keine Namen", "<details", "<summary>Migrationshintergrund</summary>"]),
        ("/hinweise/status-der-datensaetze/", ["Rot – Eintrittsangaben unvollständig", "Grün – vollständig"]),
        ("/hinweise/uebernahme-folgebudget/", ["In Folgebudget übernehmen"]),
        ("/downloads/", ["Teilnehmenden-Vorlage (Excel)", "Antrag AQB", "Verwendungsnachweis"]),
        ("/aktuelles/", ["Aktuelles", "13.11.2025", "Neues Teilnehmenden-Monitoring: der Zeitplan für 2026"]),
        ("/aktuelles/zeitplan-2026/", ["Wie sieht der Zeitplan aus?", "03.02.2026", "ab 04.02.2026", "timeline-entry"]),
        ("/kontakt/", ["Kontakt und Support", "0561 106-4092", "AQBudget@rpks.hessen.de", "technischen Support"]),
        ("/impressum/", ["Impressum", "Kurt-Schumacher-Str. 2"]),
        ("/datenschutz/", ["Datenschutz", "pseudonymisiert"]),
        ("/barrierefreiheit/", ["Barrierefreiheit", "WCAG 2.1"]),
        ("/leichte-sprache/", ["Leichte Sprache", "Was ist das AQB?", "Das Land Hessen gibt dafür Geld."]),
    ],
)
def test_every_page_type_renders_with_its_content(client, public_site, url, expected):
    html = get(client, url)
    for text in expected:
        assert text in html, f"{text!r} fehlt auf {url}"


def test_home_page_lists_the_latest_published_news_newest_first(client, public_site):
    news_index = NewsIndexPage.objects.get()
    draft = NewsPage(title="Entwurf ohne Freigabe", slug="entwurf", date=datetime.date(2030, 1, 1), live=False)
    news_index.add_child(instance=draft)
    html = get(client, "/")
    latest = html[html.index('id="latest-news-heading"') :]
    titles = [
        "Teilnehmenden-Vorlage: immer in der aktuellen Fassung",  # 04.02.2026
        "Erinnerung: Jahresmeldung bis zum 31. Januar",  # 05.01.2026
        "Was ist neu im Teilnehmenden-Monitoring?",  # 14.11.2025
    ]
    positions = [latest.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "04.02.2026" in latest
    assert "Entwurf ohne Freigabe" not in html
    assert "Neues Teilnehmenden-Monitoring" not in latest[: latest.index("Alle Nachrichten")]  # only three


def test_news_page_shows_its_date_as_tt_mm_jjjj(client, public_site):
    html = get(client, "/aktuelles/jahresmeldung-bis-31-januar/")
    assert '<time datetime="2026-01-05">05.01.2026</time>' in html


def test_news_index_is_paginated(client, public_site):
    news_index = NewsIndexPage.objects.get()
    for day in range(1, 12):
        news_index.add_child(
            instance=NewsPage(title=f"Meldung {day}", slug=f"meldung-{day}", date=datetime.date(2027, 1, day))
        )
    first = get(client, "/aktuelles/")
    assert "Meldung 11" in first and "Seite 1 von 2" in first
    second = get(client, "/aktuelles/?seite=2")
    assert "Was ist neu im Teilnehmenden-Monitoring?" in second and "Meldung 11" not in second


def test_header_has_skip_link_login_link_and_search(client, public_site):
    html = get(client, "/programm/")
    assert '<a class="skip-link" href="#main">Zum Inhalt springen</a>' in html
    assert '<main id="main" tabindex="-1"' in html
    assert '<a class="login-link" href="/admin/">Anmelden</a>' in html
    assert 'action="/suche/"' in html
    assert "AQB-Portal" in html


def test_main_navigation_comes_from_the_page_tree(client, public_site):
    hidden = StandardPage(title="Interne Notiz", slug="interne-notiz", show_in_menus=False)
    public_site.add_child(instance=hidden)
    html = get(client, "/")
    nav = html[html.index('class="main-nav"') : html.index("</nav>", html.index('class="main-nav"'))]
    labels = ["Das Programm", "Hinweise zum Monitoring", "Downloads", "Aktuelles", "Kontakt und Support"]
    positions = [nav.index(f">{label}</a>") for label in labels]
    assert positions == sorted(positions)
    assert "Impressum" not in nav and "Interne Notiz" not in nav


def test_current_section_is_marked_in_the_navigation(client, public_site):
    html = get(client, "/hinweise/")
    assert 'href="/hinweise/" aria-current="page">Hinweise zum Monitoring</a>' in html
    html = get(client, "/hinweise/pruefregeln/")
    assert 'href="/hinweise/" class="active">Hinweise zum Monitoring</a>' in html


def test_breadcrumbs_lead_from_the_start_page(client, public_site):
    html = get(client, "/hinweise/pruefregeln/")
    crumbs = html[html.index('aria-label="Brotkrumennavigation"') :]
    crumbs = crumbs[: crumbs.index("</nav>")]
    assert '<a href="/">Startseite</a>' in crumbs
    assert '<a href="/hinweise/">Hinweise zum Monitoring</a>' in crumbs
    assert '<span aria-current="page">Prüfregeln bei der Erfassung</span>' in crumbs
    assert 'aria-label="Brotkrumennavigation"' not in get(client, "/")


def test_footer_shows_the_contact_and_the_legal_links(client, public_site):
    html = get(client, "/aktuelles/")
    footer = html[html.index('class="site-footer"') :]
    assert "AQB-Team des Regierungspräsidiums Kassel" in footer
    assert 'href="mailto:AQBudget@rpks.hessen.de"' in footer
    assert 'href="tel:+495611064092"' in footer
    for url, label in [
        ("/impressum/", "Impressum"),
        ("/datenschutz/", "Datenschutz"),
        ("/barrierefreiheit/", "Barrierefreiheit"),
        ("/leichte-sprache/", "Leichte Sprache"),
    ]:
        assert f'<a href="{url}">{label}</a>' in footer


@pytest.mark.parametrize("url", ["/", "/hinweise/teilnehmende-erfassen/", "/kontakt/", "/suche/?q=AQB"])
def test_every_page_links_leichte_sprache_beside_the_accessibility_statement(client, public_site, url):
    html = get(client, url)
    footer = html[html.index('class="site-footer"') :]
    statement = footer.index('<a href="/barrierefreiheit/">Barrierefreiheit</a>')
    plain = footer.index('<a href="/leichte-sprache/">Leichte Sprache</a>')
    assert 0 < plain - statement < 120  # the next item of the same list


def test_contact_page_shows_the_team_contact_once(client, public_site):
    """The footer refers to the contact block above instead of repeating it."""
    html = get(client, "/kontakt/")
    assert html.count('href="tel:+495611064092"') == 1
    footer = html[html.index('class="site-footer"') :]
    assert "AQB-Team des Regierungspräsidiums Kassel: siehe oben auf dieser Seite." in footer


def test_editing_a_contact_once_changes_every_page_that_shows_it(client, public_site):
    pages_with_team = ["/programm/", "/hinweise/", "/kontakt/", "/aktuelles/zeitplan-2026/"]
    for url in pages_with_team:
        assert "0561 106-4092" in get(client, url)
    team = Contact.objects.get(name="AQB-Team des Regierungspräsidiums Kassel")
    team.name = "AQB-Team (Servicezeiten Mo–Do)"
    team.phones = [{"type": "phone", "value": {"label": "Zentrale Hotline", "number": "0561 106-9999"}}]
    team.save()
    for url in [*pages_with_team, "/impressum/"]:  # the footer of every page
        html = get(client, url)
        assert "AQB-Team (Servicezeiten Mo–Do)" in html, url
        assert "0561 106-9999" in html, url
        assert "0561 106-4092" not in html, url


def test_downloads_show_file_type_and_size(client, public_site):
    from wagtail.documents import get_document_model

    html = get(client, "/downloads/")
    for document in get_document_model().objects.all():
        label = f"{document.file_extension.upper()}, {file_size(document.file_size)}"
        assert f'<a href="{document.url}">{document.title}</a> <span class="file-meta">({label})</span>' in html
    assert "(PDF, 1 KB)" in html and "(XLSX, " in html


def test_downloads_page_links_the_participant_template(client, public_site):
    html = get(client, "/downloads/")
    assert '<a href="/downloads/teilnehmende-vorlage.xlsx">Teilnehmenden-Vorlage herunterladen</a>' in html


def test_demo_documents_are_real_files(public_site):
    from wagtail.documents import get_document_model

    for document in get_document_model().objects.all():
        with document.open_file() as handle:
            head = handle.read(5)
        assert head == (b"%PDF-" if document.file_extension == "pdf" else b"PK\x03\x04\x14"), document.title


def test_unpublished_page_is_not_served(client, public_site):
    page = StandardPage.objects.get(slug="impressum")
    page.unpublish()
    assert client.get("/impressum/").status_code == 404
    assert ">Impressum</a>" not in get(client, "/")  # nor linked in the footer


def test_404_page_is_german_and_offers_a_way_on(client, public_site):
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Seite nicht gefunden" in html
    assert '<a href="/">Zur Startseite</a>' in html
    assert '<html lang="de">' in html


def test_500_page_needs_neither_request_nor_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    assert "Es ist ein Fehler aufgetreten" in html and '<html lang="de">' in html


def test_page_queries_stay_bounded(client, public_site, django_assert_max_num_queries):
    for url in ["/", "/aktuelles/", "/hinweise/", "/downloads/"]:
        with django_assert_max_num_queries(25):
            client.get(url)


def test_image_and_document_blocks_render(client, public_site):
    from django.core.files.images import ImageFile
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    buffer = BytesIO()
    PILImage.new("RGB", (40, 30), "navy").save(buffer, "PNG")
    image = get_image_model().objects.create(title="Schaubild", file=ImageFile(buffer, name="schaubild.png"))
    document = get_document_model().objects.get(title="Belegliste")
    page = StandardPage(
        title="Mit Bild",
        slug="mit-bild",
        body=[
            {
                "type": "image",
                "value": {
                    "image": {"image": image.pk, "decorative": False, "alt_text": "Ablauf der Meldung"},
                    "caption": "Der Ablauf",
                },
            },
            {"type": "document", "value": {"document": document.pk, "title": ""}},
        ],
    )
    public_site.add_child(instance=page)
    html = get(client, "/mit-bild/")
    assert 'alt="Ablauf der Meldung"' in html and "<figcaption>Der Ablauf</figcaption>" in html
    assert f'<a href="{document.url}">Belegliste</a>' in html and "(XLSX, " in html


def test_file_size_and_phone_link_helpers():
    assert file_size(120 * 1024) == "120 KB"
    assert file_size(300) == "1 KB"
    assert file_size(int(1.5 * 1024 * 1024)) == "1,5 MB"
    assert tel_href("0561 106-4092") == "tel:+495611064092"
