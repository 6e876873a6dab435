"""Demo content of the public site, built in code (see `manage.py seed_demo`).

Idempotent by slugs and unique names: what exists is left alone (an editor may have
changed it), only what is missing is created, and each creation is reported.
The texts themselves live in demo_texts.py.
"""

import hashlib
import re

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from wagtail import blocks
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.documents import get_document_model
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Locale, Page, Site
from wagtail.search import index

from aqb_monitoring.models import Organisation, OrganisationKind

from . import demo_files, demo_texts
from .models import (
    Contact,
    FooterSettings,
    GuidancePage,
    HomePage,
    NewsPage,
    StandardPage,
)


def seed_content(report):
    """Build the page tree, contacts, news, documents and the editors' permissions."""
    root = ensure_wagtail_basics()
    contacts = {key: ensure_contact(data, report) for key, data in demo_texts.CONTACTS.items()}
    documents = {key: ensure_document(spec, report) for key, spec in demo_files.DOCUMENTS.items()}
    refs = {"contact": {key: contact.pk for key, contact in contacts.items()}}
    refs["document"] = {key: document.pk for key, document in documents.items()}

    home, home_created = ensure_home_page(root, report)
    pages = {}
    for spec in demo_texts.MENU_PAGES:
        pages[spec["slug"]] = ensure_page(home, spec, refs, report)
    guidance_index = pages["hinweise"]
    for spec in demo_texts.GUIDANCE_TOPICS:
        pages[spec["slug"]] = ensure_page(guidance_index, {**spec, "type": GuidancePage}, refs, report)
    news_index = pages["aktuelles"]
    for spec in demo_texts.NEWS:
        ensure_page(news_index, {**spec, "type": NewsPage}, refs, report)
    for spec in demo_texts.LEGAL_PAGES:
        pages[spec["slug"]] = ensure_page(home, {**spec, "type": StandardPage, "show_in_menus": False}, refs, report)

    if home_created:
        fill_home_page(home, pages)
    make_rich_text_editable(home, report)
    site = ensure_default_site(home, report)
    remove_welcome_page(root, report)
    ensure_footer_settings(site, contacts["aqb_team"], pages, report)
    for organisation in Organisation.objects.filter(kind=OrganisationKind.AUTHORITY).select_related("group"):
        if organisation.group_id:
            grant_editor_permissions(organisation.group, home, report)


# ---------------------------------------------------------------------------
# Wagtail's own starting rows
# ---------------------------------------------------------------------------


def ensure_wagtail_basics():
    """Locale, root page and root collection; Wagtail's migrations create them, a flushed test DB lacks them."""
    language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    Locale.objects.get_or_create(language_code=language)
    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name="Root")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    return root


def ensure_home_page(root, report):
    home = HomePage.objects.first()
    if home is not None:
        return home, False
    spec = demo_texts.HOME
    home = HomePage(title=spec["title"], slug=spec["slug"], intro=spec["intro"], seo_title=spec["seo_title"])
    root.add_child(instance=home)
    home.save_revision().publish()
    report.created("Seite", home.title)
    index_now(home)
    return home, True


def fill_home_page(home, pages):
    """Entry points link pages that exist only after the home page: filled once, when it is new."""
    spec = demo_texts.HOME
    home.entry_points = [
        {
            "type": "entry_point",
            "value": {"title": title, "text": text, "links": [pages[slug].pk for slug in slugs if slug in pages]},
        }
        for title, text, slugs in spec["entry_points"]
    ]
    home.body = spec["body"]
    home.save_revision().publish()
    index_now(home)


def ensure_default_site(home, report):
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="AQB-Portal"
        )
        report.created("Website", site.site_name)
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = site.site_name or "AQB-Portal"
        site.save()
        report.changed("Website", f"{site} → {home.title}")
    return site


def remove_welcome_page(root, report):
    """Wagtail's "Welcome to your new Wagtail site!" page: a plain Page beside our home page."""
    plain_page = ContentType.objects.get_for_model(Page)
    for welcome in Page.objects.child_of(root).filter(content_type=plain_page):
        if not Site.objects.filter(root_page=welcome).exists():
            title = welcome.title
            welcome.delete()
            report.changed("Seite", f"Wagtail-Willkommensseite „{title}“ entfernt")


# ---------------------------------------------------------------------------
# Snippets, documents, pages
# ---------------------------------------------------------------------------


def ensure_contact(data, report):
    contact, created = Contact.objects.get_or_create(
        name=data["name"], defaults={k: v for k, v in data.items() if k != "name"}
    )
    if created:
        report.created("Kontakt", contact.name)
        index_now(contact)
    return contact


def ensure_document(spec, report):
    """A demo form as a real small file (PDF or XLSX), found again by its title."""
    document_model = get_document_model()
    document = document_model.objects.filter(title=spec["title"]).first()
    if document is not None:
        return document
    data = demo_files.build(spec)
    document = document_model(title=spec["title"], collection=Collection.get_first_root_node())
    document.file.save(spec["filename"], ContentFile(data), save=False)
    document.file_size = len(data)
    document.file_hash = hashlib.sha1(data).hexdigest()
    document.save()
    report.created("Dokument", document.title)
    index_now(document)
    return document


def resolve_stream(stream, refs):
    """Turn the texts' symbolic references ("contact:aqb_team", "document:antrag") into ids."""
    if isinstance(stream, list):
        return [resolve_stream(item, refs) for item in stream]
    if isinstance(stream, dict):
        return {key: resolve_stream(value, refs) for key, value in stream.items()}
    if isinstance(stream, str) and stream.startswith(("contact:", "document:")):
        kind, key = stream.split(":", 1)
        return refs[kind][key]
    return stream


