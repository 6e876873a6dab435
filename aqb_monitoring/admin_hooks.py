"""Viewsets, menu items, URLs and dashboard panels of the monitoring admin.

ZE and provider users land on "Meine Maßnahmen": the Wagtail home page shows only the
measures panel for them (no page/image/document summaries), and the menu offers
"Meine Maßnahmen" (and "Meine Träger" for a ZE). The RP additionally gets the
"Kataloge" and "Stammdaten (RP)" groups (viewsets.py).
"""

from django.http import Http404
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from . import permissions, views
from .viewsets import AuthorityOnlyDeleteBulkAction, CatalogueGroup, MasterDataGroup

app_name = "aqb_monitoring"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("massnahmen/<int:measure_pk>/", views.measure_detail, name="measure"),
    path("massnahmen/<int:measure_pk>/verlauf/", views.measure_history, name="measure_history"),
    path("massnahmen/<int:measure_pk>/teilnehmende/neu/", views.participant_add, name="participant_add"),
    path("massnahmen/<int:measure_pk>/teilnehmende/<int:pk>/", views.participant_edit, name="participant_edit"),
    path("massnahmen/<int:measure_pk>/teilnehmende/neu/status/", views.participant_summary,
         name="participant_summary_new"),
    path("massnahmen/<int:measure_pk>/teilnehmende/<int:pk>/status/", views.participant_summary,
         name="participant_summary"),
    path(
        "massnahmen/<int:measure_pk>/teilnehmende/<int:pk>/loeschen/",
        views.participant_delete,
        name="participant_delete",
    ),
    path(
        "massnahmen/<int:measure_pk>/teilnehmende/<int:pk>/verlauf/",
        views.participant_history,
        name="participant_history",
    ),
    path("traeger/", views.provider_list, name="provider_list"),
    path("traeger/<int:pk>/", views.provider_contact, name="provider_contact"),
]


@hooks.register("register_admin_urls")
def register_monitoring_urls():
    return [path("monitoring/", include((urlpatterns, app_name), namespace=app_name))]


# After wagtail.snippets' own DeleteBulkAction (order 0), so ours wins for our models.
hooks.register("register_bulk_action", AuthorityOnlyDeleteBulkAction, order=100)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [CatalogueGroup(), MasterDataGroup()]


class OrganisationMenuItem(MenuItem):
    """Shown to every member of an organisation (RP, ZE, provider)."""

    def is_shown(self, request):
        return permissions.is_authority(request.user) or permissions.organisation_of(request.user) is not None


class MeasuresMenuItem(OrganisationMenuItem):
    """"Meine Maßnahmen" for ZE and providers; the RP's list holds every measure: "Alle Maßnahmen"."""

    def render_component(self, request):
        component = super().render_component(request)
        if permissions.is_authority(request.user):
            component.label = _("Alle Maßnahmen")
        return component


class GrantRecipientMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.is_grant_recipient(request.user) and not permissions.is_authority(request.user)


@hooks.register("register_admin_menu_item")
def register_measures_menu_item():
    return MeasuresMenuItem(
        _("Meine Maßnahmen"), reverse("aqb_monitoring:dashboard"), icon_name="clipboard-list", order=50
    )


@hooks.register("register_admin_menu_item")
def register_providers_menu_item():
    return GrantRecipientMenuItem(
        _("Meine Träger"), reverse("aqb_monitoring:provider_list"), icon_name="group", order=60
    )


PANEL_SIZE = 10


class MeasuresPanel(Component):
    """The user's open measures on the admin home page (the PANEL_SIZE that end first), with links to
    all open ones by due date and to every measure."""

    name = "aqb_measures"
    order = 10
    template_name = "aqb_monitoring/panels/measures.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        queryset = views.annotate_status_counts(
            permissions.measures_for(self.request.user).select_related("measure_type", "provider")
        ).prefetch_related("interim_due_dates")
        open_measures = queryset.filter(closed_at__isnull=True)
        shown = list(open_measures.order_by("end_date", "number")[:PANEL_SIZE])
        views.with_due_dates(shown)
        return {
            "measures": shown,
            "open_total": open_measures.count() if len(shown) == PANEL_SIZE else len(shown),
            "total": permissions.measures_for(self.request.user).count(),
            "dashboard_url": reverse("aqb_monitoring:dashboard"),
            "open_url": reverse("aqb_monitoring:dashboard") + "?status=open&sort=due",
        }


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


# The portal's own guidance pages, by the slugs seed_demo gives them (aqb_content/demo_texts.py).
HELP_PAGES = [("aqb-guidance", "hinweise", _("Hinweise zum Monitoring")), ("aqb-contact", "kontakt", _("Kontakt und Support"))]


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
    from wagtail.models import Page

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
