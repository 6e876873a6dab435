"""axe-core on every admin page each role reaches: zero violations (issue 10, item 21).

The demo data (`seed_demo`) fills every list, so a table or a badge is checked the way a clerk
meets it. Each role (provider, grant recipient, RP) gets one browser context and walks its
pages; the participant form is checked on each of its tabs (steps), the import preview after a
real upload. A failure names the role, the page and the rule with the first elements it found.
"""

import pprint
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from aqb_content.demo import seed_content
from aqb_content.models import HomePage
from aqb_monitoring import demo as monitoring_demo
from aqb_monitoring.models import ChangeRequest, Measure, Participant, ParticipantGoal, Report, User
from tests.conftest import RecordingReport
from tests.excel_files import green_row, red_row, workbook_bytes, yellow_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-core" / "axe.min.js"
RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Findings in Wagtail's own markup that no documented override reaches: (rule, part of the selector).
WAGTAIL_MARKUP = [
    # The "Live" status tag in the page header (wagtailadmin/shared/page_status_tag_new.html): its
    # aria-label "Für alle sichtbar. Live-Seite besuchen" does not begin with its visible text "Live".
    ("label-content-name-mismatch", "a[data-w-tooltip-content-value="),
    # Draftail's rich-text editor in the page editor (Draft.js renders a contenteditable role="textbox"
    # described by its placeholder but labelled by nothing; the field's <label> names the hidden input).
    ("aria-input-field-name", 'div[aria-describedby="placeholder-'),
]


def seed():
    report = RecordingReport()
    monitoring_demo.seed_accounts(report)
    seed_content(report)
    monitoring_demo.seed_monitoring(report)


def log_in(page, live_server, email):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", monitoring_demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/**")


def wagtail_markup(rule, target):
    return any(rule == known_rule and part in " ".join(map(str, target)) for known_rule, part in WAGTAIL_MARKUP)


def axe(page):
    """The violations on the page as it is shown now: {rule: [selectors of the first three elements]}."""
    page.add_script_tag(path=str(AXE))
    # Only violations are collected: passes on a long table would cost seconds per page.
    result = page.evaluate("tags => axe.run(document, {runOnly: tags, resultTypes: ['violations']})", RULE_TAGS)
    found = {}
    for violation in result["violations"]:
        targets = [node["target"] for node in violation["nodes"] if not wagtail_markup(violation["id"], node["target"])]
        if targets:
            found[violation["id"]] = targets[:3]
    return found


