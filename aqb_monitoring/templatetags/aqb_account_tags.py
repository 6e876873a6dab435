"""Template tags for the admin's account e-mails."""

from django import template
from django.conf import settings
from django.utils.translation import ngettext

register = template.Library()


@register.simple_tag
def password_reset_validity():
    """How long a reset link works, in words ("3 Tage", "24 Stunden"), from PASSWORD_RESET_TIMEOUT."""
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    if hours and hours % 24 == 0:
        days = hours // 24
        return ngettext("%(count)d Tag", "%(count)d Tage", days) % {"count": days}
    if hours:
        return ngettext("%(count)d Stunde", "%(count)d Stunden", hours) % {"count": hours}
    minutes = max(settings.PASSWORD_RESET_TIMEOUT // 60, 1)
    return ngettext("%(count)d Minute", "%(count)d Minuten", minutes) % {"count": minutes}
