"""Every page seed_demo builds opens in Wagtail's page editor, saves unchanged and publishes.

The editor converts stored rich text to its own format and back; text it cannot convert
(a bare `<br>`) made the edit view answer 500. The test posts the form the way the
browser's editor would: the plain fields as rendered, the StreamFields from the block
state that the edit page hands to its JavaScript.
"""

import json
import re

import pytest
from django.test import Client
from wagtail import blocks
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.test.utils.form_data import querydict_from_html
from wagtail.test.utils.wagtail_tests import WagtailTestUtils

from aqb_content import demo_texts
from aqb_content.demo import editor_safe, editor_safe_stream, grant_editor_permissions, seed_content
from aqb_content.models import StandardPage
from tests.conftest import RecordingReport

pytestmark = pytest.mark.django_db


def block_form_data(block, state, prefix):
    """The POST fields Wagtail's block editor submits for `state` (see wagtail/blocks/*.value_from_datadict)."""
    if isinstance(block, blocks.StreamBlock):
        data = {f"{prefix}-count": str(len(state))}
        for index, child in enumerate(state):
            child_prefix = f"{prefix}-{index}"
            data.update({f"{child_prefix}-type": child["type"], f"{child_prefix}-deleted": ""})
            data.update({f"{child_prefix}-order": str(index), f"{child_prefix}-id": child["id"] or ""})
            data.update(block_form_data(block.child_blocks[child["type"]], child["value"], f"{child_prefix}-value"))
        return data
    if isinstance(block, blocks.ListBlock):
        data = {f"{prefix}-count": str(len(state))}
        for index, child in enumerate(state):
            child_prefix = f"{prefix}-{index}"
            data.update({f"{child_prefix}-deleted": "", f"{child_prefix}-order": str(index)})
            data[f"{child_prefix}-id"] = child["id"] or ""
            data.update(block_form_data(block.child_block, child["value"], f"{child_prefix}-value"))
        return data
    if isinstance(block, blocks.StructBlock):
        data = {}
        for name, child_block in block.child_blocks.items():
            data.update(block_form_data(child_block, state.get(name), f"{prefix}-{name}"))
        return data
    if isinstance(block, blocks.BooleanBlock):
        return {prefix: "on"} if state else {}
    if isinstance(block, blocks.ChooserBlock) or isinstance(state, dict):
        return {prefix: str(state["id"]) if state else ""}
    return {prefix: "" if state is None else state}  # a select's state is the list of chosen values


def edit_form_data(page, html):
    """What the edit form posts unchanged: rendered inputs plus each StreamField's block state."""
    data = querydict_from_html(html, form_id="page-edit-form")
    soup = WagtailTestUtils.get_soup(html)
    for field in type(page)._meta.get_fields():
        if not isinstance(field, StreamField):
            continue
        widget = soup.find(attrs={"data-controller": "w-block", "id": field.name})
        if widget is None:
            continue  # not in the edit form's panels
        state, _errors = json.loads(widget["data-w-block-arguments-value"])
        for key, value in block_form_data(field.stream_block, state, field.name).items():
            data.setlist(key, value if isinstance(value, list) else [value])
    return data


BLOCK_KEY = re.compile(r' data-block-key="[^"]*"')


def stored_content(page):
    """The editable content of the page's newest revision, comparable between two saves.

    The editor's first save adds bookkeeping that is no change an editor made: a generated
    `data-block-key` on each rich-text paragraph and an id on each list item; both are left out.
    """
    latest = page.get_latest_revision_as_object()
    content = {"title": latest.title, "slug": latest.slug}
    for field in type(latest)._meta.get_fields():
        if isinstance(field, StreamField):
            content[field.name] = without_bookkeeping(field.get_prep_value(getattr(latest, field.name)))
        elif field.name in {"intro", "participant_template_text", "date"}:
            content[field.name] = without_bookkeeping(str(getattr(latest, field.name)))
    return content


def without_bookkeeping(raw):
    """Raw field data without rich-text block keys, list items in the plain form seed_demo writes."""
    if isinstance(raw, list):
        return [without_bookkeeping(item) for item in raw]
    if isinstance(raw, dict):
        if raw.keys() == {"type", "value", "id"} and raw["type"] == "item":
            return without_bookkeeping(raw["value"])
        return {key: without_bookkeeping(value) for key, value in raw.items()}
    if isinstance(raw, str):
        return BLOCK_KEY.sub("", raw)
    return raw


