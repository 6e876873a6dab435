from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from aqb_content import views as content_views
from aqb_monitoring.excel import views as excel_views
from aqb_monitoring.users.urls import public_urlpatterns as invitation_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("downloads/teilnehmende-vorlage.xlsx", excel_views.participant_template, name="participant_template"),
    path("suche/", content_views.search, name="search"),
    # The invitation link and the request for a new one (issue 13); no log-in needed.
    path("konto/", include((invitation_urls, "aqb_invitation"), namespace="aqb_invitation")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
