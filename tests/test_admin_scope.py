"""Every admin URL of the monitoring, tried from the other tenant's side.

The test walks Django's URL resolver: every pattern under /admin/ whose view belongs to
aqb_monitoring (our views, the RP's snippet viewsets and their choosers) must either be
closed to everyone but the RP as a whole (`viewsets.authority_required`, tried below
with GET and POST) or have an entry in SCOPE_CASES. A new pattern without one fails
`test_every_monitoring_admin_url_has_a_scope_test`: add a case that logs in as a user of
another organisation and asserts a 404 (and that the owner still gets through).
"""

import pytest
from django.urls import URLResolver, get_resolver, reverse

from aqb_monitoring.models import Measure, Organisation, Participant, User

from .conftest import make_participant


def walk(patterns, prefix="", namespaces=(), kwargs=()):
    for pattern in patterns:
        names = tuple(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            namespace = (pattern.namespace,) if pattern.namespace else ()
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), namespaces + namespace, kwargs + names)
        else:
            yield prefix + str(pattern.pattern), ":".join(namespaces + (pattern.name or "",)), pattern.callback, kwargs + names


def monitoring_admin_patterns():
    """(route, name, callback, kwarg names) of every admin URL whose view is ours."""
    found = []
    for route, name, callback, kwargs in walk(get_resolver().url_patterns):
        module = getattr(callback, "__module__", "") or ""
        view_class = getattr(callback, "view_class", None)
        if view_class is not None:
            module = view_class.__module__
        if route.startswith("admin/") and (module.startswith("aqb_monitoring") or "aqb_monitoring" in route):
            found.append((route, name, callback, kwargs))
    return found


PATTERNS = monitoring_admin_patterns()
AUTHORITY_ONLY = [(route, name, kwargs) for route, name, callback, kwargs in PATTERNS if getattr(callback, "authority_only", False)]
SCOPED = [(route, name) for route, name, callback, kwargs in PATTERNS if not getattr(callback, "authority_only", False)]


@pytest.fixture
def world(measure_a, measure_a2, measure_b, provider_a, provider_a2, provider_b, ze_kassel, ze_fulda, rp_editor):
    """KS: measure A (Bildungswerk), measure A2 (Jugendwerkstatt); FD: measure B; one participant each."""

    class World:
        pass

    w = World()
    w.measure_a, w.measure_a2, w.measure_b = measure_a, measure_a2, measure_b
    w.participant_a = make_participant(measure_a, "BWN-0001")
    w.participant_a2 = make_participant(measure_a2, "JWK-0001")
    w.participant_b = make_participant(measure_b, "FP-0001")
    w.provider_a, w.provider_a2, w.provider_b = provider_a, provider_a2, provider_b
    w.ze_kassel, w.ze_fulda, w.rp = ze_kassel, ze_fulda, rp_editor
    return w


def get_as(client, user, url, method="get", data=None):
    """Request `url` as `user` (GET or POST), logged out afterwards."""
    client.force_login(user)
    response = getattr(client, method)(url, data or {})
    client.logout()
    return response


def assert_foreign_404(client, w, url, owner):
    """Foreign tenants get 404 on GET and POST; the owner still gets through (so the test can fail)."""
    for stranger in (w.provider_b, w.ze_fulda):
        assert get_as(client, stranger, url).status_code == 404, (stranger, url)
        assert get_as(client, stranger, url, "post").status_code == 404, (stranger, url)
    assert get_as(client, owner, url).status_code == 200, url


# --- one case per pattern name ------------------------------------------------


def case_dashboard(client, w):
    url = reverse("aqb_monitoring:dashboard")
    page = get_as(client, w.provider_b, url).content.decode()
    assert w.measure_b.number in page
    assert w.measure_a.number not in page and w.measure_a2.number not in page
    # The search, the filters and their choice lists stay scoped too.
    page = get_as(client, w.provider_b, url + "?q=KS&budget_year=2026").content.decode()
    assert w.measure_a.number not in page
    page = get_as(client, w.provider_a, url).content.decode()
    assert w.measure_a.number in page and w.measure_a2.number not in page
    page = get_as(client, w.ze_kassel, url).content.decode()
    assert w.measure_a.number in page and w.measure_a2.number in page and w.measure_b.number not in page
    page = get_as(client, w.rp, url).content.decode()
    assert all(m.number in page for m in (w.measure_a, w.measure_a2, w.measure_b))


