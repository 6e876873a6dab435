"""Attacks from the tenant side: a provider or ZE of one organisation against another's data.

Kassel (ZE Kassel, provider A "Bildungswerk Nordhessen", provider A2 "Jugendwerkstatt")
against Fulda (ZE Fulda, provider B), and provider A against its sibling A2. Each test
names what the stranger tries; the owner (or the RP) still gets through where that shows
the test can fail. The per-URL cases of our own admin views live in test_admin_scope.py;
here are Wagtail's own areas, the stored files, carry-over across tenants, V10 and log-in.
"""

import io
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from aqb_monitoring import services
from aqb_monitoring.models import AuditEntry, Destination, ImportJob, Measure, Participant, User

from .conftest import make_measure, make_participant
from .excel_files import workbook_bytes, yellow_row

pytestmark = pytest.mark.django_db


class World:
    """Kassel's data with markers that must never show on a stranger's page."""


@pytest.fixture
def kassel_data(measure_a, measure_a2, measure_b, provider_a, provider_a2, provider_b, ze_kassel, ze_fulda, rp_editor):
    w = World()
    w.measure_a, w.measure_a2, w.measure_b = measure_a, measure_a2, measure_b
    w.provider_a, w.provider_a2, w.provider_b = provider_a, provider_a2, provider_b
    w.ze_kassel, w.ze_fulda, w.rp = ze_kassel, ze_fulda, rp_editor
    w.participant_a = make_participant(measure_a, "BWN-4711")
    w.participant_a2 = make_participant(measure_a2, "JWK-4712")
    w.participant_b = make_participant(measure_b, "FP-4713")
    # History of every kind: our audit trail and Wagtail's own log (the RP edits a measure).
    services.save_participant(provider_a, measure_a, {"pseudonym": "BWN-4714", "entry_date": measure_a.start_date})
    from wagtail.log_actions import log

    log(measure_a, "wagtail.edit", user=rp_editor)
    log(w.participant_a, "wagtail.edit", user=provider_a)
    return w


def as_user(client, user, url, method="get", data=None):
    client.force_login(user)
    response = getattr(client, method)(url, data or {})
    client.logout()
    return response


# Strings of Kassel's measure A that must not appear for a stranger. The searches use a
# part of a marker, so the reflected search term itself is no false alarm.
MARKERS_OF_A = ("AQB26-KS-M1-01", "BWN-4711", "BWN-4714", "Bildungswerk Nordhessen", "traeger.a@example.org")

WAGTAIL_AREAS = [
    "/admin/",
    "/admin/pages/search/?q=KS-M1",
    "/admin/pages/search/?q=BWN-47",
    "/admin/pages/search/results/?q=BWN-47",
    "/admin/reports/site-history/",
    "/admin/reports/site-history/results/?label=KS-M1",
    "/admin/reports/aging-pages/",
    "/admin/reports/locked/",
    "/admin/reports/page-types-usage/",
    "/admin/reports/workflow/",
    "/admin/reports/workflow_tasks/",
    "/admin/pages/",
    "/admin/choose-page/",
    "/admin/choose-page/search/?q=BWN-47",
    "/admin/documents/",
    "/admin/documents/chooser/",
    "/admin/images/",
    "/admin/images/chooser/",
    "/admin/snippets/",
    "/admin/snippets/aqb_content/contact/",
    "/admin/snippets/choose/aqb_content/contact/",
    "/admin/users/",
    "/admin/users/?q=traeger",
    "/admin/groups/",
    "/admin/workflows/list/",
    "/admin/workflows/tasks/index/",
    "/admin/workflows/task_chooser/",
    "/admin/tag-autocomplete/?term=BWN",
    "/admin/account/",
    "/admin/api/main/pages/?search=BWN-47",
    "/admin/api/main/documents/",
    "/admin/api/main/images/",
    "/admin/monitoring/?q=Bildungswerk",
    "/admin/monitoring/?q=KS-M1",
    "/admin/excel/export/",
]


@pytest.mark.parametrize("url", WAGTAIL_AREAS)
def test_stranger_finds_nothing_of_kassels_measure_in_wagtails_admin_areas(client, kassel_data, url):
    w = kassel_data
    for stranger in (w.provider_b, w.ze_fulda, w.provider_a2):
        response = as_user(client, stranger, url)
        assert response.status_code in (200, 302, 403, 404), (stranger, url, response.status_code)
        body = response.content.decode("utf-8", "replace")
        leaked = [marker for marker in MARKERS_OF_A if marker in body]
        if stranger is w.provider_a2:  # the sibling may see its own ZE's name, never A's data
            leaked = [marker for marker in leaked if marker != "Bildungswerk Nordhessen" or "traeger" in url]
        assert not leaked, (stranger, url, leaked)


