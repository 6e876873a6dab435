"""Who may see and change what: the one place that answers it.

Rights on a measure come from django-guardian object permissions granted to the
auth Group of an organisation (`Organisation.group`): the grant recipient's group and
the provider's group get `view_measure` and `change_measure` on each of their measures
(kept in sync by `sync_measure_grants`). Participants inherit the rights of their measure;
there are no per-participant grants. The authority (RP) and superusers see everything.

Querysets are one SQL query each: the measure ids come from a subquery on guardian's
GroupObjectPermission table, so lists of 100,000 participants are filtered in the database.
"""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import BigIntegerField
from django.db.models.functions import Cast
from guardian.models import GroupObjectPermission

from .models import Measure, OrganisationKind, Participant, Report

MEASURE_PERMISSIONS = ("view_measure", "change_measure")


# ---------------------------------------------------------------------------
# Roles
# ---------------------------------------------------------------------------


def organisation_of(user):
    """The user's organisation (RP, grant recipient or provider); None for visitors, inactive users and
    users attached to none."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.organisation if user.organisation_id else None


def is_authority(user):
    """The RP (organisation of kind authority) and superusers see and edit everything."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    organisation = organisation_of(user)
    return organisation is not None and organisation.kind == OrganisationKind.AUTHORITY


def is_grant_recipient(user):
    organisation = organisation_of(user)
    return organisation is not None and organisation.kind == OrganisationKind.GRANT_RECIPIENT


def is_provider(user):
    organisation = organisation_of(user)
    return organisation is not None and organisation.kind == OrganisationKind.PROVIDER


def is_tenant(user):
    """A ZE or provider user: sees only the measures granted to its organisation."""
    return not is_authority(user) and (is_grant_recipient(user) or is_provider(user))


def has_monitoring(user):
    """Whether the user has the monitoring's pages ("Meine Maßnahmen"): the RP and superusers, and every active
    user of an organisation; a user attached to none has nothing to monitor (docs/domain-rules.md §1.3)."""
    return organisation_of(user) is not None or is_authority(user)


def may_maintain_provider_contacts(user):
    """Whether the user has "Meine Träger" (the providers' contact e-mail): the RP for every provider, a ZE for its
    own; a provider does not (docs/domain-rules.md §1.3, `providers_for` gives the providers)."""
    return is_grant_recipient(user) or is_authority(user)


# ---------------------------------------------------------------------------
# Measures and participants
# ---------------------------------------------------------------------------


def _granted_measure_ids(user, codename):
    """Ids of measures on which one of the user's groups holds `codename` (a subquery, not a list)."""
    return (
        GroupObjectPermission.objects.filter(
            group__user=user,
            permission__codename=codename,
            permission__content_type__app_label=Measure._meta.app_label,
            content_type__app_label=Measure._meta.app_label,
            content_type__model=Measure._meta.model_name,
        )
        .annotate(measure_id=Cast("object_pk", BigIntegerField()))
        .values("measure_id")
    )


def measures_for(user, queryset=None):
    """The measures the user may see: all for the RP, the granted ones for ZE and providers."""
    queryset = Measure.objects.all() if queryset is None else queryset
    if is_authority(user):
        return queryset
    if organisation_of(user) is None:
        return queryset.none()
    return queryset.filter(pk__in=_granted_measure_ids(user, "view_measure"))


def editable_measures_for(user, queryset=None):
    """Measures whose participants the user may change: granted and not closed."""
    queryset = Measure.objects.all() if queryset is None else queryset
    if is_authority(user):
        return queryset.filter(closed_at__isnull=True)
    if organisation_of(user) is None:
        return queryset.none()
    return queryset.filter(pk__in=_granted_measure_ids(user, "change_measure"), closed_at__isnull=True)


def participants_for(user, queryset=None):
    """Participants inherit their measure's rights (no per-participant grants)."""
    queryset = Participant.objects.all() if queryset is None else queryset
    if is_authority(user):
        return queryset
    if organisation_of(user) is None:
        return queryset.none()
    return queryset.filter(measure_id__in=_granted_measure_ids(user, "view_measure"))


def reports_for(user, queryset=None):
    """Reports are seen by whoever may see their measure (the RP: all)."""
    queryset = Report.objects.all() if queryset is None else queryset
    if is_authority(user):
        return queryset
    if organisation_of(user) is None:
        return queryset.none()
    return queryset.filter(measure_id__in=_granted_measure_ids(user, "view_measure"))


def can_view(user, measure):
    """Whether the user may see this measure and its participants."""
    if measure is None or measure.pk is None:
        return False
    if is_authority(user):
        return True
    return measures_for(user).filter(pk=measure.pk).exists()


def can_edit(user, measure):
    """Whether the user may add, change or delete participants of this measure (never once closed, V10)."""
    if measure is None or measure.pk is None or measure.is_closed:
        return False
    if not measure.measure_type.has_participant_monitoring:
        return False
    if is_authority(user):
        return True
    return editable_measures_for(user).filter(pk=measure.pk).exists()


def visible_successor(user, measure):
    """The measure's successor if the user may see it, else None: a provider learns nothing of a successor of
    another ZE or of a sibling provider, not even its number (docs/domain-rules.md §2.3)."""
    if measure.successor_id is None:
        return None
    return measures_for(user).filter(pk=measure.successor_id).first()