@pytest.fixture
def rp_page_editor(public_site, rp_editor):
    """The RP editor with the page rights seed_demo gives the RP organisation."""
    grant_editor_permissions(rp_editor.organisation.group, public_site, RecordingReport())
    return rp_editor


def seeded_pages(home):
    return [page.specific for page in Page.objects.descendant_of(home, inclusive=True).order_by("path")]


def test_seed_demo_builds_pages_of_every_type_for_the_editor_walk(public_site):
    page_types = {type(page).__name__ for page in seeded_pages(public_site)}
    assert page_types == {
        "HomePage",
        "StandardPage",
        "GuidanceIndexPage",
        "GuidancePage",
        "DownloadsPage",
        "NewsIndexPage",
        "NewsPage",
    }


def test_every_seeded_page_opens_in_the_editor_saves_unchanged_and_publishes(client, public_site, rp_page_editor):
    client.force_login(rp_page_editor)
    pages = seeded_pages(public_site)
    assert any(page.slug == "impressum" for page in pages)
    for page in pages:
        url = f"/admin/pages/{page.pk}/edit/"
        response = client.get(url)
        assert response.status_code == 200, f"{page.title}: GET {response.status_code}"
        before = stored_content(page)
        data = edit_form_data(page, response.content.decode())

        response = client.post(url, data)
        assert response.status_code == 302, f"{page.title}: not saved: {form_errors(response)}"
        page.refresh_from_db()
        assert page.has_unpublished_changes, f"{page.title}: saving made no draft"
        assert stored_content(page) == before, f"{page.title}: the editor changed the content"

        data["action-publish"] = "action-publish"
        response = client.post(url, data)
        assert response.status_code == 302, f"{page.title}: not published: {form_errors(response)}"
        page.refresh_from_db()
        assert page.live and not page.has_unpublished_changes, f"{page.title}: draft not published"
        assert page.live_revision_id == page.latest_revision_id
        assert stored_content(page) == before


def form_errors(response):
    context = getattr(response, "context", None)
    if not context or "form" not in context:
        return response.status_code
    from wagtail.blocks.base import get_error_json_data

    form = context["form"]
    return {name: [get_error_json_data(error) for error in errors.as_data()] for name, errors in form.errors.items()}


def test_demo_texts_are_editor_safe_as_written_so_a_fresh_seed_needs_no_repair():
    specs = [demo_texts.HOME, *demo_texts.MENU_PAGES, *demo_texts.GUIDANCE_TOPICS, *demo_texts.NEWS]
    specs += demo_texts.LEGAL_PAGES
    body_block = StandardPage.body.field.stream_block
    for spec in specs:
        body = spec.get("body", [])
        assert editor_safe_stream(body_block, body) == body, spec["slug"]
    assert editor_safe(demo_texts.HOME["intro"]) == demo_texts.HOME["intro"]


def test_seed_demo_repairs_a_page_seeded_with_bare_line_breaks_once(public_site, rp_page_editor):
    client = Client(raise_request_exception=False)
    imprint = StandardPage.objects.get(slug="impressum")
    imprint.body = [{"type": "paragraph", "value": "<p>Regierungspräsidium Kassel<br>34117 Kassel</p>"}]
    imprint.save_revision().publish()  # as an earlier seed_demo stored it
    client.force_login(rp_page_editor)
    assert client.get(f"/admin/pages/{imprint.pk}/edit/").status_code == 500

    report = RecordingReport()
    seed_content(report)
    assert ("changed", "Seite", "Impressum: Zeilenumbrüche für den Seiteneditor lesbar gemacht") in report.lines
    imprint.refresh_from_db()
    assert imprint.live and not imprint.has_unpublished_changes
    assert imprint.body[0].value.source == "<p>Regierungspräsidium Kassel<br/>34117 Kassel</p>"
    assert client.get(f"/admin/pages/{imprint.pk}/edit/").status_code == 200

    again = RecordingReport()
    seed_content(again)
    assert not [line for line in again.lines if line[1] == "Seite"]


def test_seed_demo_repair_keeps_an_editors_unpublished_draft_a_draft(public_site):
    imprint = StandardPage.objects.get(slug="impressum")
    live_body = imprint.body.raw_data[:]
    imprint.body = [{"type": "paragraph", "value": "<p>Entwurf<br>mit Umbruch</p>"}]
    imprint.save_revision()

    seed_content(RecordingReport())
    imprint.refresh_from_db()
    assert imprint.has_unpublished_changes
    assert list(imprint.body.raw_data) == list(live_body)
    draft = imprint.get_latest_revision_as_object()
    assert draft.body[0].value.source == "<p>Entwurf<br/>mit Umbruch</p>"
