"""URLs of the "Benutzer" pages (admin) and of the invitation (public, no log-in needed)."""

from django.urls import path

from . import views

admin_urlpatterns = [
    path("benutzer/", views.user_list, name="index"),
    path("benutzer/neu/", views.user_create, name="add"),
    path("benutzer/<int:pk>/", views.user_edit, name="edit"),
    path("benutzer/<int:pk>/deaktivieren/", views.user_deactivate, name="deactivate"),
    path("benutzer/<int:pk>/reaktivieren/", views.user_reactivate, name="reactivate"),
    path("benutzer/<int:pk>/einladung/", views.user_invite, name="invite"),
    path("benutzer/<int:pk>/einmal-passwort/", views.user_one_time_password, name="one_time_password"),
    path("konto/passwort-festlegen/", views.change_password, name="change_password"),
]

public_urlpatterns = [
    path("einladung/neu/", views.request_invitation, name="request"),
    path("einladung/<uidb64>/<token>/", views.accept_invitation, name="accept"),
]
