"""RP oversight: completeness board, reminders and statistics across all grant recipients."""
