"""Wagtail's user and group viewsets, answering 404 to everyone but a superuser (see apps.py)."""

from functools import wraps

from django.http import Http404
from wagtail.permission_policies import BasePermissionPolicy
from wagtail.users.views.groups import GroupViewSet
from wagtail.users.views.users import UserViewSet


def is_administrator(user):
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


class SuperuserOnlyPolicy(BasePermissionPolicy):
    """Raw users and groups (is_superuser, every group, every permission): the RP's administrators only."""

    def user_has_permission(self, user, action):
        return is_administrator(user)

    def user_has_any_permission(self, user, actions):
        return is_administrator(user)

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(is_active=True, is_superuser=True)

    def users_with_permission(self, action):
        return self.users_with_any_permission([action])

    def user_has_permission_for_instance(self, user, action, instance):
        return is_administrator(user)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return is_administrator(user)

    def instances_user_has_any_permission_for(self, user, actions):
        manager = self.model._default_manager
        return manager.all() if is_administrator(user) else manager.none()

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])

    def users_with_any_permission_for_instance(self, actions, instance):
        return self.users_with_any_permission(actions)

    def users_with_permission_for_instance(self, action, instance):
        return self.users_with_any_permission([action])


def superuser_or_404(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_administrator(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


class SuperuserOnlyMixin:
    def get_urlpatterns(self):
        from wagtail.utils.urlpatterns import decorate_urlpatterns

        return decorate_urlpatterns(super().get_urlpatterns(), superuser_or_404)


class SuperuserOnlyUserViewSet(SuperuserOnlyMixin, UserViewSet):
    pass


class SuperuserOnlyGroupViewSet(SuperuserOnlyMixin, GroupViewSet):
    pass
