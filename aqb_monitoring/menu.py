"""Admin menu entries only the RP sees, optionally with a count of what waits ("Meldungseingang (3)")."""

from wagtail.admin.menu import MenuItem

from . import permissions


class AuthorityMenuItem(MenuItem):
    """Shown to the RP only; `count(request)`, when given, is appended to the label while it is not 0."""

    def __init__(self, label, url, *, count=None, **kwargs):
        super().__init__(label, url, **kwargs)
        self.count = count

    def is_shown(self, request):
        return permissions.is_authority(request.user)

    def render_component(self, request):
        component = super().render_component(request)
        number = self.count(request) if self.count else 0
        if number:
            component.label = f"{self.label} ({number})"
        return component
