"""The admin's "Benutzerkonto" page without what ZE and providers never need (issue 10, item 5).

Wagtail's account page offers theme, contrast, density and keyboard shortcuts; ZE and provider
clerks enter participant data and meet those only as noise. Wagtail has no setting to drop a
panel, so this view (at Wagtail's own address, routed before the admin's URLs in aqb_site/urls.py)
leaves the theme panel out for them; the RP keeps it. The language and time-zone panel is gone for
everyone through settings (one language, one time zone).
"""

from wagtail.admin.views.account import AccountView, ThemeSettingsPanel

from . import permissions


class PortalAccountView(AccountView):
    def get_panels(self):
        panels = super().get_panels()
        if permissions.is_tenant(self.request.user):
            panels = [panel for panel in panels if not isinstance(panel, ThemeSettingsPanel)]
        return panels
