"""The password policy (docs/domain-rules.md §10), as a Django password validator."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SPECIAL_CHARACTERS = "!$'#%"


class HandbookPasswordValidator:
    """At least 8 characters, two digits, two lower-case, two upper-case letters and two of ! $ ' # %."""

    def validate(self, password, user=None):
        problems = []
        if len(password) < 8:
            problems.append(_("mindestens 8 Zeichen"))
        if len(re.findall(r"\d", password)) < 2:
            problems.append(_("mindestens zwei Ziffern"))
        if len(re.findall(r"[a-zäöüß]", password)) < 2:
            problems.append(_("mindestens zwei Kleinbuchstaben"))
        if len(re.findall(r"[A-ZÄÖÜ]", password)) < 2:
            problems.append(_("mindestens zwei Großbuchstaben"))
        if sum(password.count(c) for c in SPECIAL_CHARACTERS) < 2:
            problems.append(_("mindestens zwei dieser Sonderzeichen: ! $ ' # %"))
        if problems:
            raise ValidationError(
                _("Das Passwort erfüllt die Regeln nicht. Es fehlen: %(missing)s.")
                % {"missing": ", ".join(problems)},
                code="password_policy",
            )

    def get_help_text(self):
        return _(
            "Mindestens 8 Zeichen, darunter mindestens zwei Ziffern, zwei Klein- und zwei "
            "Großbuchstaben sowie zwei dieser Sonderzeichen: ! $ ' # %"
        )
