"""The "Benutzer" pages: list, create, edit, deactivate, reactivate, invite again, one-time password.

Thin: every view looks the user up in `manageable_users(request.user)` (anyone else: 404), calls a
service and renders. Plus the public invitation pages and the forced password change.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN, PasswordResetConfirmView
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from ..models import SecurityEvent, SecurityEventKind, User
from ..security_log import client_address
from ..services import accounts
from ..services.common import ServiceError
from . import forms
from .invitations import invitation_state, invitation_token, valid_for

PAGE_SIZE = 50


def _managed_or_404(request, pk):
    return get_object_or_404(accounts.manageable_users(request.user).select_related("organisation"), pk=pk)


def _require_manager(request):
    if not accounts.can_manage_users(request.user):
        raise Http404


def _render(request, template, title, context):
    return TemplateResponse(request, f"aqb_monitoring/users/{template}.html",
                            {"page_title": title, "header_title": title,
                             "hours": int(valid_for().total_seconds() // 3600), **context})


def user_list(request):
    _require_manager(request)
    users = accounts.manageable_users(request.user).select_related("organisation").order_by(
        "organisation__name", "last_name", "first_name", "email")
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(Q(email__icontains=query) | Q(first_name__icontains=query)
                             | Q(last_name__icontains=query) | Q(organisation__name__icontains=query))
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("p"))
    now = timezone.now()
    for user in page.object_list:
        user.invitation = invitation_state(user, now)
        user.invitation_until = user.invited_at + valid_for() if user.invited_at else None
    return _render(request, "index", _("Benutzer"), {"page": page, "users": page.object_list, "query": query})


@sensitive_post_parameters()
def user_create(request):
    _require_manager(request)
    form = forms.CreateUserForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        invite = form.cleaned_data["access"] == forms.INVITE
        try:
            user = accounts.do_create_user(request.user, form.cleaned_data, invite=invite, request=request)
        except ServiceError as error:
            form.add_service_errors(error.errors)
        else:
            if invite:
                messages.success(request, _("Benutzer %(email)s angelegt; die Einladung ist unterwegs.")
                                 % {"email": user.email})
                return redirect("aqb_users:index")
            password = accounts.do_set_one_time_password(request.user, user, request=request)
            return _one_time_password_page(request, user, password)
    return _render(request, "form", _("Benutzer hinzufügen"), {"form": form, "creating": True})


def user_edit(request, pk):
    user = _managed_or_404(request, pk)
    form = forms.UserForm(request.POST or None, actor=request.user, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.do_update_user(request.user, user, form.cleaned_data, request=request)
        except ServiceError as error:
            form.add_service_errors(error.errors)
        else:
            messages.success(request, _("Benutzer %(email)s gespeichert.") % {"email": form.cleaned_data["email"]})
            return redirect("aqb_users:index")
    return _render(request, "form", _("Benutzer bearbeiten: %(name)s") % {"name": user}, {"form": form, "user": user})


def _confirmed_action(request, pk, check, do, template, title, done_message):
    """GET: the confirmation page (with the refusal, if any); POST: the change."""
    user = _managed_or_404(request, pk)
    refusal = check(request.user, user)
    if request.method == "POST" and not refusal:
        try:
            result = do(request.user, user, request=request)
        except ServiceError as error:
            refusal = error.errors
        else:
            if done_message is None:
                return result
            messages.success(request, done_message % {"email": user.email})
            return redirect("aqb_users:index")
    errors = [message for messages_ in (refusal or {}).values() for message in messages_]
    return _render(request, template, title % {"name": user}, {"user": user, "refusal": errors})


@require_http_methods(["GET", "POST"])
def user_deactivate(request, pk):
    return _confirmed_action(request, pk, accounts.check_deactivate_user, accounts.do_deactivate_user,
                             "confirm_deactivate", _("Benutzer deaktivieren: %(name)s"),
                             _("Benutzer %(email)s deaktiviert; er kann sich nicht mehr anmelden."))


@require_http_methods(["GET", "POST"])
def user_reactivate(request, pk):
    return _confirmed_action(request, pk, accounts.check_reactivate_user, accounts.do_reactivate_user,
                             "confirm_reactivate", _("Benutzer reaktivieren: %(name)s"),
                             _("Benutzer %(email)s ist wieder aktiv."))


@require_http_methods(["GET", "POST"])
def user_invite(request, pk):
    return _confirmed_action(request, pk, accounts.check_send_invitation, accounts.do_send_invitation,
                             "confirm_invite", _("Einladung erneut senden: %(name)s"),
                             _("Neue Einladung an %(email)s verschickt; ältere Links gelten nicht mehr."))


@never_cache
@require_http_methods(["GET", "POST"])
def user_one_time_password(request, pk):
    def check(actor, user):
        return accounts.check_set_one_time_password(actor, user, accounts.generate_one_time_password())

    def do(actor, user, request):
        return _one_time_password_page(request, user, accounts.do_set_one_time_password(actor, user, request=request))

    return _confirmed_action(request, pk, check, do, "confirm_one_time_password",
                             _("Einmal-Passwort festlegen: %(name)s"), None)


def _one_time_password_page(request, user, password):
    """Shown once, in the response to the POST; the password is stored nowhere but as its hash."""
    response = _render(request, "one_time_password", _("Einmal-Passwort für %(name)s") % {"name": user},
                       {"user": user, "password": password})
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------
# The forced change after a one-time password
# ---------------------------------------------------------------------------


@sensitive_post_parameters()
@never_cache
def change_password(request):
    form = forms.ForcedPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = accounts.do_choose_password(request.user, form, request=request, via="first_login")
        update_session_auth_hash(request, user)
        messages.success(request, _("Ihr neues Passwort ist gespeichert."))
        return redirect("aqb_monitoring:dashboard")
    title = _("Bitte wählen Sie ein eigenes Passwort") if request.user.must_change_password else _("Passwort ändern")
    return _render(request, "change_password", title, {"form": form})


# ---------------------------------------------------------------------------
# Public: the invitation link and the request for a new one
# ---------------------------------------------------------------------------


class AcceptInvitationView(PasswordResetConfirmView):
    """Django's reset confirmation (token moved into the session, link once), with the invitation's token."""

    token_generator = invitation_token
    form_class = forms.ChoosePasswordForm
    template_name = "aqb_monitoring/users/invitation_accept.html"
    reset_url_token = "passwort-festlegen"
    success_url = reverse_lazy("aqb_monitoring:dashboard")

    def form_valid(self, form):
        user = accounts.do_choose_password(self.user, form, request=self.request, via="invitation")
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, _("Willkommen im AQB-Portal. Ihr Passwort ist gespeichert."))
        return redirect(self.get_success_url())


accept_invitation = AcceptInvitationView.as_view()

RESEND_AFTER_MINUTES = 5
# New links asked for from one address within an hour, beyond which nothing more is sent.
REQUESTS_PER_ADDRESS_AND_HOUR = 20


def _too_many_requests_from(request):
    """Counted in the security log (the database), so the limit holds across several app servers."""
    return SecurityEvent.objects.filter(
        kind=SecurityEventKind.INVITATION_SENT, ip_address=client_address(request), detail__requested_by_user=True,
        at__gte=timezone.now() - timedelta(hours=1),
    ).count() >= REQUESTS_PER_ADDRESS_AND_HOUR


@sensitive_post_parameters()
@never_cache
def request_invitation(request):
    """The same answer whether or not the address has an account (no enumeration)."""
    form = forms.RequestInvitationForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        sent = True
        user = User.objects.filter(email__iexact=form.cleaned_data["email"].strip()).first()
        recent = timezone.now() - timedelta(minutes=RESEND_AFTER_MINUTES)
        if (user is not None and not accounts.check_send_invitation(None, user)
                and (user.invited_at is None or user.invited_at < recent)
                and not _too_many_requests_from(request)):
            accounts.do_send_invitation(None, user, request=request)
    return TemplateResponse(request, "aqb_monitoring/users/invitation_request.html", {
        "form": form, "sent": sent, "hours": int(valid_for().total_seconds() // 3600),
        "login_url": reverse("wagtailadmin_login"),
    })
