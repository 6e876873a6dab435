"""Complete participant values for the rule, status, service and form tests."""

import datetime

from aqb_monitoring.models import (
    Benefit,
    Destination,
    EducationLevel,
    EmploymentStatus,
    ExitReason,
    Gender,
    ParticipantGoal,
    SchoolAttendance,
    UnemploymentRegistration,
)
from aqb_monitoring.services.participants import ImportRow, version_of
from aqb_monitoring.validation import RuleContext, validate_participant, values_from_participant


def entry_values(measure, **overrides):
    """Every entry field of §3 filled with a valid value (no answers, no TN-Ziel)."""
    values = {
        "pseudonym": "TN-001",
        "entry_date": measure.start_date + datetime.timedelta(days=31),
        "gender": Gender.objects.get(code="weiblich"),
        "birth_year": measure.start_date.year - 20,
        "migration_background": False,
        "severely_disabled": False,
        "children_in_household": False,
        "single_parent": False,
        "school_attendance": SchoolAttendance.objects.get(code="keine-schule"),
        "education_level": EducationLevel.objects.get(code="hauptschule"),
        "employment_status": EmploymentStatus.objects.get(code="nicht-erwerbstaetig"),
        "unemployment_registration": UnemploymentRegistration.objects.get(code="jobcenter-sgb2"),
        "benefit": Benefit.objects.get(code="sgb2"),
    }
    if measure.measure_type.requires_participant_goal:
        values["goal"] = ParticipantGoal.objects.get(code="vermittlung-ausbildung")
    values.update(overrides)
    return values


def all_answers(measure, goal=None, value=True):
    """An answer to every active question of the blocks that apply (DOMAIN §5)."""
    context = RuleContext.for_measure(measure, with_pseudonyms={})
    return {q.code: value for block in context.applicable_blocks(goal) for q in block.active_questions}


def exit_values(measure, **overrides):
    """A complete exit: left on the measure's end into a company apprenticeship."""
    values = {
        "exit_date": measure.end_date - datetime.timedelta(days=1),
        "destination": Destination.objects.get(code="betriebliche-ausbildung"),
        "completed_measure": True,
        "main_goal_reached": True,
    }
    if measure.measure_type.asks_exam_passed:
        values["exam_passed"] = True
    values.update(overrides)
    return values


def not_working_reason(code="sonstiger-grund"):
    return Destination.objects.get(code="nicht-erwerbstaetig"), ExitReason.objects.get(code=code)


def import_row(measure, participant, **changes):
    """A bulk import's row changing a stored participant, validated as the importer does, at its current version."""
    context = RuleContext.for_measure(measure)
    previous = values_from_participant(participant)
    result = validate_participant({**previous, **changes}, context=context, participant_id=participant.pk,
                                  previous=previous)
    assert not result.errors
    return ImportRow(values=result.values, status=str(result.status), participant_id=participant.pk,
                     version=version_of(participant))