def case_measure(client, w):
    url = reverse("aqb_monitoring:measure", args=[w.measure_a.pk])
    assert_foreign_404(client, w, url, w.provider_a)
    assert get_as(client, w.provider_a, reverse("aqb_monitoring:measure", args=[w.measure_a2.pk])).status_code == 404
    assert get_as(client, w.rp, url).status_code == 200


def case_measure_history(client, w):
    assert_foreign_404(client, w, reverse("aqb_monitoring:measure_history", args=[w.measure_a.pk]), w.ze_kassel)


def case_participant_add(client, w):
    url = reverse("aqb_monitoring:participant_add", args=[w.measure_a.pk])
    for stranger in (w.provider_b, w.ze_fulda, w.provider_a2):
        assert get_as(client, stranger, url).status_code == 404
        assert get_as(client, stranger, url, "post", {"pseudonym": "EVIL-1"}).status_code == 404
    assert not Participant.objects.filter(pseudonym="EVIL-1").exists()


def case_participant_edit(client, w):
    url = reverse("aqb_monitoring:participant_edit", args=[w.measure_a.pk, w.participant_a.pk])
    for stranger in (w.provider_b, w.ze_fulda, w.provider_a2):
        assert get_as(client, stranger, url).status_code == 404
        assert get_as(client, stranger, url, "post", {"pseudonym": "EVIL-2"}).status_code == 404
    # A foreign participant under one's own measure's URL is a 404 too.
    crossed = reverse("aqb_monitoring:participant_edit", args=[w.measure_b.pk, w.participant_a.pk])
    assert get_as(client, w.provider_b, crossed).status_code == 404
    w.participant_a.refresh_from_db()
    assert w.participant_a.pseudonym == "BWN-0001"


def case_participant_summary_new(client, w):
    url = reverse("aqb_monitoring:participant_summary_new", args=[w.measure_a.pk])
    for stranger in (w.provider_b, w.ze_fulda, w.provider_a2):
        assert get_as(client, stranger, url).status_code == 404
        assert get_as(client, stranger, url, "post", {"pseudonym": "EVIL-3"}).status_code == 404
    assert get_as(client, w.provider_a, url, "post", {"pseudonym": "EVIL-3"}).status_code == 200
    assert not Participant.objects.filter(pseudonym="EVIL-3").exists()


def case_participant_summary(client, w):
    url = reverse("aqb_monitoring:participant_summary", args=[w.measure_a.pk, w.participant_a.pk])
    for stranger in (w.provider_b, w.ze_fulda, w.provider_a2):
        assert get_as(client, stranger, url).status_code == 404
        assert get_as(client, stranger, url, "post", {"pseudonym": "EVIL-4"}).status_code == 404
    crossed = reverse("aqb_monitoring:participant_summary", args=[w.measure_b.pk, w.participant_a.pk])
    assert get_as(client, w.provider_b, crossed, "post", {"pseudonym": "EVIL-4"}).status_code == 404
    assert get_as(client, w.provider_a, url, "post", {"pseudonym": "EVIL-4"}).status_code == 200
    w.participant_a.refresh_from_db()
    assert w.participant_a.pseudonym == "BWN-0001"


def case_participant_delete(client, w):
    url = reverse("aqb_monitoring:participant_delete", args=[w.measure_a.pk, w.participant_a.pk])
    for stranger in (w.provider_b, w.ze_fulda, w.provider_a2):
        assert get_as(client, stranger, url).status_code == 404
        assert get_as(client, stranger, url, "post").status_code == 404
    crossed = reverse("aqb_monitoring:participant_delete", args=[w.measure_b.pk, w.participant_a.pk])
    assert get_as(client, w.provider_b, crossed, "post").status_code == 404
    assert Participant.objects.filter(pk=w.participant_a.pk).exists()
    assert get_as(client, w.provider_a, url).status_code == 200