class Walk:
    """One role's browser context; `check(url)` opens a page and records what axe finds on it."""

    def __init__(self, browser, live_server, email, role):
        self.live_server, self.role = live_server, role
        self.context = browser.new_context(locale="de-DE", bypass_csp=True, viewport={"width": 1366, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.found = {}
        log_in(self.page, live_server, email)

    def check(self, url, label="", status=200):
        response = self.page.goto(f"{self.live_server.url}{url}")
        if response.status != status:
            self.found[f"{self.role} {url}"] = f"Status {response.status}"
            return
        self.record(url, label)

    def record(self, url, label=""):
        violations = axe(self.page)
        if violations:
            self.found[f"{self.role} {url} {label}".strip()] = violations

    def check_participant_form(self, url):
        """The form, then each of its steps (tabs) in turn: a hidden step is not checked by axe."""
        self.check(url)
        links = self.page.locator("[data-aqb-step-link]")
        for index in range(links.count()):
            link = links.nth(index)
            if link.is_visible():
                link.click()
                self.record(url, f"Schritt {link.get_attribute('data-aqb-step-link')}")

    def close(self):
        self.context.close()


def every_role_pages(measure, participant):
    """Pages every role reaches whose markup is the same for all (checked once, as the provider)."""
    return [
        reverse("aqb_monitoring:measure_history", args=[measure.pk]),
        reverse("aqb_monitoring:participant_history", args=[measure.pk, participant.pk]),
        reverse("aqb_monitoring:participant_delete", args=[measure.pk, participant.pk]),
        reverse("aqb_excel:measure_import", args=[measure.pk]),
    ]


def role_pages(measure):
    """Pages whose buttons, columns or panels depend on the role (checked for each)."""
    return [
        reverse("wagtailadmin_home"),
        reverse("aqb_monitoring:dashboard"),
        reverse("aqb_monitoring:measure", args=[measure.pk]),
        reverse("aqb_account"),
    ]


def test_every_admin_page_of_every_role_has_no_axe_violations(browser, live_server, tmp_path):
    seed()
    measure = Measure.objects.get(number="AQB26-KS-M1-01")
    predecessor = Measure.objects.get(number="AQB25-KS-M1-01")
    participant = Participant.objects.filter(measure=measure).order_by("pk").last()
    report = Report.objects.filter(measure__grant_recipient=measure.grant_recipient).order_by("pk").first()
    change_request = ChangeRequest.objects.filter(measure=measure).get()
    provider_user = User.objects.get(email="traeger.nordhessen@aqb-demo.de")
    found = {}

    # The provider (Bildungswerk Nordhessen) runs AQB26-KS-M1-01.
    walk = Walk(browser, live_server, "traeger.nordhessen@aqb-demo.de", "Träger")
    for url in role_pages(measure) + every_role_pages(measure, participant) + [
        reverse("aqb_monitoring:dashboard") + "?sort=due",
        reverse("aqb_reports:data_complete", args=[measure.pk]),
        reverse("aqb_excel:carry_over", args=[predecessor.pk]),
        reverse("aqb_users:change_password"),
    ]:
        walk.check(url)
    walk.check_participant_form(reverse("aqb_monitoring:participant_add", args=[measure.pk]))
    walk.check_participant_form(reverse("aqb_monitoring:participant_edit", args=[measure.pk, participant.pk]))
    # The admin's error pages: an unknown address (404) and a refusal (403: no new participant in a closed measure).
    walk.check("/admin/gibt-es-nicht/", status=404)
    Measure.objects.filter(pk=predecessor.pk).update(closed_at=timezone.now())
    walk.check(reverse("aqb_monitoring:participant_add", args=[predecessor.pk]), status=403)
    found.update(walk.found)
    walk.close()

    # The grant recipient (Landkreis Kassel): reports, change requests, providers and users besides.
    walk = Walk(browser, live_server, "ze.kassel@aqb-demo.de", "ZE")
    for url in role_pages(measure) + [
        reverse("aqb_reports:report_detail", args=[report.pk]),
        reverse("aqb_reports:submit", args=[measure.pk, "jahresmeldung"]),
        reverse("aqb_reports:submit", args=[measure.pk, "zwischenmeldung"]),
        reverse("aqb_reports:submit", args=[measure.pk, "abschluss"]),
        reverse("aqb_reports:annual_all"),
        reverse("aqb_reports:change_request_add", args=[measure.pk]),
        reverse("aqb_reports:change_request_detail", args=[change_request.pk]),
        reverse("aqb_monitoring:provider_list"),
        reverse("aqb_monitoring:provider_contact", args=[provider_user.organisation.pk]),
        reverse("aqb_users:index"),
        reverse("aqb_users:add"),
        reverse("aqb_users:edit", args=[provider_user.pk]),
    ]:
        walk.check(url)
    # The import preview after a real upload, and the correction of one row.
    upload = tmp_path / "teilnehmende.xlsx"
    upload.write_bytes(workbook_bytes([
        yellow_row(measure, "AX-1"), green_row(measure, "AX-2"), red_row(measure, "AX-3"), yellow_row(measure, "AX 4"),
    ]))
    walk.page.goto(f"{live_server.url}{reverse('aqb_excel:measure_import', args=[measure.pk])}")
    walk.page.set_input_files("input[type=file]", str(upload))
    walk.page.get_by_role("button", name="Hochladen und prüfen").click()
    walk.page.wait_for_selector("#import-summary")
    walk.record(walk.page.url.removeprefix(live_server.url), "Vorschau")
    walk.page.locator("tr[data-row='4']").get_by_role("link", name="Korrigieren").click()
    walk.record(walk.page.url.removeprefix(live_server.url), "Korrektur")
    found.update(walk.found)
    walk.close()

    # The RP: its own pages, the review side of reports and change requests, the editorial pages.
    walk = Walk(browser, live_server, "rp@aqb-demo.de", "RP")
    site_home = HomePage.objects.get()
    for url in role_pages(measure) + [
        reverse("aqb_reports:report_detail", args=[report.pk]),
        reverse("aqb_reports:inbox"),
        reverse("aqb_reports:change_requests"),
        reverse("aqb_reports:change_request_detail", args=[change_request.pk]),
        reverse("aqb_board:index"),
        reverse("aqb_statistics:index"),
        reverse("aqb_reminders:list"),
        reverse("aqb_users:index"),
        reverse("aqb_users:edit", args=[provider_user.pk]),
        reverse("aqb_catalogue_participantgoal:list"),
        reverse("aqb_catalogue_participantgoal:edit", args=[ParticipantGoal.objects.order_by("pk").first().pk]),
        reverse("aqb_measure_master:list"),
        reverse("aqb_measure_master:edit", args=[measure.pk]),
        reverse("aqb_organisation:list"),
        reverse("aqb_measure_import:upload"),
        reverse("aqb_security:list"),
        reverse("aqb_security:locked"),
        reverse("wagtailsnippets_aqb_content_contact:list"),
        reverse("wagtaildocs:index"),
        reverse("wagtailadmin_explore_root"),
        reverse("wagtailadmin_explore", args=[site_home.pk]),
        reverse("wagtailadmin_pages:edit", args=[site_home.pk]),
    ]:
        walk.check(url)
    found.update(walk.found)
    # The walk can fail: an image without alternative text on the last page is found.
    walk.page.evaluate("document.querySelector('main').append(Object.assign(document.createElement('img'), {src: '/x.png'}))")
    assert "image-alt" in axe(walk.page)
    walk.close()

    assert found == {}, pprint.pformat(found)
