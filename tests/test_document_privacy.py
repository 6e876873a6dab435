"""Pages and documents the public must not see stay hidden: from visitors, from the public search,
from /media/, and in the administration from users without rights on them (grant recipients and
providers have no page or document rights: every editorial URL answers 403/404 or shows nothing).
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction, Workflow
from wagtail.search import index

from aqb_content.models import StandardPage

pytestmark = pytest.mark.django_db

SECRET_PAGE = "Vertraulicher Entwurf Quartalsplanung"
SECRET_DOCUMENT = "Interne Prüfliste Vergabestelle"
RESTRICTED_PAGE = "Geschützte Seite Bewilligungsrunde"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def hidden(public_site, settings, tmp_path):
    """A draft page, a page behind a log-in restriction and a document in a restricted collection."""
    settings.MEDIA_ROOT = tmp_path
    draft = StandardPage(title=SECRET_PAGE, slug="vertraulicher-entwurf", live=False)
    public_site.add_child(instance=draft)
    draft.save_revision()
    restricted_page = StandardPage(title=RESTRICTED_PAGE, slug="geschuetzt")
    public_site.add_child(instance=restricted_page)
    PageViewRestriction.objects.create(page=restricted_page, restriction_type=PageViewRestriction.LOGIN)
    internal = Collection.get_first_root_node().add_child(name="Intern")
    CollectionViewRestriction.objects.create(collection=internal, restriction_type=CollectionViewRestriction.LOGIN)
    below = internal.add_child(name="Intern Unterordner")
    document = get_document_model()(title=SECRET_DOCUMENT, collection=below)
    document.file.save("pruefliste.pdf", ContentFile(PDF), save=False)
    document.save()
    index.insert_or_update_object(document)
    for page in (draft, restricted_page):
        index.insert_or_update_object(page)
    return {"draft": draft, "restricted_page": restricted_page, "document": document, "collection": below}


def log_in(client, user):
    client.logout()
    client.force_login(user)


# ---------------------------------------------------------------------------
# The public: document view, /media/, search
# ---------------------------------------------------------------------------


def test_documents_are_served_only_through_wagtails_view(settings):
    assert settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"


def test_a_visitor_cannot_download_a_document_of_a_restricted_collection(client, hidden):
    document = hidden["document"]
    response = client.get(document.url)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"] or "login" in response["Location"]


def test_media_never_serves_documents_even_unrestricted_ones(client, hidden):
    document = hidden["document"]
    assert client.get(f"/media/{document.file.name}").status_code == 404
    assert client.get("/media/documents/").status_code == 404
    assert client.get("/media/documents/../documents/pruefliste.pdf").status_code == 404


def test_a_logged_in_user_downloads_the_restricted_document_through_the_view(client, hidden, rp_editor):
    log_in(client, rp_editor)
    response = client.get(hidden["document"].url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Security-Policy"] == "default-src 'none'"


def test_public_search_leaves_out_documents_below_a_restricted_collection(client, hidden):
    html = client.get("/suche/", {"q": "Prüfliste"}).content.decode()
    assert SECRET_DOCUMENT not in html


def test_public_search_leaves_out_documents_used_only_on_a_draft_page(client, public_site, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = get_document_model()(title="Anlage Ankündigung Förderaufruf")
    document.file.save("anlage.pdf", ContentFile(PDF), save=False)
    document.save()
    index.insert_or_update_object(document)
    assert "Anlage Ankündigung Förderaufruf</a>" in client.get("/suche/", {"q": "Förderaufruf"}).content.decode()

    draft = StandardPage(title="Förderaufruf 2027", slug="foerderaufruf", live=False)
    draft.body = [("paragraph", f'<p><a linktype="document" id="{document.pk}">Anlage</a></p>')]
    public_site.add_child(instance=draft)
    html = client.get("/suche/", {"q": "Förderaufruf"}).content.decode()
    assert "Anlage Ankündigung Förderaufruf</a>" not in html
    assert "Förderaufruf 2027" not in html

    draft.save_revision().publish()
    html = client.get("/suche/", {"q": "Förderaufruf"}).content.decode()
    assert "Anlage Ankündigung Förderaufruf</a>" in html


# ---------------------------------------------------------------------------
# The administration, from the side of users without page or document rights
# ---------------------------------------------------------------------------


def editorial_urls(hidden):
    draft, restricted, document = hidden["draft"], hidden["restricted_page"], hidden["document"]
    root = draft.get_parent()
    return [
        "/admin/pages/",
        f"/admin/pages/{root.pk}/",
        f"/admin/pages/{draft.pk}/",
        f"/admin/pages/{draft.pk}/edit/",
        f"/admin/pages/{draft.pk}/view_draft/",
        f"/admin/pages/{draft.pk}/edit/preview/",
        f"/admin/pages/{draft.pk}/history/",
        f"/admin/pages/{draft.pk}/usage/",
        f"/admin/pages/{draft.pk}/copy/",
        f"/admin/pages/{draft.pk}/move/",
        f"/admin/pages/{restricted.pk}/edit/",
        f"/admin/pages/search/?q={SECRET_PAGE.split()[1]}",
        f"/admin/pages/search/?q={RESTRICTED_PAGE.split()[1]}",
        "/admin/choose-page/",
        f"/admin/choose-page/{root.pk}/",
        f"/admin/choose-page/search/?q={SECRET_PAGE.split()[1]}",
        f"/admin/choose-page/search/?q={RESTRICTED_PAGE.split()[1]}",
        f"/admin/search/?q={SECRET_PAGE.split()[1]}",
        f"/admin/api/main/pages/?child_of={root.pk}",
        f"/admin/api/main/pages/{draft.pk}/",
        "/admin/api/main/pages/?search=" + SECRET_PAGE.split()[1],
        "/admin/documents/",
        f"/admin/documents/?q={SECRET_DOCUMENT.split()[1]}",
        f"/admin/documents/edit/{document.pk}/",
        f"/admin/documents/usage/{document.pk}/",
        "/admin/documents/chooser/",
        f"/admin/documents/chooser/results/?q={SECRET_DOCUMENT.split()[1]}",
        f"/admin/documents/chooser/{document.pk}/",
        "/admin/images/",
        "/admin/images/chooser/",
        "/admin/collections/",
        f"/admin/collections/{hidden['collection'].pk}/",
        f"/admin/bulk/wagtailcore/page/delete/?id={draft.pk}",
        f"/admin/bulk/wagtailcore/page/move/?id={draft.pk}",
        f"/admin/bulk/wagtailcore/page/publish/?id={draft.pk}",
        f"/admin/bulk/wagtailcore/page/unpublish/?id={restricted.pk}",
        f"/admin/bulk/wagtaildocs/document/delete/?id={document.pk}",
        f"/admin/bulk/wagtaildocs/document/add_to_collection/?id={document.pk}",
        f"/admin/bulk/wagtaildocs/document/add_tags/?id={document.pk}",
        "/admin/reports/locked/",
        "/admin/reports/aging-pages/",
        "/admin/reports/page-types-usage/",
        "/admin/reports/workflow/",
        "/admin/reports/workflow_tasks/",
        "/admin/workflows/list/",
        "/admin/workflows/tasks/index/",
    ]


SECRETS = (SECRET_PAGE, SECRET_DOCUMENT, RESTRICTED_PAGE, "vertraulicher-entwurf", "pruefliste")


@pytest.mark.parametrize("who", ["ze_kassel", "provider_a"])
def test_users_without_editorial_rights_see_no_hidden_title_anywhere_in_the_admin(client, hidden, request, who):
    user = request.getfixturevalue(who)
    log_in(client, user)
    leaks = []
    for url in editorial_urls(hidden):
        response = client.get(url)
        body = response.content.decode(errors="replace") if not getattr(response, "streaming", False) else ""
        if response.status_code not in (302, 403, 404) and any(secret in body for secret in SECRETS):
            leaks.append((url, response.status_code))
        assert response.status_code != 500, url
    assert leaks == [], "\n".join(f"{url} {status}" for url, status in leaks)


@pytest.mark.parametrize("who", ["ze_kassel", "provider_a"])
def test_users_without_editorial_rights_cannot_change_pages_or_documents(client, hidden, request, who):
    user = request.getfixturevalue(who)
    log_in(client, user)
    draft, document = hidden["draft"], hidden["document"]
    client.post(f"/admin/bulk/wagtailcore/page/delete/?id={draft.pk}", {})
    client.post(f"/admin/bulk/wagtaildocs/document/delete/?id={document.pk}", {})
    client.post(f"/admin/documents/delete/{document.pk}/", {})
    client.post(f"/admin/pages/{draft.pk}/delete/", {})
    client.post(f"/admin/pages/{draft.pk}/edit/", {"title": "Übernommen", "slug": "x", "action-publish": "1"})
    assert Page.objects.filter(pk=draft.pk, title=SECRET_PAGE, live=False).exists()
    assert get_document_model().objects.filter(pk=document.pk, title=SECRET_DOCUMENT).exists()


def test_the_rp_still_finds_the_draft_page_and_the_restricted_document(client, hidden, rp_editor):
    """The other side of the scope: the editors keep their view (the checks above are not vacuous)."""
    log_in(client, rp_editor)
    word = SECRET_PAGE.split()[1]
    assert SECRET_PAGE in client.get(f"/admin/choose-page/search/?q={word}").content.decode()
    assert SECRET_PAGE in client.get(f"/admin/pages/search/?q={word}").content.decode()
    assert SECRET_DOCUMENT in client.get("/admin/documents/").content.decode()


def test_a_workflow_preview_is_closed_to_users_without_rights(client, hidden, ze_kassel, provider_a, rp_editor):
    from django.contrib.auth.models import Group
    from wagtail.models import GroupApprovalTask, WorkflowTask

    task = GroupApprovalTask.objects.create(name="Freigabe durch das RP")
    task.groups.set(Group.objects.filter(name="Moderators"))
    workflow = Workflow.objects.create(name="Freigabe")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    draft = hidden["draft"]
    workflow.start(draft, rp_editor)
    url = reverse("wagtailadmin_pages:workflow_preview", args=[draft.pk, task.pk])
    log_in(client, rp_editor)
    assert client.get(url).status_code == 200
    for user in (ze_kassel, provider_a):
        log_in(client, user)
        response = client.get(url)
        assert response.status_code == 404
        assert SECRET_PAGE not in response.content.decode(errors="replace")