def case_participant_history(client, w):
    url = reverse("aqb_monitoring:participant_history", args=[w.measure_a.pk, w.participant_a.pk])
    assert_foreign_404(client, w, url, w.provider_a)
    crossed = reverse("aqb_monitoring:participant_history", args=[w.measure_b.pk, w.participant_a.pk])
    assert get_as(client, w.provider_b, crossed).status_code == 404


def case_provider_list(client, w):
    url = reverse("aqb_monitoring:provider_list")
    for provider_user in (w.provider_a, w.provider_b):
        assert get_as(client, provider_user, url).status_code == 404
    page = get_as(client, w.ze_fulda, url).content.decode()
    assert "Fulda Perspektiven" in page
    assert "Bildungswerk Nordhessen" not in page and "Jugendwerkstatt" not in page


def case_provider_contact(client, w):
    provider = w.provider_a.organisation
    url = reverse("aqb_monitoring:provider_contact", args=[provider.pk])
    for stranger in (w.ze_fulda, w.provider_b, w.provider_a):
        assert get_as(client, stranger, url).status_code == 404
        assert get_as(client, stranger, url, "post", {"contact_email": "evil@example.org"}).status_code == 404
    provider.refresh_from_db()
    assert provider.contact_email != "evil@example.org"
    assert get_as(client, w.ze_kassel, url).status_code == 200


# --- the Excel part's URLs (aqb_monitoring/excel) ---------------------------------


def assert_404_or_wrong_method(client, stranger, url):
    """404 for the method the view takes; 405 (before any lookup, so no hint) for the other one."""
    statuses = {get_as(client, stranger, url).status_code, get_as(client, stranger, url, "post").status_code}
    assert 404 in statuses and statuses <= {404, 405}, (stranger, url, statuses)


def case_excel_measure_url(name):
    def case(client, w):
        url = reverse(name, args=[w.measure_a.pk])
        for stranger in (w.provider_b, w.ze_fulda, w.provider_a2):
            assert_404_or_wrong_method(client, stranger, url)
        assert Participant.objects.filter(measure=w.measure_a).count() == 1

    return case


def case_excel_measures_export(client, w):
    import io

    from openpyxl import load_workbook

    url = reverse("aqb_excel:measures_export")
    for stranger, own in ((w.provider_b, "FP-0001"), (w.provider_a, "BWN-0001")):
        response = get_as(client, stranger, url, data={"download": "1"})
        sheet = load_workbook(io.BytesIO(response.content))["Teilnehmende"]
        ids = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert ids == {own}, (stranger, ids)
        # The filter's choice of grant recipients offers only the user's own.
        page = get_as(client, stranger, url).content.decode()
        assert ("Landkreis Kassel" in page) == (stranger is w.provider_a)


def case_excel_job(name, extra_args=()):
    def case(client, w):
        from aqb_monitoring.models import ImportJob

        job = ImportJob.objects.create(measure=w.measure_a, user=w.provider_a, status="preview")
        url = reverse(name, args=[job.pk, *extra_args])
        for stranger in (w.provider_b, w.ze_fulda, w.ze_kassel, w.provider_a2):
            assert_404_or_wrong_method(client, stranger, url)
        assert ImportJob.objects.filter(pk=job.pk).exists()

    return case


# --- the reports' URLs (aqb_monitoring/reporting) ------------------------------------


def sent_report(w):
    import datetime

    from aqb_monitoring.models import ReportKind
    from aqb_monitoring.services.reports import do_submit_report

    Participant.objects.filter(measure=w.measure_a).update(status="yellow")  # entry data complete
    return do_submit_report(w.ze_kassel, w.measure_a, ReportKind.INTERIM, today=datetime.date(2026, 6, 1))


