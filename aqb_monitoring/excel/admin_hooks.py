"""Admin URLs and buttons of the Excel export, import and carry-over."""

from django.urls import include, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .. import permissions
from ..views import MEASURE_BUTTONS_HOOK, MeasureButton
from . import views

app_name = "aqb_excel"
urlpatterns = [
    path("massnahmen/<int:measure_pk>/export.xlsx", views.measure_export, name="measure_export"),
    path("massnahmen/<int:measure_pk>/import/", views.measure_import, name="measure_import"),
    path("massnahmen/<int:measure_pk>/folgebudget/", views.carry_over, name="carry_over"),
    path("export/", views.measures_export, name="measures_export"),
    path("importe/<int:job_pk>/", views.job_detail, name="job"),
    path("importe/<int:job_pk>/zeilen/<int:row_number>/", views.job_row, name="job_row"),
    path("importe/<int:job_pk>/uebernehmen/", views.job_take, name="job_take"),
    path("importe/<int:job_pk>/verwerfen/", views.job_discard, name="job_discard"),
    path("importe/<int:job_pk>/erneut-starten/", views.job_restart, name="job_restart"),
    path("importe/<int:job_pk>/nicht-uebernommen.xlsx", views.job_left_out, name="job_left_out"),
]


@hooks.register("register_admin_urls")
def register_excel_urls():
    return [path("excel/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register(MEASURE_BUTTONS_HOOK)
def excel_buttons(request, measure):
    """Export for whoever sees the measure; upload while it takes changes; carry-over into a successor they see."""
    if not measure.measure_type.has_participant_monitoring:
        return
    yield MeasureButton(_("Excel-Datei herunterladen"), reverse("aqb_excel:measure_export", args=[measure.pk]),
                        icon="download", priority=10)
    if permissions.can_edit(request.user, measure):
        yield MeasureButton(_("Excel-Datei hochladen"), reverse("aqb_excel:measure_import", args=[measure.pk]),
                            icon="upload", priority=20)
    if views.visible_successor(request.user, measure) is not None:
        yield MeasureButton(_("In Folgebudget übernehmen"), reverse("aqb_excel:carry_over", args=[measure.pk]),
                            icon="arrow-right", priority=30)


class AuthorityMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.is_authority(request.user)


@hooks.register("register_admin_menu_item")
def register_export_menu_item():
    return AuthorityMenuItem(gettext_lazy("Excel-Export"), reverse("aqb_excel:measures_export"), icon_name="download",
                             order=260)
