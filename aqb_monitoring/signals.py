"""Signal handlers that keep access rights in step with the data.

- A measure written outside the services (test factories, the demo seed, the shell) re-syncs
  its guardian grants (ZE and provider groups) and recomputes statuses here. The services'
  `do_save_measure` does both explicitly and marks the instance, so this is a safety net for
  direct ORM writes, not the write path of the form or the import.
- A change of what the rules read (a measure's type or dates, a question block's scope, a
  question, a measure type's flags) recomputes the stored statuses, so lists and counts
  never show a status the rules would no longer give.
- Every organisation's group may open the admin (`wagtailadmin.access_admin`); the
  RP's group also gets the model permissions of Wagtail's user admin. ZE and provider
  groups get no model-wide permission, so no generic Wagtail view opens up for them.
"""

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from . import permissions
from .models import Measure, MeasureType, Organisation, OrganisationKind, Question, QuestionBlock
from .status import recompute_for_measure

AUTHORITY_MODEL_PERMISSIONS = [
    ("aqb_monitoring", "add_user"),
    ("aqb_monitoring", "change_user"),
    ("aqb_monitoring", "delete_user"),
    ("aqb_monitoring", "view_user"),
]


RULE_FIELDS_OF_MEASURE = ("measure_type_id", "start_date", "end_date")


@receiver(pre_save, sender=Measure, dispatch_uid="aqb_measure_rule_fields_before")
def remember_rule_fields(sender, instance, raw=False, **kwargs):
    """Note the rule-relevant values before the save, to recompute statuses only when they change."""
    if raw or instance.pk is None or getattr(instance, "_saved_by_service", False):
        instance._rule_fields_before = None
        return
    instance._rule_fields_before = (
        Measure.objects.filter(pk=instance.pk).values_list(*RULE_FIELDS_OF_MEASURE).first()
    )


@receiver(post_save, sender=Measure, dispatch_uid="aqb_sync_measure_grants")
def measure_saved(sender, instance, raw=False, created=False, **kwargs):
    """Direct ORM writes only; `services.measures.do_save_measure` grants and recomputes itself."""
    if raw or getattr(instance, "_saved_by_service", False):
        return
    permissions.sync_measure_grants(instance)
    before = getattr(instance, "_rule_fields_before", None)
    if before is not None and before != tuple(getattr(instance, name) for name in RULE_FIELDS_OF_MEASURE):
        recompute_for_measure(instance)


def recompute_all_statuses_after_commit(**kwargs):
    """A catalogue change that the rules read: recompute every measure's statuses in the background."""
    from .tasks import recompute_statuses

    transaction.on_commit(lambda: recompute_statuses.enqueue())


def catalogue_changed(sender, instance=None, raw=False, **kwargs):
    if not raw:
        recompute_all_statuses_after_commit()


for _model in (Question, QuestionBlock, MeasureType):
    post_save.connect(catalogue_changed, sender=_model, dispatch_uid=f"aqb_recompute_after_{_model.__name__}")
for _through in (QuestionBlock.measure_types.through, QuestionBlock.participant_goals.through):
    m2m_changed.connect(
        lambda sender, action, **kwargs: action.startswith("post_") and recompute_all_statuses_after_commit(),
        sender=_through,
        dispatch_uid=f"aqb_recompute_after_{_through.__name__}",
        weak=False,
    )


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
