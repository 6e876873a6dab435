"""Every admin URL of the monitoring side, by area (its namespace), mounted under /admin/ by wagtail_hooks.py.

The catalogues, the RP's master data and the measure import are Wagtail viewsets (viewsets.py) and
bring their own URLs. Each view checks its object's permissions itself; the RP-only pages are wrapped
in `authority_required` here or check the role first thing. tests/test_admin_scope.py walks every
URL below and fails for one that is not scoped.
"""

from django.urls import include, path

from . import views
from .excel import views as excel
from .oversight import board_views as board
from .oversight import reminder_views as reminders
from .oversight import statistics_views as statistics
from .reporting import change_request_views as change_requests
from .reporting import review_views as review
from .reporting import views as reports
from .security_admin import SecurityLogView, locked_accounts, unlock
from .users import views as users
from .viewsets import authority_required

monitoring = [
    path("", views.dashboard, name="dashboard"),
    path("massnahmen/<int:measure_pk>/", views.measure_detail, name="measure"),
    path("massnahmen/<int:measure_pk>/verlauf/", views.measure_history, name="measure_history"),
    path("massnahmen/<int:measure_pk>/teilnehmende/neu/", views.participant_add, name="participant_add"),
    path("massnahmen/<int:measure_pk>/teilnehmende/<int:pk>/", views.participant_edit, name="participant_edit"),
    path("massnahmen/<int:measure_pk>/teilnehmende/neu/status/", views.participant_summary,
         name="participant_summary_new"),
    path("massnahmen/<int:measure_pk>/teilnehmende/<int:pk>/status/", views.participant_summary,
         name="participant_summary"),
    path("massnahmen/<int:measure_pk>/teilnehmende/<int:pk>/loeschen/", views.participant_delete,
         name="participant_delete"),
    path("massnahmen/<int:measure_pk>/teilnehmende/<int:pk>/verlauf/", views.participant_history,
         name="participant_history"),
    path("traeger/", views.provider_list, name="provider_list"),
    path("traeger/<int:pk>/", views.provider_contact, name="provider_contact"),
]

excel_files = [
    path("massnahmen/<int:measure_pk>/export.xlsx", excel.measure_export, name="measure_export"),
    path("massnahmen/<int:measure_pk>/import/", excel.measure_import, name="measure_import"),
    path("massnahmen/<int:measure_pk>/folgebudget/", excel.carry_over, name="carry_over"),
    path("export/", excel.measures_export, name="measures_export"),
    path("importe/<int:job_pk>/", excel.job_detail, name="job"),
    path("importe/<int:job_pk>/zeilen/<int:row_number>/", excel.job_row, name="job_row"),
    path("importe/<int:job_pk>/uebernehmen/", excel.job_take, name="job_take"),
    path("importe/<int:job_pk>/verwerfen/", excel.job_discard, name="job_discard"),
    path("importe/<int:job_pk>/erneut-starten/", excel.job_restart, name="job_restart"),
    path("importe/<int:job_pk>/nicht-uebernommen.xlsx", excel.job_left_out, name="job_left_out"),
]

report_pages = [
    path("massnahmen/<int:measure_pk>/melden/<slug:kind_slug>/", reports.submit, name="submit"),
    path("massnahmen/<int:measure_pk>/dateneingabe-abgeschlossen/", reports.data_complete, name="data_complete"),
    path("jahresmeldung/", reports.annual_all, name="annual_all"),
    path("<int:report_pk>/", reports.report_detail, name="report_detail"),
    path("<int:report_pk>/excel/", reports.report_download, name="report_download"),
    path("eingang/", review.inbox, name="inbox"),
    path("<int:report_pk>/pruefen/", review.review, name="review"),
    path("massnahmen/<int:measure_pk>/wieder-oeffnen/", review.reopen_measure, name="reopen"),
    path("massnahmen/<int:measure_pk>/aenderungsanfrage/", change_requests.request_change, name="change_request_add"),
    path("aenderungsanfragen/", change_requests.change_request_list, name="change_requests"),
    path("aenderungsanfragen/<int:pk>/", change_requests.change_request_detail, name="change_request_detail"),
]

board_pages = [
    path("", board.board, name="index"),
    path("excel/", board.board_export, name="export"),
]

statistics_pages = [
    path("", authority_required(statistics.statistics_page), name="index"),
    path("excel/", authority_required(statistics.statistics_excel), name="excel"),
]

reminder_pages = [path("", authority_required(reminders.reminder_list), name="list")]

security_pages = [
    path("", authority_required(SecurityLogView.as_view()), name="list"),
    path("ergebnisse/", authority_required(SecurityLogView.as_view(results_only=True)), name="list_results"),
    path("gesperrte-konten/", authority_required(locked_accounts), name="locked"),
    path("gesperrte-konten/entsperren/", authority_required(unlock), name="unlock"),
]

user_pages = [
    path("benutzer/", users.user_list, name="index"),
    path("benutzer/neu/", users.user_create, name="add"),
    path("benutzer/<int:pk>/", users.user_edit, name="edit"),
    path("benutzer/<int:pk>/deaktivieren/", users.user_deactivate, name="deactivate"),
    path("benutzer/<int:pk>/reaktivieren/", users.user_reactivate, name="reactivate"),
    path("benutzer/<int:pk>/einladung/", users.user_invite, name="invite"),
    path("benutzer/<int:pk>/einmal-passwort/", users.user_one_time_password, name="one_time_password"),
    path("konto/passwort-festlegen/", users.change_password, name="change_password"),
]

# (mount point under /admin/, URL patterns, namespace)
AREAS = [
    ("monitoring/", monitoring, "aqb_monitoring"),
    ("excel/", excel_files, "aqb_excel"),
    ("meldungen/", report_pages, "aqb_reports"),
    ("vollstaendigkeit/", board_pages, "aqb_board"),
    ("statistik/", statistics_pages, "aqb_statistics"),
    ("erinnerungen/", reminder_pages, "aqb_reminders"),
    ("sicherheit/", security_pages, "aqb_security"),
    ("", user_pages, "aqb_users"),
]

urlpatterns = [path(prefix, include((patterns, namespace), namespace=namespace)) for prefix, patterns, namespace in AREAS]
