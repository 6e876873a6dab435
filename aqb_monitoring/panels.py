"""The monitoring panel of the admin's home page (registered in wagtail_hooks.py)."""

from django.urls import reverse
from wagtail.admin.ui.components import Component

from . import permissions, views

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