def test_owner_and_rp_do_find_the_markers_so_the_stranger_test_can_fail(client, kassel_data):
    w = kassel_data
    assert "AQB26-KS-M1-01" in as_user(client, w.rp, "/admin/monitoring/?q=KS-M1").content.decode()
    assert "AQB26-KS-M1-01" in as_user(client, w.provider_a, "/admin/").content.decode()
    history = reverse("aqb_monitoring:measure_history", args=[w.measure_a.pk])
    assert "BWN-4714" in as_user(client, w.provider_a, history).content.decode()


@pytest.mark.parametrize("area", ["page_edit", "page_add", "document_edit", "image_edit", "user_edit", "group_edit",
                                  "user_add", "catalogue_edit", "document_add", "image_add", "contact_edit"])
def test_tenant_never_reaches_page_document_image_user_or_catalogue_editing(client, kassel_data, area):
    from django.contrib.auth.models import Group
    from wagtail.documents.models import Document
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file
    from wagtail.models import Page

    from aqb_content.models import Contact
    from aqb_monitoring.models import Gender

    w = kassel_data
    home = Page.objects.filter(depth=2).first() or Page.objects.get(depth=1)
    document = Document.objects.create(title="Intern", file=SimpleUploadedFile("intern.txt", b"x"))
    image = Image.objects.create(title="Bild", file=get_test_image_file())
    contact = Contact.objects.create(name="Frau Muster", email="muster@example.org")
    urls = {
        "page_edit": f"/admin/pages/{home.pk}/edit/",
        "page_add": f"/admin/pages/add/aqb_content/contentpage/{home.pk}/",
        "document_edit": f"/admin/documents/edit/{document.pk}/",
        "document_add": "/admin/documents/multiple/add/",
        "image_edit": f"/admin/images/{image.pk}/",
        "image_add": "/admin/images/multiple/add/",
        "user_edit": f"/admin/users/{w.provider_a.pk}/",
        "user_add": "/admin/users/add/",
        "group_edit": f"/admin/groups/edit/{Group.objects.first().pk}/",
        "catalogue_edit": reverse("aqb_catalogue_gender:edit", args=[Gender.objects.first().pk]),
        "contact_edit": f"/admin/snippets/aqb_content/contact/edit/{contact.pk}/",
    }
    for user in (w.provider_a, w.ze_kassel):
        for method in ("get", "post"):
            response = as_user(client, user, urls[area], method, {"title": "Übernommen", "email": "evil@example.org"})
            assert response.status_code in (403, 404), (user, area, method, response.status_code)
    document.refresh_from_db()
    assert document.title == "Intern"
    w.provider_a.refresh_from_db()
    assert w.provider_a.email == "traeger.a@example.org" and w.provider_a.is_active


BULK_ACTIONS = [
    ("aqb_monitoring", "participant", "delete"),
    ("aqb_monitoring", "measure", "delete"),
    ("aqb_monitoring", "organisation", "delete"),
    ("aqb_monitoring", "auditentry", "delete"),
    ("aqb_monitoring", "importjob", "delete"),
    ("aqb_monitoring", "user", "delete"),
    ("aqb_monitoring", "user", "set_active_state"),
    ("aqb_monitoring", "user", "assign_role"),
]


@pytest.mark.parametrize("app_label,model_name,action", BULK_ACTIONS)
def test_stranger_cannot_use_bulk_actions_on_kassels_objects(client, kassel_data, app_label, model_name, action):
    w = kassel_data
    job = ImportJob.objects.create(measure=w.measure_a, user=w.provider_a, status="preview")
    target = {
        "participant": w.participant_a.pk, "measure": w.measure_a.pk, "organisation": w.provider_a.organisation_id,
        "auditentry": AuditEntry.objects.first().pk, "importjob": job.pk, "user": w.provider_a.pk,
    }[model_name]
    url = f"/admin/bulk/{app_label}/{model_name}/{action}/?id={target}&next=/admin/"
    for stranger in (w.provider_b, w.ze_fulda, w.provider_a2, w.ze_kassel):
        get = as_user(client, stranger, url)
        post = as_user(client, stranger, url, "post", {"mark_as_active": "false", "role": "1"})
        for response in (get, post):
            assert response.status_code in (403, 404), (stranger, url, response.status_code)
            assert not any(marker in response.content.decode() for marker in MARKERS_OF_A)
    assert Participant.objects.filter(pk=w.participant_a.pk).exists()
    assert Measure.objects.filter(pk=w.measure_a.pk).exists()
    assert ImportJob.objects.filter(pk=job.pk).exists() and AuditEntry.objects.exists()
    w.provider_a.refresh_from_db()
    assert w.provider_a.is_active and not w.provider_a.groups.exclude(pk=w.provider_a.organisation.group_id).exists()


