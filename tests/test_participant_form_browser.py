"""What only a browser shows: the participant form's blocks and exit-reason fields follow the choices."""

import pytest

from aqb_monitoring.models import Destination, ExitReason, ParticipantGoal
from tests.conftest import login_in_browser, make_measure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def visible(page, name):
    return page.locator(f"[name='{name}']").is_visible()


def test_blocks_and_exit_reason_follow_the_selection(page, live_server, kassel, provider_org_a, ze_kassel):
    measure = make_measure("AQB26-KS-M1-01", kassel, provider_org_a)
    login_in_browser(page, live_server, ze_kassel)
    page.goto(f"{live_server.url}/admin/monitoring/massnahmen/{measure.pk}/teilnehmende/neu/")

    assert not visible(page, "entry__ausbildungsreife-basiskenntnisse")
    assert not visible(page, "exit__rahmenbedingungen-mobilitaet")
    page.select_option("[name=goal]", str(ParticipantGoal.objects.get(code="ausbildungsreife").pk))
    assert visible(page, "entry__ausbildungsreife-basiskenntnisse")
    assert visible(page, "exit__ausbildungsreife-basiskenntnisse")
    assert not visible(page, "entry__rahmenbedingungen-mobilitaet")
    page.select_option("[name=goal]", str(ParticipantGoal.objects.get(code="stabilisierung").pk))
    assert visible(page, "entry__rahmenbedingungen-mobilitaet")
    assert not visible(page, "entry__ausbildungsreife-basiskenntnisse")

    assert not visible(page, "exit_reason") and not visible(page, "exit_reason_other")
    page.select_option("[name=destination]", str(Destination.objects.get(code="nicht-erwerbstaetig").pk))
    assert visible(page, "exit_reason") and not visible(page, "exit_reason_other")
    page.select_option("[name=exit_reason]", str(ExitReason.objects.get(code="sonstiger-grund").pk))
    assert visible(page, "exit_reason_other")
    page.select_option("[name=destination]", str(Destination.objects.get(code="sv-beschaeftigung").pk))
    assert not visible(page, "exit_reason") and not visible(page, "exit_reason_other")
