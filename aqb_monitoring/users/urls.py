"""Public URLs of the invitation (no log-in needed); the "Benutzer" pages are admin URLs (admin_urls.py)."""

from django.urls import path

from . import views

public_urlpatterns = [
    path("einladung/neu/", views.request_invitation, name="request"),
    path("einladung/<uidb64>/<token>/", views.accept_invitation, name="accept"),
]
