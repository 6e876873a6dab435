import os

from django.conf import settings
from django.urls import include, path, re_path
from django.views import static
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.documents import urls as wagtaildocs_urls

from aqb_content import views as content_views
from aqb_monitoring.account_views import PortalAccountView
from aqb_monitoring.excel import views as excel_views
from aqb_monitoring.users.urls import public_urlpatterns as invitation_urls

urlpatterns = [
    # Wagtail's account page at its own address, without the theme panel for ZE and providers.
    path("admin/account/", require_admin_access(PortalAccountView.as_view()), name="aqb_account"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("downloads/teilnehmende-vorlage.xlsx", excel_views.participant_template, name="participant_template"),
    path("suche/", content_views.search, name="search"),
    # The invitation link and the request for a new one (issue 13); no log-in needed.
    path("konto/", include((invitation_urls, "aqb_invitation"), namespace="aqb_invitation")),
]

# Images (originals and renditions) from MEDIA_ROOT when the files are on this machine's disk.
# Only the two image folders: documents are served by Wagtail's document view above, which
# checks the collection's view restrictions, never straight from /media/documents/; import
# uploads are not below MEDIA_ROOT at all. With an object store the images come from there.
if settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage":
    urlpatterns += [
        re_path(
            r"^%s(?P<path>(?:original_images|images)/[^/]+)$" % settings.MEDIA_URL.lstrip("/"),
            static.serve,
            {"document_root": settings.MEDIA_ROOT},
        ),
    ]

# Only for `.ci/production-check` (which sets the variable): a page that fails, so that the check
# sees the German error page of the production server. Absent in every normal start.
if os.environ.get("AQB_PRODUCTION_CHECK_FAILING_URL") == "1":

    def failing_page(request):
        raise RuntimeError("Absichtlicher Fehler der Produktionsprüfung")

    urlpatterns += [path("produktionspruefung/fehler/", failing_page)]

urlpatterns += [path("", include(wagtail_urls))]
