"""Every state change a user can trigger, one module per entity (as zulip's `actions`):
`participants` (save, bulk import, delete, carry-over), `measures` (save the master data, delete check,
reopen), `reports` (the four reports to the RP and its review); `common` holds the
refusal (`ServiceError`), the measure lock, the edit rule and the audit entry.

Each `do_*`/`save_*`/`delete_*` function is one transaction and has a `check_*` sibling that
returns the reasons it would fail, so views can show them before the user clicks.
"""

from .common import SHELL, STORED_FIELDS, ServiceError
from .measures import (
    check_delete_measure,
    check_reopen_measure,
    check_save_measure,
    do_reopen_measure,
    do_save_measure,
)
from .participants import (
    StaleRecord,
    carried_over_count,
    carry_over_candidates,
    check_carry_over,
    check_delete_participant,
    check_import_participants,
    check_save_participant,
    delete_participant,
    do_carry_over,
    import_participants,
    save_participant,
    validate_save_participant,
    version_of,
)
from .reports import check_review_report, check_submit_report, do_review_report, do_submit_report

__all__ = [
    "SHELL", "STORED_FIELDS", "ServiceError", "carried_over_count", "carry_over_candidates", "check_carry_over",
    "check_delete_participant", "check_import_participants", "check_reopen_measure", "check_save_participant",
    "delete_participant", "do_carry_over", "do_reopen_measure", "import_participants",
    "save_participant", "StaleRecord", "validate_save_participant", "version_of", "check_save_measure", "do_save_measure", "check_delete_measure",
    "check_submit_report", "do_submit_report", "check_review_report", "do_review_report",
]
