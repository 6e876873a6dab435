"""Tests that drive Debian's Chromium through Playwright (marker `browser`); fixtures in tests/conftest.py."""