def case_report_submit(client, w):
    from aqb_monitoring.models import Report

    url = reverse("aqb_reports:submit", args=[w.measure_a.pk, "zwischenmeldung"])
    for stranger in (w.provider_b, w.ze_fulda, w.provider_a2):
        assert get_as(client, stranger, url).status_code == 404
        assert get_as(client, stranger, url, "post", {"submission_key": "evil"}).status_code == 404
    assert not Report.objects.exists()
    assert get_as(client, w.provider_a, url).status_code == 200  # the provider sees the pre-check


def case_report_page(name):
    def case(client, w):
        url = reverse(name, args=[sent_report(w).pk])
        for stranger in (w.provider_b, w.ze_fulda, w.provider_a2):
            assert get_as(client, stranger, url).status_code == 404, (stranger, url)
        assert get_as(client, w.provider_a, url).status_code == 200

    return case


def case_rp_only(name, target):
    def case(client, w):
        from aqb_monitoring.models import AuditEntry

        args = {"none": [], "report": lambda: [sent_report(w).pk], "measure": [w.measure_a.pk]}[target]
        url = reverse(name, args=args() if callable(args) else args)
        entries = AuditEntry.objects.count()
        for stranger in (w.provider_b, w.ze_fulda, w.provider_a, w.ze_kassel):
            assert_404_or_wrong_method(client, stranger, url)
            get_as(client, stranger, url, "post", {"state": "accepted", "reason": "x"})
        assert AuditEntry.objects.count() == entries

    return case


def case_data_complete(client, w):
    from aqb_monitoring.models import AuditEntry

    url = reverse("aqb_reports:data_complete", args=[w.measure_a.pk])
    for stranger in (w.provider_b, w.ze_fulda, w.provider_a2, w.ze_kassel):
        assert get_as(client, stranger, url).status_code == 404
        assert get_as(client, stranger, url, "post").status_code == 404
    assert not AuditEntry.objects.filter(action="data_complete").exists()
    assert get_as(client, w.provider_a, url).status_code == 200


def case_annual_all(client, w):
    """The list holds only the ZE's own measures; a foreign ZE sends nothing of them."""
    from aqb_monitoring.models import Report

    Participant.objects.update(status="yellow")
    url = reverse("aqb_reports:annual_all") + "?year=2026"
    page = get_as(client, w.ze_fulda, url).content.decode()
    assert w.measure_b.number in page and w.measure_a.number not in page and w.measure_a2.number not in page
    get_as(client, w.ze_fulda, reverse("aqb_reports:annual_all"), "post", {"year": "2026", "batch_key": "b"})
    assert set(Report.objects.values_list("measure__number", flat=True)) == {w.measure_b.number}
    for stranger in (w.provider_a, w.provider_b):
        assert get_as(client, stranger, url).status_code == 404


def case_change_request_add(client, w):
    from aqb_monitoring.models import ChangeRequest

    url = reverse("aqb_reports:change_request_add", args=[w.measure_a.pk])
    data = {"field_name": "title", "proposed_value": "Fremd", "reason": "x"}
    for stranger in (w.provider_b, w.ze_fulda, w.provider_a, w.provider_a2):
        assert get_as(client, stranger, url).status_code == 404, (stranger, url)
        assert get_as(client, stranger, url, "post", data).status_code == 404, (stranger, url)
    assert not ChangeRequest.objects.exists()
    assert get_as(client, w.ze_kassel, url).status_code == 200


def case_change_request_detail(client, w):
    from aqb_monitoring.models import ChangeRequestState
    from aqb_monitoring.services.change_requests import do_request_change

    change_request = do_request_change(w.ze_kassel, w.measure_a, "title", "Neu", "Grund")
    url = reverse("aqb_reports:change_request_detail", args=[change_request.pk])
    for stranger in (w.provider_b, w.ze_fulda, w.provider_a, w.provider_a2):
        assert get_as(client, stranger, url).status_code == 404, (stranger, url)
        assert get_as(client, stranger, url, "post", {"action": "apply"}).status_code == 404, (stranger, url)
    assert get_as(client, w.ze_kassel, url, "post", {"action": "apply"}).status_code == 404  # reads, never decides
    change_request.refresh_from_db()
    assert change_request.state == ChangeRequestState.OPEN
    assert get_as(client, w.ze_kassel, url).status_code == 200
    assert get_as(client, w.rp, url).status_code == 200