# ---------------------------------------------------------------------------
# Uploaded participant data is never a public file
# ---------------------------------------------------------------------------


def test_stranger_cannot_download_an_uploaded_import_file_under_media_url(client, settings, provider_a, measure_a):
    """Uploads hold participant data; MEDIA_ROOT is served to anyone (a web server, or `make run`),
    and the first upload keeps its often guessable name (teilnehmende-vorlage.xlsx)."""
    client.force_login(provider_a)
    content = workbook_bytes([yellow_row(measure_a, "BWN-4711")])
    client.post(reverse("aqb_excel:measure_import", args=[measure_a.pk]),
                {"file": SimpleUploadedFile("teilnehmende-vorlage.xlsx", content)})
    job = ImportJob.objects.get()
    assert job.file, "the preview keeps the file until it is taken or discarded"
    stored = Path(job.file.path).resolve()
    assert stored.exists()
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    with pytest.raises(ValueError):
        job.file.url  # noqa: B018  (no public address at all)


# ---------------------------------------------------------------------------
# Carry-over into a successor the user may not see
# ---------------------------------------------------------------------------


@pytest.fixture(params=["other_ze", "sibling_provider"])
def foreign_successor(request, measure_a, fulda, kassel, provider_org_b, provider_org_a2):
    """The RP links Kassel's measure A to a successor of Fulda, or of Kassel's other provider."""
    if request.param == "other_ze":
        successor = make_measure("AQB27-FD-M1-07", fulda, provider_org_b, budget_year=2027)
    else:
        successor = make_measure("AQB27-KS-M1-07", kassel, provider_org_a2, budget_year=2027)
    measure_a.successor = successor
    measure_a.save()
    make_participant(measure_a, "BWN-4715", exit_date=measure_a.end_date,
                     destination=Destination.objects.get(is_carry_over=True))
    return successor


def test_provider_does_not_learn_of_a_successor_it_cannot_see_through_carry_over(client, provider_a, measure_a,
                                                                                 foreign_successor):
    url = reverse("aqb_excel:carry_over", args=[measure_a.pk])
    assert as_user(client, provider_a, url).status_code == 404
    assert as_user(client, provider_a, url, "post").status_code == 404
    assert not Participant.objects.filter(measure=foreign_successor).exists()
    page = as_user(client, provider_a, reverse("aqb_monitoring:measure", args=[measure_a.pk])).content.decode()
    assert "BWN-4715" in page  # the page itself is shown
    assert foreign_successor.number not in page and url not in page


def test_grant_recipient_still_carries_over_into_its_own_providers_successor(client, ze_kassel, measure_a, kassel,
                                                                          provider_org_a2):
    successor = make_measure("AQB27-KS-M1-08", kassel, provider_org_a2, budget_year=2027)
    measure_a.successor = successor
    measure_a.save()
    make_participant(measure_a, "BWN-4716", exit_date=measure_a.end_date,
                     destination=Destination.objects.get(is_carry_over=True))
    url = reverse("aqb_excel:carry_over", args=[measure_a.pk])
    assert successor.number in as_user(client, ze_kassel, url).content.decode()
    as_user(client, ze_kassel, url, "post")
    assert Participant.objects.filter(measure=successor, pseudonym="BWN-4716").exists()


# ---------------------------------------------------------------------------
# Closed measures (V10): every write path refuses
# ---------------------------------------------------------------------------


