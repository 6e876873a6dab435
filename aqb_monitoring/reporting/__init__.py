"""Admin side of the reports to the RP (issue 12): the ZE's pre-check and submission, the report page
and its Excel download (`views.py`), and the RP's inbox, review and reopening (`review_views.py`).
The rules live in services/reports.py."""
