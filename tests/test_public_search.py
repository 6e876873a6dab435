"""The site search at /suche/: pages by words of their body, documents by title, only what is public."""

import datetime

import pytest
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction
from wagtail.search import index

from aqb_content.models import GuidancePage, NewsIndexPage, NewsPage

pytestmark = pytest.mark.django_db


def search(client, query, **extra):
    response = client.get("/suche/", {"q": query, **extra})
    assert response.status_code == 200
    return response.content.decode()


def test_search_finds_a_guidance_page_by_a_word_of_its_body(client, public_site):
    html = search(client, "Bindestrich")  # only in the body of "Teilnehmende erfassen"
    assert '<a href="/hinweise/teilnehmende-erfassen/">Teilnehmende erfassen</a>' in html
    assert "1 Treffer für „Bindestrich“" in html
    assert "Hinweisseite" in html


def test_search_finds_a_word_inside_an_faq_answer(client, public_site):
    html = search(client, "Selbstauskunft")  # FAQ answer on "Teilnehmende erfassen"
    assert "/hinweise/teilnehmende-erfassen/" in html


def test_search_finds_a_document_by_its_title(client, public_site):
    document = get_document_model().objects.get(title="Belegliste")
    html = search(client, "Belegliste")
    assert f'<a href="{document.url}">Belegliste</a>' in html
    assert "Dokument (XLSX, " in html


def test_search_without_query_shows_a_german_prompt(client, public_site):
    html = search(client, "")
    assert "Geben Sie einen Suchbegriff ein" in html
    assert "search-result" not in html


def test_search_reports_no_hits_in_german(client, public_site):
    html = search(client, "Quantenchromodynamik")
    assert "Keine Treffer für „Quantenchromodynamik“." in html


def test_search_leaves_out_unpublished_and_restricted_pages(client, public_site):
    topic = GuidancePage.objects.get(slug="pruefregeln")
    topic.unpublish()
    restricted = GuidancePage.objects.get(slug="meldungen")
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    assert "/hinweise/pruefregeln/" not in search(client, "Geburtsjahr")
    assert "/hinweise/meldungen/" not in search(client, "Nullmeldung")


def test_search_leaves_out_documents_of_restricted_collections(client, public_site):
    internal = Collection.get_first_root_node().add_child(name="Intern")
    CollectionViewRestriction.objects.create(collection=internal, restriction_type=CollectionViewRestriction.LOGIN)
    document = get_document_model().objects.get(title="Sachbericht")
    document.collection = internal
    document.save()
    index.insert_or_update_object(document)
    assert "Sachbericht</a>" not in search(client, "Sachbericht")


def test_search_results_are_paginated(client, public_site):
    news_index = NewsIndexPage.objects.get()
    for number in range(1, 13):
        page = NewsPage(
            title=f"Rundschreiben {number}", slug=f"rundschreiben-{number}", date=datetime.date(2026, 3, number)
        )
        news_index.add_child(instance=page)
        index.insert_or_update_object(page)
    first = search(client, "Rundschreiben")
    assert "12 Treffer" in first and "Seite 1 von 2" in first
    assert 'href="?q=Rundschreiben&amp;seite=2"' in first
    second = search(client, "Rundschreiben", seite="2")
    assert "Seite 2 von 2" in second and second.count('class="search-result"') == 2


def test_search_query_count_is_bounded(client, public_site, django_assert_max_num_queries):
    """Per kind (contacts, pages, documents) one ranked search and one prefix search per word, whatever the hits."""
    with django_assert_max_num_queries(30):
        search(client, "Teilnehmende")


def test_search_finds_a_contact_person_by_name_and_shows_the_number(client, public_site):
    html = search(client, "Löwer")
    assert "<h2>AQB-Team des Regierungspräsidiums Kassel</h2>" in html
    assert "0561 106-4092" in html and "Kontakt" in html


@pytest.mark.parametrize("number", ["4092", "106-4092", "0561 106-4092", "0561/1064092"])
def test_search_finds_a_contact_by_phone_number(client, public_site, number):
    html = search(client, number)
    assert "<h2>AQB-Team des Regierungspräsidiums Kassel</h2>" in html


def test_search_for_vorlage_finds_the_participant_template_and_the_downloads_page(client, public_site):
    html = search(client, "Vorlage")
    assert '<a href="/downloads/teilnehmende-vorlage.xlsx">Teilnehmenden-Vorlage (Excel)</a>' in html
    assert '<a href="/downloads/">' in html


def test_search_finds_german_word_forms(client, public_site):
    """'Teilnehmer' stands nowhere in the guidance, 'Teilnehmende' does."""
    html = search(client, "Teilnehmer")
    assert '<a href="/hinweise/teilnehmende-erfassen/">Teilnehmende erfassen</a>' in html


def test_search_takes_a_trailing_wildcard(client, public_site):
    html = search(client, "Bindestr*")
    assert '<a href="/hinweise/teilnehmende-erfassen/">Teilnehmende erfassen</a>' in html
    assert "Keine Treffer" in search(client, "Bindestrx*")


def test_search_with_several_words_needs_all_of_them(client, public_site):
    assert "/hinweise/teilnehmende-erfassen/" in search(client, "Bindestrich Teilnehmer")
    assert "Keine Treffer" in search(client, "Bindestrich Quantenchromodynamik")


def test_logged_in_grant_recipient_gets_the_same_public_results(client, public_site, ze_kassel):
    """The search is public: a tenant login neither adds admin objects nor hides pages."""
    anonymous = search(client, "Folgebudget")
    client.force_login(ze_kassel)
    assert search(client, "Folgebudget").count("search-result") == anonymous.count("search-result")
