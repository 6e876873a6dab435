"""URLs and menu of the reports (namespace ``aqb_reports``)."""

from django.templatetags.static import static
from django.urls import include, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy
from wagtail import hooks

from ..menu import AuthorityMenuItem
from . import change_request_views, review_views, views

app_name = "aqb_reports"

urlpatterns = views.urlpatterns + review_views.urlpatterns + change_request_views.urlpatterns


@hooks.register("register_admin_urls")
def register_report_urls():
    return [path("meldungen/", include((urlpatterns, app_name), namespace=app_name))]


# The RP's menu entries of the reports, each with the number of what waits for it:
# (label, URL name, count(request), name, icon, order).
MENU = (
    (gettext_lazy("Meldungseingang"), "aqb_reports:inbox",
     lambda request: review_views.open_reports(request.user).count(), "meldungseingang", "mail", 55),
    (gettext_lazy("Änderungsanfragen"), "aqb_reports:change_requests",
     lambda request: change_request_views.open_change_requests().count(), "aenderungsanfragen", "edit", 56),
)


def menu_item_hook(label, url_name, count, name, icon_name, order):
    """A `register_admin_menu_item` hook for one RP-only entry of MENU."""
    def register():
        return AuthorityMenuItem(label, reverse(url_name), count=count, name=name, icon_name=icon_name, order=order)
    return register


for entry in MENU:
    hooks.register("register_admin_menu_item", menu_item_hook(*entry))


@hooks.register("insert_global_admin_css")
def report_styles():
    return format_html('<link rel="stylesheet" href="{}">', static("aqb_monitoring/css/reports.css"))
