"""Admin registration of the public site's snippets."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Contact


class ContactViewSet(SnippetViewSet):
    """Contacts get their own menu item: RP editors find them without opening "Snippets"."""

    model = Contact
    icon = "user"
    menu_label = _("Kontakte")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["name", "organisation_unit", "email"]
    # Plain ORM filtering: works the same on SQLite and PostgreSQL, no index to keep.
    search_fields = ["name", "organisation_unit", "email"]
    search_backend_name = None


register_snippet(ContactViewSet)
