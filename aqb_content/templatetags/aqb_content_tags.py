"""Template tags of the public site: navigation from the page tree, file labels, phone links."""

import re

from django import template
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

register = template.Library()


def _site_root(context):
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    return site.root_page if site is not None else None


@register.inclusion_tag("aqb_content/tags/main_menu.html", takes_context=True)
def main_menu(context):
    """Children of the home page with "show in menus", the current section marked."""
    root = _site_root(context)
    current = context.get("page")
    items = []
    if root is not None:
        for child in root.get_children().live().public().in_menu():
            active = current is not None and current.path.startswith(child.path)
            items.append({"page": child, "active": active, "current": current is not None and current.pk == child.pk})
    return {"items": items, "request": context.get("request")}


@register.inclusion_tag("aqb_content/tags/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    """The way from the home page to the current page; nothing on the home page itself."""
    page = context.get("page")
    root = _site_root(context)
    if page is None or root is None or page.pk == root.pk or not page.path.startswith(root.path):
        return {"crumbs": [], "request": context.get("request")}
    ancestors = Page.objects.ancestor_of(page).filter(depth__gte=root.depth).order_by("depth")
    return {"crumbs": list(ancestors), "page": page, "request": context.get("request")}


@register.filter
def file_size(num_bytes):
    """Size in KB (at least 1) or MB with one decimal, German notation."""
    if num_bytes is None:
        return ""
    if num_bytes < 1024 * 1024:
        return f"{max(1, round(num_bytes / 1024))} KB"
    return f"{num_bytes / (1024 * 1024):.1f} MB".replace(".", ",")


@register.filter
def document_label(document):
    """'PDF, 12 KB': what a reader should know before downloading (BITV: purpose and format)."""
    extension = (document.file_extension or "").upper() or _("Datei")
    try:
        size = document.get_file_size()
    except OSError:
        size = None
    if size is None:
        return extension
    return f"{extension}, {file_size(size)}"


@register.filter
def tel_href(number):
    """'0561 106-4092' → 'tel:+495611064092', so phones can dial it."""
    digits = re.sub(r"[^\d+]", "", number or "")
    if digits.startswith("0") and not digits.startswith("00"):
        digits = "+49" + digits[1:]
    return f"tel:{digits}"


@register.filter
def shows_contact(page, contact):
    """True if a contact block of `page`'s body shows `contact`: the footer then does not repeat it."""
    body = getattr(page, "body", None)
    if body is None or contact is None:
        return False
    return any(
        block.block_type == "contact"
        and block.value.get("contact") is not None
        and block.value["contact"].pk == contact.pk
        for block in body
    )
