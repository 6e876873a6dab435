"""The editorial part of the administration is closed to users without editorial rights.

Grant recipients and providers use the administration only for the monitoring. Wagtail's
editorial views show titles to any user who may open the administration, whatever that
user's rights on the objects: the page chooser lists every page (drafts and pages behind a
view restriction included), and the bulk-action views list the pages and documents a user
may *not* act on, by title. So a user with neither a page permission nor a collection
permission (documents, images) gets 404 for every editorial address; the RP's editors keep
Wagtail's own permission checks.
"""

from django.conf import settings
from django.http import Http404

from aqb_site.security import is_admin_path

# Below /admin/: pages, page and document choosers, documents, images, collections, the bulk
# actions on pages, documents and images, the admin API, workflows and the page reports.
EDITORIAL_PREFIXES = (
    "pages/", "choose-page/", "documents/", "images/", "collections/",
    "bulk/wagtailcore/", "bulk/wagtaildocs/", "bulk/wagtailimages/", "api/",
    "workflows/", "reports/locked/", "reports/aging-pages/", "reports/page-types-usage/",
    "reports/workflow/", "reports/workflow_tasks/", "redirects/", "sites/",
)


def has_editorial_rights(user):
    """True for superusers and for users whose groups hold a page or collection permission."""
    from wagtail.models import GroupCollectionPermission, GroupPagePermission

    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    groups = user.groups.all()
    return (
        GroupPagePermission.objects.filter(group__in=groups).exists()
        or GroupCollectionPermission.objects.filter(group__in=groups).exists()
    )


def is_editorial_path(request):
    if not is_admin_path(request):
        return False
    rest = request.path_info[len(settings.AQB_ADMIN_PATH_PREFIX):]
    return rest.startswith(EDITORIAL_PREFIXES)


class EditorialAreaMiddleware:
    """404 for the editorial addresses of the administration to users without editorial rights."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_editorial_path(request) and request.user.is_authenticated:
            if not has_editorial_rights(request.user):
                raise Http404
        return self.get_response(request)
