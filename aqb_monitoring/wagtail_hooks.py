"""Every admin registration of the monitoring side: URLs, viewsets, menus, home page, help menu, buttons.

Wagtail loads this module per app. The URLs are listed in admin_urls.py, the menu entries in menu.py
(MENU, SETTINGS_MENU), the home page's panel in panels.py.
"""

from django.http import Http404
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Page

from . import admin_urls, permissions
from .menu import MENU, SETTINGS_MENU, menu_item
from .panels import MeasuresPanel
from .views import MEASURE_BUTTONS_HOOK, MeasureButton
from .viewsets import AuthorityOnlyDeleteBulkAction, CatalogueGroup, MasterDataGroup


@hooks.register("register_admin_urls")
def register_admin_urls():
    return admin_urls.urlpatterns


@hooks.register("register_admin_viewset")
def register_viewsets():
    """"Kataloge" and "Stammdaten (RP)" with the measure import, for the RP."""
    return [CatalogueGroup(), MasterDataGroup()]


# After wagtail.snippets' own DeleteBulkAction (order 0), so ours wins for our models.
hooks.register("register_bulk_action", AuthorityOnlyDeleteBulkAction, order=100)


def _menu_hook(entry):
    return lambda: menu_item(entry)


for _entry in MENU:
    hooks.register("register_admin_menu_item", _menu_hook(_entry))
for _entry in SETTINGS_MENU:
    hooks.register("register_settings_menu_item", _menu_hook(_entry))


# ---------------------------------------------------------------------------
# Home page: ZE and providers land on their measures
# ---------------------------------------------------------------------------


@hooks.register("construct_homepage_panels")
def measures_panel(request, panels):
    """ZE and providers see only their measures; the RP sees them above Wagtail's page panels."""
    if permissions.is_tenant(request.user):
        panels[:] = [MeasuresPanel(request)]
    elif permissions.is_authority(request.user):
        panels.insert(0, MeasuresPanel(request))


@hooks.register("construct_homepage_summary_items")
def hide_summary_for_tenants(request, summary_items):
    """Page, image and document counts mean nothing to ZE and providers."""
    if permissions.is_tenant(request.user):
        summary_items[:] = []


# ---------------------------------------------------------------------------
# Help menu
# ---------------------------------------------------------------------------

# The portal's own guidance pages, by the slugs seed_demo gives them (aqb_content/demo_texts.py).
HELP_PAGES = [("aqb-guidance", "hinweise", gettext_lazy("Hinweise zum Monitoring")),
              ("aqb-contact", "kontakt", gettext_lazy("Kontakt und Support"))]


@hooks.register("construct_help_menu")
def hide_wagtail_guides_for_tenants(request, menu_items):
    """Wagtail's release notes and editor guide are English and about pages, which ZE and providers never edit."""
    if permissions.is_tenant(request.user):
        menu_items[:] = [
            item for item in menu_items
            if item.name != "editor-guide" and not item.name.startswith("whats-new-in-wagtail")
        ]


@hooks.register("construct_help_menu")
def portal_guidance_in_help_menu(request, menu_items):
    """"Hilfe" leads every role first to the portal's own guidance and contact pages (issue 10, item 6)."""
    pages = {page.slug: page for page in Page.objects.live().filter(slug__in=[slug for _name, slug, _label in HELP_PAGES])}
    ours = []
    for order, (name, slug, label) in enumerate(HELP_PAGES):
        page = pages.get(slug)
        if page is not None and page.url:
            ours.append(MenuItem(label, page.url, name=name, icon_name="help", order=order))
    menu_items[:0] = ours


@hooks.register("before_move_page")
def no_page_moves_for_tenants(request, page, destination):
    """Wagtail shows the move confirmation (page titles, drafts too) before it checks any right."""
    if permissions.is_tenant(request.user):
        raise Http404


# ---------------------------------------------------------------------------
# The measure page's buttons, scripts and styles
# ---------------------------------------------------------------------------


@hooks.register(MEASURE_BUTTONS_HOOK)
def excel_buttons(request, measure):
    """Export for whoever sees the measure; upload while it takes changes; carry-over into a successor they see."""
    if not measure.measure_type.has_participant_monitoring:
        return
    yield MeasureButton(_("Excel-Datei herunterladen"), reverse("aqb_excel:measure_export", args=[measure.pk]),
                        icon="download", priority=10)
    if permissions.can_edit(request.user, measure):
        yield MeasureButton(_("Excel-Datei hochladen"), reverse("aqb_excel:measure_import", args=[measure.pk]),
                            icon="upload", priority=20)
    if permissions.visible_successor(request.user, measure) is not None:
        yield MeasureButton(_("In Folgebudget übernehmen"), reverse("aqb_excel:carry_over", args=[measure.pk]),
                            icon="arrow-right", priority=30)


@hooks.register("insert_global_admin_css")
def report_styles():
    return format_html('<link rel="stylesheet" href="{}">', static("aqb_monitoring/css/reports.css"))


@hooks.register("insert_global_admin_js")
def double_submit_guard():
    """A form is sent once however often its button is clicked (issue 14; the servers guard too)."""
    return format_html('<script src="{}" defer></script>', static("aqb_monitoring/js/double_submit.js"))