def can_view_participant(user, participant):
    return participant is not None and can_view(user, participant.measure)


def can_edit_participant(user, participant):
    return participant is not None and can_edit(user, participant.measure)


def providers_for(user):
    """Providers whose contact e-mail the user maintains: a ZE its own, the RP all."""
    from .models import Provider

    if is_authority(user):
        return Provider.objects.all()
    if is_grant_recipient(user):
        return Provider.objects.filter(grant_recipient_id=user.organisation_id)
    return Provider.objects.none()


# ---------------------------------------------------------------------------
# Grants
# ---------------------------------------------------------------------------


def _measure_permissions():
    content_type = ContentType.objects.get_for_model(Measure)
    return list(Permission.objects.filter(content_type=content_type, codename__in=MEASURE_PERMISSIONS))


def sync_measure_grants(measure):
    """Grant the groups of the measure's grant recipient and provider its rights, and nobody else.

    Called whenever a measure is saved, so a changed ZE or provider loses or gains access
    at once.
    """
    with transaction.atomic():
        content_type = ContentType.objects.get_for_model(Measure)
        wanted_groups = set()
        for organisation_id in (measure.grant_recipient_id, measure.provider_id):
            if organisation_id:
                from .models import Organisation

                group_id = Organisation.objects.filter(pk=organisation_id).values_list("group_id", flat=True).first()
                if group_id:
                    wanted_groups.add(group_id)
        existing = GroupObjectPermission.objects.filter(content_type=content_type, object_pk=str(measure.pk))
        existing.exclude(group_id__in=wanted_groups).delete()
        have = set(existing.values_list("group_id", "permission_id"))
        to_create = [
            GroupObjectPermission(
                group_id=group_id, permission=permission, content_type=content_type, object_pk=str(measure.pk)
            )
            for group_id in wanted_groups
            for permission in _measure_permissions()
            if (group_id, permission.pk) not in have
        ]
        GroupObjectPermission.objects.bulk_create(to_create)


# ---------------------------------------------------------------------------
# Wagtail permission policies (registered in apps.MonitoringConfig.ready)
# ---------------------------------------------------------------------------

from django.db.models import Q  # noqa: E402
from wagtail.permission_policies import BasePermissionPolicy  # noqa: E402


def authority_users():
    from .models import User

    return User.objects.filter(Q(is_superuser=True) | Q(organisation__kind=OrganisationKind.AUTHORITY), is_active=True)


class AuthorityOnlyPolicy(BasePermissionPolicy):
    """Catalogues, organisations and measures' master data: only the RP may touch them in Wagtail's views.

    ZE and provider users hold no model-wide permission here, so Wagtail's generic views,
    the snippets index, its counts and the site history stay closed to them.
    """

    def user_has_permission(self, user, action):
        return is_authority(user)

    def user_has_any_permission(self, user, actions):
        return is_authority(user)

    def users_with_any_permission(self, actions):
        return authority_users()

    def user_has_permission_for_instance(self, user, action, instance):
        return is_authority(user)

    def instances_user_has_any_permission_for(self, user, actions):
        manager = self.model._default_manager
        return manager.all() if is_authority(user) else manager.none()


class MeasurePolicy(AuthorityOnlyPolicy):
    """Model-wide, measures are the RP's; per instance a ZE or provider may view its own."""

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "view":
            return can_view(user, instance)
        return is_authority(user)

    def instances_user_has_any_permission_for(self, user, actions):
        if "view" in actions:
            return measures_for(user)
        return super().instances_user_has_any_permission_for(user, actions)

    def users_with_any_permission_for_instance(self, actions, instance):
        users = authority_users()
        if "view" in actions or "change" in actions:
            from .models import User

            group_ids = GroupObjectPermission.objects.filter(
                content_type__app_label=Measure._meta.app_label,
                content_type__model=Measure._meta.model_name,
                object_pk=str(instance.pk),
            ).values("group_id")
            users = users | User.objects.filter(groups__in=group_ids, is_active=True)
        return users.distinct()


class ParticipantPolicy(AuthorityOnlyPolicy):
    """Participants inherit their measure's rights: view where the measure is visible, change while open."""

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "view":
            return can_view_participant(user, instance)
        if action in ("change", "delete"):
            return can_edit_participant(user, instance)
        return is_authority(user)

    def instances_user_has_any_permission_for(self, user, actions):
        if "view" in actions:
            return participants_for(user)
        if {"change", "delete"} & set(actions):
            return participants_for(user).filter(measure__in=editable_measures_for(user))
        return super().instances_user_has_any_permission_for(user, actions)


def register_policies():
    """Called once from AppConfig.ready, before Wagtail looks up any policy of these models."""
    from wagtail.permissions import register_permission_policy

    from .models import CATALOGUE_MODELS, AuditEntry, Organisation

    register_permission_policy(Measure, MeasurePolicy(Measure))
    register_permission_policy(Participant, ParticipantPolicy(Participant))
    register_permission_policy(Organisation, AuthorityOnlyPolicy(Organisation))
    register_permission_policy(AuditEntry, AuthorityOnlyPolicy(AuditEntry))
    for model in CATALOGUE_MODELS:
        register_permission_policy(model, AuthorityOnlyPolicy(model))
