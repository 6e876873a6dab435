"""Admin registrations of the monitoring side.

Wagtail loads only this module per app; the parts live in their own modules and
register themselves on import.
"""

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks

from . import admin_hooks  # noqa: F401  (viewsets, menu, dashboard, permission scoping)
from .excel import admin_hooks as excel_admin_hooks  # noqa: F401  (Excel export, import, carry-over)
from .oversight import board_views  # noqa: F401  (Vollständigkeit: the RP's completeness board)
from .oversight import reminder_views as reminder_admin  # noqa: F401  (Erinnerungen: the RP's list of sent reminders)
from .oversight import statistics_views as statistics_admin  # noqa: F401  (Statistik: the RP's aggregates with charts)
from .reporting import admin_hooks as report_admin_hooks  # noqa: F401  (reports to the RP, the RP's review)
from .security_admin import urlpatterns as security_urlpatterns  # noqa: F401  (Sicherheitsprotokoll, Gesperrte Konten)
from .users import admin_hooks as user_admin_hooks  # noqa: F401, E402  (the "Benutzer" pages, issue 13)


@hooks.register("insert_global_admin_js")
def double_submit_guard():
    """A form is sent once however often its button is clicked (issue 14; the servers guard too)."""
    return format_html('<script src="{}" defer></script>', static("aqb_monitoring/js/double_submit.js"))
