"""Wagtail's own user and group admin, kept for the RP's administrators (superusers) only.

Everyone else manages users on the portal's "Benutzer" pages (aqb_monitoring/users/views.py),
which ask for exactly one organisation and show no raw groups. Wagtail registers a plain
model-permission policy for users and groups in its app's `ready`; this config replaces it after,
so the menu entries, the search area, the bulk actions and the views follow the same rule, and the
viewsets answer 404 to everyone but a superuser.
"""

from wagtail.users.apps import WagtailUsersAppConfig


class PortalUsersConfig(WagtailUsersAppConfig):
    user_viewset = "aqb_monitoring.users.wagtail_viewsets.SuperuserOnlyUserViewSet"
    group_viewset = "aqb_monitoring.users.wagtail_viewsets.SuperuserOnlyGroupViewSet"

    def ready(self):
        super().ready()
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from wagtail.permissions import register_permission_policy

        from . import signals
        from .wagtail_viewsets import SuperuserOnlyPolicy

        signals.connect(get_user_model())

        register_permission_policy(get_user_model(), SuperuserOnlyPolicy(get_user_model()))
        register_permission_policy(Group, SuperuserOnlyPolicy(Group))
