"""Signal handlers that keep access rights in step with the data.

- Every save of a measure re-syncs its guardian grants (ZE and provider groups).
- Every organisation's group may open the admin (`wagtailadmin.access_admin`); the
  RP's group also gets the model permissions of Wagtail's user admin. ZE and provider
  groups get no model-wide permission, so no generic Wagtail view opens up for them.
"""

from django.contrib.auth.models import Permission
from django.db.models.signals import post_save
from django.dispatch import receiver

from . import permissions
from .models import Measure, Organisation, OrganisationKind

AUTHORITY_MODEL_PERMISSIONS = [
    ("aqb_monitoring", "add_user"),
    ("aqb_monitoring", "change_user"),
    ("aqb_monitoring", "delete_user"),
    ("aqb_monitoring", "view_user"),
]


@receiver(post_save, sender=Measure, dispatch_uid="aqb_sync_measure_grants")
def measure_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    permissions.sync_measure_grants(instance)


def grant_admin_access(organisation):
    """Let the organisation's members open the admin; the RP also manages users there."""
    if organisation.group_id is None:
        return
    wanted = [("wagtailadmin", "access_admin")]
    if organisation.kind == OrganisationKind.AUTHORITY:
        wanted += AUTHORITY_MODEL_PERMISSIONS
    found = []
    for app_label, codename in wanted:
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission is not None:
            found.append(permission)
    if found:
        organisation.group.permissions.add(*found)


def organisation_saved(sender, instance, raw=False, **kwargs):
    if raw or not isinstance(instance, Organisation):
        return
    grant_admin_access(instance)


# GrantRecipient and Provider are proxies: post_save names the proxy as sender, so
# connect to every subclass.
for _model in (Organisation, *Organisation.__subclasses__()):
    post_save.connect(organisation_saved, sender=_model, dispatch_uid=f"aqb_org_admin_access_{_model.__name__}")
