"""Demo content of the public site, built in code (see `manage.py seed_demo`)."""


def seed_content(report):
    """Build the page tree, contacts, news and documents (filled in by the public-site work)."""