def test_every_write_path_refuses_a_closed_measure(client, ze_kassel, measure_a, kassel, provider_org_a):
    from django.utils import timezone

    participant = make_participant(measure_a, "BWN-4717")
    client.force_login(ze_kassel)
    content = workbook_bytes([yellow_row(measure_a, "BWN-4718")])
    client.post(reverse("aqb_excel:measure_import", args=[measure_a.pk]),
                {"file": SimpleUploadedFile("t.xlsx", content)})
    job = ImportJob.objects.get()
    Measure.objects.filter(pk=measure_a.pk).update(closed_at=timezone.now())
    attempts = [
        (reverse("aqb_monitoring:participant_add", args=[measure_a.pk]), {"pseudonym": "BWN-4719"}),
        (reverse("aqb_monitoring:participant_edit", args=[measure_a.pk, participant.pk]), {"pseudonym": "BWN-4720"}),
        (reverse("aqb_monitoring:participant_delete", args=[measure_a.pk, participant.pk]), {}),
        (reverse("aqb_excel:job_take", args=[job.pk]), {}),
        (reverse("aqb_excel:job_row", args=[job.pk, 2]), {"pseudonym": "BWN-4721"}),
        (reverse("aqb_excel:measure_import", args=[measure_a.pk]), {"file": SimpleUploadedFile("t.xlsx", content)}),
    ]
    for url, data in attempts:
        response = client.post(url, data)
        if url == reverse("aqb_excel:job_take", args=[job.pk]):
            # "Übernehmen" goes back to the job's page and says why nothing was taken (not a bare redirect).
            assert response.status_code == 302 and response.url == reverse("aqb_excel:job", args=[job.pk])
            said = [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]
            assert len(said) == 1 and said[0][0] == "error", said
        elif url == reverse("aqb_excel:measure_import", args=[measure_a.pk]):
            # The upload form is shown again with the reason; no job is started (counted below).
            assert response.status_code in (200, 403), (url, response.status_code)
        else:
            assert response.status_code in (403, 404), (url, response.status_code)
    assert list(Participant.objects.filter(measure=measure_a).values_list("pseudonym", flat=True)) == ["BWN-4717"]
    assert ImportJob.objects.count() == 1
    # Carry-over into a closed successor is refused too.
    predecessor = make_measure("AQB25-KS-M1-01", kassel, provider_org_a, budget_year=2025, successor=measure_a)
    make_participant(predecessor, "BWN-4722", exit_date=predecessor.end_date,
                     destination=Destination.objects.get(is_carry_over=True))
    client.post(reverse("aqb_excel:carry_over", args=[predecessor.pk]))
    assert not Participant.objects.filter(measure=measure_a, pseudonym="BWN-4722").exists()


# ---------------------------------------------------------------------------
# Exports with a forged filter
# ---------------------------------------------------------------------------


def test_provider_cannot_widen_the_multi_export_by_naming_another_grant_recipient(client, kassel_data, kassel):
    w = kassel_data
    response = as_user(client, w.provider_b, reverse("aqb_excel:measures_export"),
                       data={"download": "1", "grant_recipient": kassel.pk})
    if response.get("Content-Type", "").startswith("application/vnd"):
        sheet = load_workbook(io.BytesIO(response.content))["Teilnehmende"]
        assert {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)} <= {"FP-4713"}
    else:
        assert not any(marker in response.content.decode() for marker in MARKERS_OF_A)


# ---------------------------------------------------------------------------
# Log-in: password reset reveals nothing about accounts
# ---------------------------------------------------------------------------


def test_password_reset_does_not_reveal_whether_a_foreign_account_exists(client, provider_a):
    url = reverse("wagtailadmin_password_reset")
    with TestCase.captureOnCommitCallbacks(execute=True):  # the mail is sent by a task after the commit
        known = client.post(url, {"email": "traeger.a@example.org"})
        unknown = client.post(url, {"email": "niemand@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [message.to for message in mail.outbox] == [["traeger.a@example.org"]]
    assert User.objects.filter(email="traeger.a@example.org").exists()



def test_tenant_gets_404_on_wagtails_page_move_confirmation(client, kassel_data):
    """Wagtail renders the move confirmation (page titles, drafts too) before any permission check."""
    from wagtail.models import Page

    page = Page.objects.filter(depth=2).first()
    root = page.get_parent()
    url = f"/admin/pages/{page.pk}/move/{root.pk}/confirm/"
    for user in (kassel_data.provider_a, kassel_data.ze_kassel):
        assert as_user(client, user, url).status_code == 404
        assert as_user(client, user, url, "post").status_code == 404
    assert Page.objects.get(pk=page.pk).path == page.path