def ensure_page(parent, spec, refs, report):
    existing = parent.get_children().filter(slug=spec["slug"]).first()
    if existing is not None:
        return existing.specific
    model = spec["type"]
    fields = {key: value for key, value in spec.items() if key not in {"type", "body", "groups"}}
    fields.setdefault("show_in_menus", False)
    page = model(**fields)
    page.body = resolve_stream(spec.get("body", []), refs)
    if "groups" in spec:
        page.groups = resolve_stream(spec["groups"], refs)
    parent.add_child(instance=page)
    page.save_revision().publish()
    report.created("Seite", page.title)
    index_now(page)
    return page


BARE_LINE_BREAK = re.compile(r"<br\s*>", re.IGNORECASE)


def editor_safe(html):
    """Wagtail's page editor reads a line break only as `<br/>`; a bare `<br>` makes its edit view fail."""
    return BARE_LINE_BREAK.sub("<br/>", html)


def make_rich_text_editable(home, report):
    """Repair pages seeded before the texts were editor-safe: a new revision, published if the page was current.

    Only the line breaks change, so an editor's own changes, published or draft, are kept.
    """
    for page in home.get_descendants(inclusive=True).specific():
        latest = page.get_latest_revision_as_object()
        if not repair_rich_text_fields(latest):
            continue
        was_current = page.live and not page.has_unpublished_changes
        revision = latest.save_revision(clean=False)
        if was_current:
            revision.publish()
            index_now(page.specific_class.objects.get(pk=page.pk))
        report.changed("Seite", f"{page.title}: Zeilenumbrüche für den Seiteneditor lesbar gemacht")


def repair_rich_text_fields(page):
    """Make every rich text of `page` editor-safe in place; True if anything changed."""
    changed = False
    for field in type(page)._meta.get_fields():
        if isinstance(field, RichTextField):
            value = getattr(page, field.name) or ""
            repaired = editor_safe(value)
        elif isinstance(field, StreamField):
            value = list(getattr(page, field.name).raw_data)
            repaired = editor_safe_stream(field.stream_block, value)
        else:
            continue
        if repaired != value:
            setattr(page, field.name, repaired)
            changed = True
    return changed


def editor_safe_stream(block, raw):
    """The raw StreamField data with each rich-text value editor-safe, following the block definitions."""
    if isinstance(block, blocks.RichTextBlock):
        return editor_safe(raw) if isinstance(raw, str) else raw
    if isinstance(block, blocks.StreamBlock):
        return [
            {**child, "value": editor_safe_stream(block.child_blocks[child["type"]], child["value"])}
            if child.get("type") in block.child_blocks
            else child
            for child in raw
        ]
    if isinstance(block, blocks.ListBlock):
        return [
            {**item, "value": editor_safe_stream(block.child_block, item["value"])}
            if isinstance(item, dict) and item.get("type") == "item" and "value" in item
            else editor_safe_stream(block.child_block, item)
            for item in raw
        ]
    if isinstance(block, blocks.StructBlock) and isinstance(raw, dict):
        return {
            name: editor_safe_stream(block.child_blocks[name], value) if name in block.child_blocks else value
            for name, value in raw.items()
        }
    return raw


def index_now(obj):
    """Index at once: saving only queues the index update for the task worker, which may not run yet."""
    index.insert_or_update_object(obj)


def ensure_footer_settings(site, contact, pages, report):
    footer = FooterSettings.for_site(site)
    wanted = {
        "footer_contact": contact,
        "imprint_page": pages["impressum"],
        "privacy_page": pages["datenschutz"],
        "accessibility_page": pages["barrierefreiheit"],
        "plain_language_page": pages["leichte-sprache"],
    }
    missing = {name: value for name, value in wanted.items() if getattr(footer, f"{name}_id") is None}
    if missing or footer.pk is None:
        for name, value in missing.items():
            setattr(footer, name, value)
        footer.save()
        report.changed("Einstellungen", "Seitenfuß")


# ---------------------------------------------------------------------------
# Permissions of the RP editors
# ---------------------------------------------------------------------------

PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
COLLECTION_PERMISSIONS = {
    "wagtaildocs": ["add_document", "change_document", "delete_document", "choose_document"],
    "wagtailimages": ["add_image", "change_image", "delete_image", "choose_image"],
}
MODEL_PERMISSIONS = {
    "wagtailadmin": ["access_admin"],
    "aqb_content": [
        "add_contact",
        "change_contact",
        "delete_contact",
        "view_contact",
        "change_footersettings",
        "view_footersettings",
    ],
}


def grant_editor_permissions(group, home, report):
    """The RP organisation edits the public site itself, not only through Wagtail's default groups."""
    added = []
    for app_label, codenames in MODEL_PERMISSIONS.items():
        for permission in Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames):
            if not group.permissions.filter(pk=permission.pk).exists():
                group.permissions.add(permission)
                added.append(permission.codename)
    for permission in Permission.objects.filter(content_type__app_label="wagtailcore", codename__in=PAGE_PERMISSIONS):
        _grant, created = GroupPagePermission.objects.get_or_create(group=group, page=home, permission=permission)
        if created:
            added.append(permission.codename)
    root_collection = Collection.get_first_root_node()
    for app_label, codenames in COLLECTION_PERMISSIONS.items():
        for permission in Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames):
            _grant, created = GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=permission
            )
            if created:
                added.append(permission.codename)
    if added:
        report.changed("Rechte", f"{group.name}: {', '.join(sorted(added))}")
