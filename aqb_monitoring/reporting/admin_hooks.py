"""URLs and menu of the reports (namespace ``aqb_reports``)."""

from django.templatetags.static import static
from django.urls import include, path
from django.utils.html import format_html
from wagtail import hooks

from . import change_request_views, review_views, views

app_name = "aqb_reports"

urlpatterns = views.urlpatterns + review_views.urlpatterns + change_request_views.urlpatterns


@hooks.register("register_admin_urls")
def register_report_urls():
    return [path("meldungen/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("insert_global_admin_css")
def report_styles():
    return format_html('<link rel="stylesheet" href="{}">', static("aqb_monitoring/css/reports.css"))
