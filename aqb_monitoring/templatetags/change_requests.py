"""The measure page's block of change requests (handbook chapter 4): shown to the RP and the measure's
grant recipient (with the link to ask for a change); providers see nothing of it."""

from django import template
from django.urls import reverse

from .. import permissions
from ..models import ChangeRequest
from ..services.change_requests import field_label, may_request, shown_proposal

register = template.Library()


@register.inclusion_tag("aqb_monitoring/reports/change_request_block.html", takes_context=True)
def change_request_block(context, measure):
    request = context.get("request")
    user = getattr(request, "user", None)
    is_rp = permissions.is_authority(user)
    own = not is_rp and may_request(user, measure)
    if not (is_rp or own):
        return {"show": False}
    rows = [{"change_request": change_request, "field_label": field_label(change_request.field_name),
             "proposed": shown_proposal(change_request)}
            for change_request in ChangeRequest.objects.filter(measure=measure).order_by("-requested_at", "-id")]
    return {
        "show": True,
        "rows": rows,
        "add_url": reverse("aqb_reports:change_request_add", args=[measure.pk]) if own and not measure.is_closed else "",
    }
