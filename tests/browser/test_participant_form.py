"""What only a browser shows: the participant form's blocks and exit-reason fields follow the choices."""

import pytest

from aqb_monitoring.models import Destination, ExitReason, ParticipantGoal
from tests.conftest import login_in_browser, make_measure, open_step_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose(page, name, value):
    open_step_of(page, name)
    page.select_option(f"[name={name}]", str(value))


def visible(page, name):
    return open_step_of(page, name) and page.locator(f"[name='{name}']").is_visible()


def test_blocks_and_exit_reason_follow_the_selection(page, live_server, kassel, provider_org_a, ze_kassel):
    measure = make_measure("AQB26-KS-M1-01", kassel, provider_org_a)
    login_in_browser(page, live_server, ze_kassel)
    page.goto(f"{live_server.url}/admin/monitoring/massnahmen/{measure.pk}/teilnehmende/neu/")

    assert not visible(page, "entry__ausbildungsreife-basiskenntnisse")
    assert not visible(page, "exit__rahmenbedingungen-mobilitaet")
    choose(page, "goal", ParticipantGoal.objects.get(code="ausbildungsreife").pk)
    assert visible(page, "entry__ausbildungsreife-basiskenntnisse")
    assert visible(page, "exit__ausbildungsreife-basiskenntnisse")
    assert not visible(page, "entry__rahmenbedingungen-mobilitaet")
    choose(page, "goal", ParticipantGoal.objects.get(code="stabilisierung").pk)
    assert visible(page, "entry__rahmenbedingungen-mobilitaet")
    assert not visible(page, "entry__ausbildungsreife-basiskenntnisse")

    assert not visible(page, "exit_reason") and not visible(page, "exit_reason_other")
    choose(page, "destination", Destination.objects.get(code="nicht-erwerbstaetig").pk)
    assert visible(page, "exit_reason") and not visible(page, "exit_reason_other")
    choose(page, "exit_reason", ExitReason.objects.get(code="sonstiger-grund").pk)
    assert visible(page, "exit_reason_other")
    choose(page, "destination", Destination.objects.get(code="sv-beschaeftigung").pk)
    assert not visible(page, "exit_reason") and not visible(page, "exit_reason_other")
