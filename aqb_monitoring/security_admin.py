"""The RP's security pages (issue 13): "Sicherheitsprotokoll" and "Gesperrte Konten".

Both are reached from the admin's settings menu and answer 404 to everyone but the RP (every URL is
wrapped by `viewsets.authority_required`). The log is read-only: there is no add, edit, delete or
history view, and the model refuses changes itself (`SecurityEvent` is append-only).
"""

import django_filters
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import BaseListingView
from wagtail.admin.widgets import AdminDateInput

from . import login_protection
from .models import Organisation, SecurityEvent, SecurityEventKind

VIA_LABELS = {
    "system": gettext_lazy("auf dem Server"),
    "invitation": gettext_lazy("über die Einladung"),
    "first_login": gettext_lazy("bei der ersten Anmeldung"),
    "change": gettext_lazy("selbst geändert"),
    "wagtailadmin_password_reset_confirm": gettext_lazy("über „Passwort vergessen?“"),
}
CHANGED_FIELD_LABELS = {
    "first_name": gettext_lazy("Vorname"),
    "last_name": gettext_lazy("Nachname"),
    "email": gettext_lazy("E-Mail-Adresse"),
}


def describe_detail(event):
    """The event's details as short German text (known keys only; technical keys are not shown)."""
    detail = event.detail or {}
    parts = []
    if detail.get("scope") == "address":
        parts.append(_("Sperre der IP-Adresse"))
    if detail.get("unlocked_address"):
        parts.append(_("Adresse %(address)s") % {"address": detail["unlocked_address"]})
    if detail.get("refused_while_locked"):
        parts.append(_("abgewiesen, Sperre aktiv"))
    if detail.get("throttled"):
        parts.append(_("keine E-Mail: Höchstzahl erreicht"))
    if detail.get("set_by_other"):
        parts.append(_("von einer anderen Person gesetzt"))
    if detail.get("one_time_password"):
        parts.append(_("Einmal-Passwort vergeben"))
    if detail.get("requested_by_user"):
        parts.append(_("vom Benutzer selbst angefordert"))
    if detail.get("via") in VIA_LABELS:
        parts.append(str(VIA_LABELS[detail["via"]]))
    if detail.get("organisation"):
        parts.append(_("Organisation: %(name)s") % {"name": detail["organisation"]})
    if "before" in detail or "after" in detail:
        parts.append(_("von „%(before)s“ zu „%(after)s“") % {
            "before": detail.get("before") or "–", "after": detail.get("after") or "–"})
    changes = detail.get("changes")
    if isinstance(changes, dict):
        for field, label in CHANGED_FIELD_LABELS.items():
            if field in changes:
                old, new = (list(changes[field]) + ["", ""])[:2]
                parts.append(_("%(field)s: %(old)s → %(new)s") % {"field": label, "old": old or "–", "new": new or "–"})
    return "; ".join(str(part) for part in parts)


class SecurityEventFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Ereignis"), choices=SecurityEventKind.choices,
                                       empty_label=gettext_lazy("Alle Ereignisse"))
    account = django_filters.CharFilter(label=gettext_lazy("E-Mail-Adresse oder Konto"), method="filter_account")
    organisation = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Organisation"), queryset=Organisation.objects.order_by("kind", "name"),
        method="filter_organisation", empty_label=gettext_lazy("Alle Organisationen"),
    )
    date_from = django_filters.DateFilter(label=gettext_lazy("Von (Datum)"), field_name="at", lookup_expr="date__gte",
                                          widget=AdminDateInput)
    date_to = django_filters.DateFilter(label=gettext_lazy("Bis (Datum)"), field_name="at", lookup_expr="date__lte",
                                        widget=AdminDateInput)
    ip_address = django_filters.CharFilter(label=gettext_lazy("IP-Adresse"), field_name="ip_address",
                                           lookup_expr="startswith")

    class Meta:
        model = SecurityEvent
        fields = []

    def filter_account(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(email__icontains=value) | Q(actor__email__icontains=value))

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(Q(user__organisation=value) | Q(actor__organisation=value))


def _at(event):
    return date_format(localtime(event.at), "d.m.Y H:i")


class SecurityLogView(BaseListingView):
    """Newest first, 50 per page; the account's organisation and the actor come in the same query."""

    page_title = gettext_lazy("Sicherheitsprotokoll")
    header_icon = "lock"
    model = SecurityEvent
    paginate_by = 50
    filterset_class = SecurityEventFilterSet
    index_url_name = "aqb_security:list"
    index_results_url_name = "aqb_security:list_results"
    default_ordering = ["-at", "-id"]
    verbose_name = gettext_lazy("Sicherheitsereignis")
    verbose_name_plural = gettext_lazy("Sicherheitsereignisse")
    columns = [
        Column("at", label=gettext_lazy("Zeitpunkt"), accessor=_at),
        Column("kind", label=gettext_lazy("Ereignis"), accessor="get_kind_display"),
        Column("email", label=gettext_lazy("Konto"), accessor=lambda event: event.email or "–"),
        Column("organisation", label=gettext_lazy("Organisation"),
               accessor=lambda event: event.user.organisation if event.user and event.user.organisation else "–"),
        Column("actor", label=gettext_lazy("Ausgeführt von"),
               accessor=lambda event: event.actor.email if event.actor else "–"),
        Column("ip_address", label=gettext_lazy("IP-Adresse"), accessor=lambda event: event.ip_address or "–"),
        Column("detail", label=gettext_lazy("Einzelheiten"), accessor=describe_detail),
    ]

    def get_base_queryset(self):
        return SecurityEvent.objects.select_related("user__organisation", "actor")

    def order_queryset(self, queryset):
        return queryset.order_by(*self.default_ordering)

    def get_header_buttons(self):
        from wagtail.admin.widgets.button import HeaderButton

        return [HeaderButton(_("Gesperrte Konten"), url=reverse("aqb_security:locked"), icon_name="lock")]


def locked_accounts(request):
    return TemplateResponse(request, "aqb_monitoring/security/locked_accounts.html", {
        "page_title": _("Gesperrte Konten"),
        "header_title": _("Gesperrte Konten"),
        "accounts": login_protection.locked_accounts(),
        "addresses": login_protection.locked_addresses(),
    })


def unlock(request):
    """Confirmation page (GET) and unlocking (POST) of one account (`konto`) or one address (`adresse`)."""
    data = request.POST if request.method == "POST" else request.GET
    email = login_protection.normalise_email(data.get("konto"))
    address = (data.get("adresse") or "").strip()
    if email:
        locked = [row for row in login_protection.locked_accounts() if row["email"] == email]
    elif address:
        locked = [row for row in login_protection.locked_addresses() if row["ip_address"] == address]
    else:
        locked = []
    if not locked:
        messages.info(request, _("Diese Sperre besteht nicht mehr."))
        return redirect("aqb_security:locked")
    if request.method == "POST":
        if email:
            login_protection.unlock_account(email, request=request)
            messages.success(request, _("Das Konto %(email)s ist entsperrt.") % {"email": email})
        else:
            login_protection.unlock_address(address, request=request)
            messages.success(request, _("Die IP-Adresse %(address)s ist entsperrt.") % {"address": address})
        return redirect("aqb_security:locked")
    return TemplateResponse(request, "aqb_monitoring/security/unlock_confirm.html", {
        "page_title": _("Sperre aufheben"),
        "header_title": _("Sperre aufheben"),
        "email": email,
        "address": address,
        "row": locked[0],
    })