# --- the "Benutzer" pages (aqb_monitoring/users, issue 13) ------------------------------------------


def case_users_index(client, w):
    url = reverse("aqb_users:index")
    for provider_user in (w.provider_a, w.provider_b):
        assert get_as(client, provider_user, url).status_code == 404
    page = get_as(client, w.ze_fulda, url).content.decode()
    assert w.provider_b.email in page and w.provider_a.email not in page and w.rp.email not in page
    assert w.provider_a.email in get_as(client, w.ze_kassel, url).content.decode()


def case_users_add(client, w):
    from aqb_monitoring.models import User

    url = reverse("aqb_users:add")
    data = {"first_name": "E", "last_name": "Vil", "email": "evil@example.org", "access": "invite"}
    for stranger in (w.provider_a, w.provider_b):
        assert get_as(client, stranger, url).status_code == 404
        assert get_as(client, stranger, url, "post", {**data, "organisation": stranger.organisation_id}).status_code == 404
    # A ZE names another ZE's provider: a form error, nothing saved.
    assert get_as(client, w.ze_fulda, url, "post", {**data, "organisation": w.provider_a.organisation_id}).status_code == 200
    assert not User.objects.filter(email="evil@example.org").exists()
    assert get_as(client, w.ze_kassel, url).status_code == 200


def case_users_object(name):
    def case(client, w):
        url = reverse(name, args=[w.provider_a.pk])
        data = {"first_name": "E", "last_name": "Vil", "email": "evil@example.org",
                "organisation": w.provider_b.organisation_id}
        for stranger in (w.ze_fulda, w.provider_b, w.provider_a2, w.provider_a):
            assert get_as(client, stranger, url).status_code == 404, (stranger, url)
            assert get_as(client, stranger, url, "post", data).status_code == 404, (stranger, url)
        w.provider_a.refresh_from_db()
        assert w.provider_a.email == "traeger.a@example.org" and w.provider_a.is_active
        assert not w.provider_a.must_change_password and w.provider_a.invited_at is None
        assert get_as(client, w.ze_kassel, url).status_code == 200

    return case


def case_users_change_password(client, w):
    """No object in the URL: the form changes only the signed-in user's own password."""
    url = reverse("aqb_users:change_password")
    before = w.provider_a.password
    data = {"old_password": "AQBtest#!2026", "new_password1": "Neu##Pass99xy", "new_password2": "Neu##Pass99xy"}
    assert get_as(client, w.provider_b, url, "post", data).status_code == 302
    w.provider_a.refresh_from_db()
    w.provider_b.refresh_from_db()
    assert w.provider_a.password == before and w.provider_b.check_password("Neu##Pass99xy")


