"""The "Benutzer" menu entry and URLs in the admin (shown to the RP and to grant recipients' users)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from ..services.accounts import can_manage_users
from .urls import admin_urlpatterns


@hooks.register("register_admin_urls")
def register_user_urls():
    return [path("", include((admin_urlpatterns, "aqb_users"), namespace="aqb_users"))]


class UserManagerMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage_users(request.user)


@hooks.register("register_admin_menu_item")
def register_users_menu_item():
    return UserManagerMenuItem(_("Benutzer"), reverse("aqb_users:index"), name="aqb-users", icon_name="user", order=70)
