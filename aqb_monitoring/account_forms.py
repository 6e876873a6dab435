"""The admin's log-in form in the portal's German (issue 10, item 4).

Wagtail's own form labels the password "Password" and builds its error from the user
model's field name ("Ihr E-Mail-Adresse …"); WAGTAILADMIN_USER_LOGIN_FORM points here.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm


class PortalLoginForm(LoginForm):
    error_messages = {
        **LoginForm.error_messages,
        "invalid_login": _("Ihre E-Mail-Adresse oder Ihr Passwort wurde nicht erkannt. Bitte versuchen Sie es erneut."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("E-Mail-Adresse")
        self.fields["username"].widget.attrs["placeholder"] = _("Ihre E-Mail-Adresse")
        self.fields["password"].label = _("Passwort")
        self.fields["password"].widget.attrs["placeholder"] = _("Ihr Passwort")
