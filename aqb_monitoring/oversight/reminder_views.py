"""The RP's list of the deadline reminders that went out ("Erinnerungen", issue 15).

RP only (`authority_required`: a 404 for everybody else). One row per reminded item and address,
newest first, with the delivery state of its mail; filters by grant recipient and kind.
"""

from django import forms
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Organisation, OrganisationKind, ReminderKind, ReminderStep, SentReminder
from ..notifications import delivery_state
from ..views import page_of


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
