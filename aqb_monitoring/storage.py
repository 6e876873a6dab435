"""Where uploaded participant data is kept: outside MEDIA_ROOT, without a public address.

MEDIA_ROOT is public (images are served from it), and an upload keeps its often guessable
name (``teilnehmende-vorlage.xlsx``). An Excel import holds a whole measure's participants
until it is taken or discarded, so it lives in the "private" storage of the settings and is
only ever read by the import's own views and tasks:

- by default on the disk below ``AQB_PRIVATE_ROOT`` (``LocalPrivateStorage``);
- with ``AQB_STORAGE=s3`` in a private bucket or below the prefix ``private/`` of the media
  bucket (django-storages), shared by every app server and task worker.

Either way the storage has no URL: ``url()`` refuses, so no template or view can link to it.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.deconstruct import deconstructible


class LocalPrivateStorage(FileSystemStorage):
    """A file system storage below AQB_PRIVATE_ROOT (read at each use, so tests can move it)."""

    @property
    def base_location(self):
        return str(settings.AQB_PRIVATE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private uploads have no public address.")


@deconstructible(path="aqb_monitoring.storage.PrivateStorage")
class PrivateStorage(Storage):
    """The storage of ImportJob.file: whatever STORAGES["private"] names, looked up at each use.

    A field's storage is fixed when the model class is built; looking the backend up per call
    lets the settings (and tests overriding them) decide, and keeps the migrations unchanged.
    """

    @property
    def backend(self):
        return storages["private"]

    @property
    def location(self):
        """The local folder of a file system backend (housekeeping walks it); None for an object store."""
        return getattr(self.backend, "location", None) if self.is_local else None

    @property
    def is_local(self):
        return isinstance(self.backend, FileSystemStorage)

    def _open(self, name, mode="rb"):
        return self.backend.open(name, mode)

    def _save(self, name, content):
        return self.backend.save(name, content)

    def get_valid_name(self, name):
        return self.backend.get_valid_name(name)

    def get_available_name(self, name, max_length=None):
        return self.backend.get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return self.backend.generate_filename(filename)

    def delete(self, name):
        return self.backend.delete(name)

    def exists(self, name):
        return self.backend.exists(name)

    def listdir(self, path):
        return self.backend.listdir(path)

    def size(self, name):
        return self.backend.size(name)

    def path(self, name):
        return self.backend.path(name)

    def get_accessed_time(self, name):
        return self.backend.get_accessed_time(name)

    def get_created_time(self, name):
        return self.backend.get_created_time(name)

    def get_modified_time(self, name):
        return self.backend.get_modified_time(name)

    def url(self, name):
        raise ValueError("Private uploads have no public address.")
