"""Admin URLs and buttons of the Excel export, import and carry-over."""
