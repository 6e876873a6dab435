"""Where uploaded participant data is kept: outside MEDIA_ROOT, without a public address.

MEDIA_ROOT is served to anyone (by the web server in production, by `make run` in
development), and an upload keeps its often guessable name (``teilnehmende-vorlage.xlsx``).
An Excel import holds a whole measure's participants until it is taken or discarded, so it
lives under ``AQB_PRIVATE_ROOT`` and is only ever read by the import's own views and tasks.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """A file system storage below AQB_PRIVATE_ROOT (read at each use, so tests can move it)."""

    @property
    def base_location(self):
        return str(settings.AQB_PRIVATE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private uploads have no public address.")