SCOPE_CASES = {
    "aqb_board:index": case_rp_only("aqb_board:index", "none"),
    "aqb_board:export": case_rp_only("aqb_board:export", "none"),
    "aqb_reports:change_request_add": case_change_request_add,
    "aqb_reports:change_request_detail": case_change_request_detail,
    "aqb_reports:change_requests": case_rp_only("aqb_reports:change_requests", "none"),
    "aqb_reports:annual_all": case_annual_all,
    "aqb_reports:data_complete": case_data_complete,
    "aqb_reports:submit": case_report_submit,
    "aqb_reports:report_detail": case_report_page("aqb_reports:report_detail"),
    "aqb_reports:report_download": case_report_page("aqb_reports:report_download"),
    "aqb_reports:inbox": case_rp_only("aqb_reports:inbox", "none"),
    "aqb_reports:review": case_rp_only("aqb_reports:review", "report"),
    "aqb_reports:reopen": case_rp_only("aqb_reports:reopen", "measure"),
    "aqb_excel:measure_export": case_excel_measure_url("aqb_excel:measure_export"),
    "aqb_excel:measure_import": case_excel_measure_url("aqb_excel:measure_import"),
    "aqb_excel:carry_over": case_excel_measure_url("aqb_excel:carry_over"),
    "aqb_excel:measures_export": case_excel_measures_export,
    "aqb_excel:job": case_excel_job("aqb_excel:job"),
    "aqb_excel:job_row": case_excel_job("aqb_excel:job_row", (2,)),
    "aqb_excel:job_take": case_excel_job("aqb_excel:job_take"),
    "aqb_excel:job_discard": case_excel_job("aqb_excel:job_discard"),
    "aqb_excel:job_restart": case_excel_job("aqb_excel:job_restart"),
    "aqb_excel:job_left_out": case_excel_job("aqb_excel:job_left_out"),
    "aqb_monitoring:dashboard": case_dashboard,
    "aqb_monitoring:measure": case_measure,
    "aqb_monitoring:measure_history": case_measure_history,
    "aqb_monitoring:participant_add": case_participant_add,
    "aqb_monitoring:participant_edit": case_participant_edit,
    "aqb_monitoring:participant_summary": case_participant_summary,
    "aqb_monitoring:participant_summary_new": case_participant_summary_new,
    "aqb_monitoring:participant_delete": case_participant_delete,
    "aqb_monitoring:participant_history": case_participant_history,
    "aqb_monitoring:provider_list": case_provider_list,
    "aqb_monitoring:provider_contact": case_provider_contact,
    "aqb_users:index": case_users_index,
    "aqb_users:add": case_users_add,
    "aqb_users:edit": case_users_object("aqb_users:edit"),
    "aqb_users:deactivate": case_users_object("aqb_users:deactivate"),
    "aqb_users:reactivate": case_users_object("aqb_users:reactivate"),
    "aqb_users:invite": case_users_object("aqb_users:invite"),
    "aqb_users:one_time_password": case_users_object("aqb_users:one_time_password"),
    "aqb_users:change_password": case_users_change_password,
}


def test_the_walk_finds_the_monitoring_urls():
    names = {name for _route, name, _callback, _kwargs in PATTERNS}
    assert "aqb_monitoring:participant_edit" in names
    assert any(name.startswith("aqb_catalogue_") for name in names)
    assert any(name.startswith("wagtailsnippetchoosers_aqb_monitoring_measure:") for name in names)
    assert len(AUTHORITY_ONLY) > 100
    # The RP's measure import (upload, the job's page, take, discard, restart) is closed as a whole to ZE and providers.
    authority_only_names = {name for _route, name, _kwargs in AUTHORITY_ONLY}
    assert {"aqb_measure_import:upload", "aqb_measure_import:job", "aqb_measure_import:take",
            "aqb_measure_import:discard", "aqb_measure_import:restart"} <= authority_only_names
    # The RP's statistics (page and Excel download) likewise.
    assert {"aqb_statistics:index", "aqb_statistics:excel"} <= authority_only_names


def test_every_monitoring_admin_url_has_a_scope_test():
    missing = sorted(f"{name} ({route})" for route, name in SCOPED if name not in SCOPE_CASES)
    assert not missing, "Admin-URLs ohne Test aus Sicht eines fremden Mandanten: " + ", ".join(missing)


@pytest.mark.parametrize("name", sorted({name for _route, name in SCOPED}))
def test_scoped_url_from_the_other_tenants_side(client, world, name):
    SCOPE_CASES[name](client, world)


@pytest.mark.parametrize("route,name,kwargs", AUTHORITY_ONLY, ids=[name for _r, name, _k in AUTHORITY_ONLY])
def test_rp_only_url_is_404_for_ze_and_providers(client, world, route, name, kwargs):
    url = reverse(name, kwargs={key: str(world.measure_a.pk) for key in kwargs})
    for user in (world.provider_b, world.ze_kassel, world.provider_a):
        assert get_as(client, user, url).status_code == 404, (user, url)
        assert get_as(client, user, url, "post").status_code == 404, (user, url)


