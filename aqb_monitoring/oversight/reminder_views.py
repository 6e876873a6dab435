"""The RP's list of the deadline reminders that went out ("Erinnerungen", issue 15).

RP only (`authority_required`: a 404 for everybody else). One row per reminded item and address,
newest first, with the delivery state of its mail; filters by grant recipient and kind.
"""

from django import forms
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks

from ..menu import AuthorityMenuItem
from ..models import Organisation, OrganisationKind, ReminderKind, ReminderStep, SentReminder
from ..notifications import delivery_state
from ..views import page_of
from ..viewsets import authority_required


class ReminderFilterForm(forms.Form):
    grant_recipient = forms.ModelChoiceField(
        label=gettext_lazy("Zuwendungsempfänger"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.GRANT_RECIPIENT).order_by("name"),
        required=False,
        empty_label=gettext_lazy("alle"),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Art"), required=False,
                             choices=[("", gettext_lazy("alle"))] + ReminderKind.choices)


def reminder_list(request):
    form = ReminderFilterForm(request.GET or None)
    queryset = SentReminder.objects.select_related("measure", "measure__grant_recipient", "notification")
    values = form.cleaned_data if form.is_valid() else {}
    if values.get("grant_recipient"):
        queryset = queryset.filter(measure__grant_recipient=values["grant_recipient"])
    if values.get("kind"):
        queryset = queryset.filter(kind=values["kind"])
    page, query = page_of(request, queryset.order_by("-sent_at", "-id"))
    rows = [{
        "reminder": reminder,
        "kind_label": ReminderKind(reminder.kind).label,
        "step_label": ReminderStep(reminder.step).label,
        "delivery": delivery_state(reminder.notification),
        "delivered": bool(reminder.notification and reminder.notification.sent_at),
    } for reminder in page.object_list]
    title = _("Erinnerungen")
    return TemplateResponse(request, "aqb_monitoring/reminders/list.html", {
        "page_title": title, "header_title": title, "form": form, "page_obj": page, "rows": rows, "query": query,
    })


app_name = "aqb_reminders"
urlpatterns = [path("", authority_required(reminder_list), name="list")]


@hooks.register("register_admin_urls")
def register_reminder_urls():
    return [path("erinnerungen/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_admin_menu_item")
def register_reminder_menu_item():
    """"Erinnerungen" for the RP: which deadline reminders went out to whom."""
    return AuthorityMenuItem(gettext_lazy("Erinnerungen"), reverse("aqb_reminders:list"),
                             name="erinnerungen", icon_name="time", order=57)
