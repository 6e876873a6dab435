"""measures.py: the measure rules that are not write paths of their own (the write paths: test_services_measures.py
and test_measure_write_paths.py)."""

from aqb_monitoring.measures import recording_participants
from aqb_monitoring.models import Measure

from .conftest import make_measure


def test_only_measures_whose_type_records_participants_are_recording(kassel, measure_a, measure_a2):
    make_measure("AQB26-KS-M4-01", kassel, type_code="M4")
    assert set(recording_participants(Measure.objects.all())) == {measure_a, measure_a2}
    assert list(recording_participants(Measure.objects.filter(pk=measure_a.pk))) == [measure_a]  # keeps the given set
