"""Forms of the "Benutzer" pages: names, e-mail and exactly one organisation, nothing else.

No group, permission, staff or superuser field exists here for anyone: the rights follow from the
organisation, and the organisation's choices are only those the signed-in user may manage.
"""

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from ..services.accounts import manageable_organisations

INVITE = "invite"
ONE_TIME_PASSWORD = "password"


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, organisation):
        return f"{organisation} ({organisation.get_kind_display()})"


class UserForm(forms.Form):
    first_name = forms.CharField(label=_("Vorname"), max_length=150)
    last_name = forms.CharField(label=_("Nachname"), max_length=150)
    email = forms.EmailField(label=_("E-Mail-Adresse"), help_text=_("Mit dieser Adresse meldet sich der Benutzer an."))
    organisation = OrganisationChoiceField(
        label=_("Organisation"), queryset=None, empty_label=_("Bitte wählen"),
        help_text=_("Die Rechte des Benutzers ergeben sich aus seiner Organisation."),
    )

    def __init__(self, *args, actor, user=None, **kwargs):
        if user is not None:
            kwargs.setdefault("initial", {
                "first_name": user.first_name, "last_name": user.last_name, "email": user.email,
                "organisation": user.organisation_id,
            })
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = manageable_organisations(actor).order_by("kind", "name")
        if user is not None and user.pk == actor.pk:
            # One's own organisation is not for oneself to change.
            self.fields["organisation"].disabled = True

    def add_service_errors(self, errors):
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class CreateUserForm(UserForm):
    access = forms.ChoiceField(
        label=_("Zugang"),
        choices=[
            (INVITE, _("Einladung per E-Mail: der Benutzer legt sein Passwort selbst fest (empfohlen)")),
            (ONE_TIME_PASSWORD, _("Einmal-Passwort: wird Ihnen einmal angezeigt und muss bei der ersten "
                                  "Anmeldung geändert werden")),
        ],
        initial=INVITE,
        widget=forms.RadioSelect,
    )


class GermanPasswordFieldsMixin:
    def _german_labels(self):
        if "old_password" in self.fields:
            self.fields["old_password"].label = _("Bisheriges Passwort")
        self.fields["new_password1"].label = _("Neues Passwort")
        self.fields["new_password2"].label = _("Neues Passwort wiederholen")
        self.fields["new_password2"].help_text = ""


class ChoosePasswordForm(GermanPasswordFieldsMixin, SetPasswordForm):
    """The invitation's form: the portal's password validators, with German reasons."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._german_labels()


class ForcedPasswordChangeForm(GermanPasswordFieldsMixin, PasswordChangeForm):
    """The first log-in after a one-time password: the old one, then one's own."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._german_labels()

    def clean(self):
        cleaned = super().clean()
        old, new = cleaned.get("old_password"), cleaned.get("new_password1")
        if old and new and old == new:
            self.add_error("new_password1", _("Bitte wählen Sie ein anderes als das bisherige Passwort."))
        return cleaned


class RequestInvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-Mail-Adresse"))