@pytest.mark.parametrize(
    "name",
    sorted({name for _route, name, _kwargs in AUTHORITY_ONLY if name.endswith(":list") or name.endswith(":choose")}),
)
def test_rp_opens_every_list_and_chooser(client, world, name):
    assert get_as(client, world.rp, reverse(name)).status_code == 200


# --- Wagtail's own generic URLs that could reach our models -----------------------


@pytest.mark.parametrize("model_name", ["measure", "organisation", "gender", "participant"])
def test_bulk_actions_do_not_reach_our_models_for_tenants(client, world, model_name):
    target = {"measure": world.measure_a.pk, "organisation": world.provider_a.organisation_id}.get(model_name, 1)
    url = f"/admin/bulk/aqb_monitoring/{model_name}/delete/?id={target}&next=/admin/"
    for user in (world.provider_b, world.ze_fulda, world.provider_a):
        assert get_as(client, user, url).status_code in (403, 404)
        assert get_as(client, user, url, "post").status_code in (403, 404)
    assert Measure.objects.filter(pk=world.measure_a.pk).exists()
    assert Organisation.objects.filter(pk=world.provider_a.organisation_id).exists()


def test_site_history_shows_tenants_no_log_entries_of_measures(client, world):
    """RP edits a measure in the master-data viewset (a Wagtail log entry); no tenant sees it in 'Protokoll'."""
    edit_url = reverse("aqb_measure_master:edit", args=[world.measure_a.pk])
    client.force_login(world.rp)
    form = client.get(edit_url).context["form"]
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update(title="Neu betitelt", start_date="01.01.2026", end_date="31.12.2026")
    assert client.post(edit_url, data).status_code == 302
    # The edit left a Wagtail log entry, so the tenants' view below could show it.
    from wagtail.models import ModelLogEntry

    assert ModelLogEntry.objects.filter(object_id=str(world.measure_a.pk), label__contains="Neu betitelt").exists()
    client.logout()
    for user in (world.ze_kassel, world.provider_a, world.ze_fulda, world.provider_b):
        response = get_as(client, user, "/admin/reports/site-history/")
        assert "Neu betitelt" not in response.content.decode()
        assert world.measure_a.number not in response.content.decode()


@pytest.mark.parametrize("url", ["/admin/users/", "/admin/groups/", "/admin/snippets/", "/admin/users/add/"])
def test_tenants_do_not_reach_user_group_or_snippet_admin(client, world, url):
    for user in (world.ze_kassel, world.provider_a):
        response = get_as(client, user, url)
        assert response.status_code in (403, 404), (user, url, response.status_code)
        # No other user or group of the portal shows (the refusal page names only the signed-in user).
        others = User.objects.exclude(pk=user.pk).values_list("email", flat=True)
        assert not [email for email in others if email.encode() in response.content]
        groups = Organisation.objects.exclude(group=None).values_list("group__name", flat=True)
        assert not [name for name in groups if name.encode() in response.content]


def test_tenant_menu_has_no_catalogues_or_master_data(client, world):
    """The sidebar's menu is JSON in the page: look for the menu items' URLs."""
    page = get_as(client, world.ze_kassel, "/admin/").content.decode()
    assert '"/admin/monitoring/traeger/"' in page
    assert "/admin/kataloge/" not in page and "/admin/stammdaten/" not in page
    page = get_as(client, world.provider_a, "/admin/").content.decode()
    assert '"/admin/monitoring/"' in page
    assert "/admin/monitoring/traeger/" not in page and "/admin/kataloge/" not in page
    page = get_as(client, world.rp, "/admin/").content.decode()
    assert "/admin/kataloge/gender/" in page and "/admin/stammdaten/massnahmen/" in page
