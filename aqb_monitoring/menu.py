"""The admin's menu entries by who sees them; wagtail_hooks.py registers them (MENU, SETTINGS_MENU)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem

from . import permissions
from .reporting.change_request_views import open_change_requests
from .reporting.review_views import open_reports
from .services.accounts import can_manage_users


class AuthorityMenuItem(MenuItem):
    """Shown to the RP only; `count(request)`, when given, is appended to the label while it is not 0."""

    def __init__(self, label, url, *, count=None, **kwargs):
        super().__init__(label, url, **kwargs)
        self.count = count

    def is_shown(self, request):
        return permissions.is_authority(request.user)

    def render_component(self, request):
        component = super().render_component(request)
        number = self.count(request) if self.count else 0
        if number:
            component.label = f"{self.label} ({number})"
        return component


class MeasuresMenuItem(MenuItem):
    """"Meine Maßnahmen" for every member of an organisation (ZE, provider); the RP's list holds every
    measure: "Alle Maßnahmen"."""

    def is_shown(self, request):
        return permissions.is_authority(request.user) or permissions.organisation_of(request.user) is not None

    def render_component(self, request):
        component = super().render_component(request)
        if permissions.is_authority(request.user):
            component.label = _("Alle Maßnahmen")
        return component


class GrantRecipientMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.is_grant_recipient(request.user) and not permissions.is_authority(request.user)


class UserManagerMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage_users(request.user)


def _open_reports(request):
    return open_reports(request.user).count()


def _open_change_requests(request):
    return open_change_requests().count()


# The main menu: (class, label, URL name, options), ordered by `order`.
MENU = [
    (MeasuresMenuItem, _("Meine Maßnahmen"), "aqb_monitoring:dashboard", {"icon_name": "clipboard-list", "order": 50}),
    (AuthorityMenuItem, _("Meldungseingang"), "aqb_reports:inbox",
     {"count": _open_reports, "name": "meldungseingang", "icon_name": "mail", "order": 55}),
    (AuthorityMenuItem, _("Änderungsanfragen"), "aqb_reports:change_requests",
     {"count": _open_change_requests, "name": "aenderungsanfragen", "icon_name": "edit", "order": 56}),
    (AuthorityMenuItem, _("Vollständigkeit"), "aqb_board:index",
     {"name": "vollstaendigkeit", "icon_name": "tasks", "order": 57}),
    (AuthorityMenuItem, _("Erinnerungen"), "aqb_reminders:list",
     {"name": "erinnerungen", "icon_name": "time", "order": 57}),
    (AuthorityMenuItem, _("Statistik"), "aqb_statistics:index", {"name": "statistik", "icon_name": "table", "order": 58}),
    (GrantRecipientMenuItem, _("Meine Träger"), "aqb_monitoring:provider_list", {"icon_name": "group", "order": 60}),
    (UserManagerMenuItem, _("Benutzer"), "aqb_users:index", {"name": "aqb-users", "icon_name": "user", "order": 70}),
    (AuthorityMenuItem, _("Excel-Export"), "aqb_excel:measures_export", {"icon_name": "download", "order": 260}),
]

# Under "Einstellungen", for the RP.
SETTINGS_MENU = [
    (AuthorityMenuItem, _("Sicherheitsprotokoll"), "aqb_security:list", {"icon_name": "lock", "order": 700}),
    (AuthorityMenuItem, _("Gesperrte Konten"), "aqb_security:locked", {"icon_name": "lock", "order": 710}),
]


def menu_item(entry):
    """The menu item of one MENU or SETTINGS_MENU entry (URLs are resolved when the menu is built)."""
    item_class, label, url_name, options = entry
    return item_class(label, reverse(url_name), **options)
