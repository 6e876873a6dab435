"""Storing an Excel upload so that a write that fails leaves nothing behind.

An upload holds a whole measure's participant data. If the disk is full (or the object store
refuses) while it is written, the partial file is removed and no job row is created; the
user reads a German message instead of a 500. Before that, the upload page checks the free
space of the private storage (and of the folder Django streams uploads into) and refuses
uploads below AQB_MIN_FREE_UPLOAD_SPACE, so that one full disk does not turn every later
upload into a half-written file.
"""

import errno
import logging
import shutil
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ..models import ImportJob, ImportJobKind

log = logging.getLogger(__name__)


class UploadNotStored(Exception):
    """The upload could not be written; `message` says so in German. Nothing was kept."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def disk_full_message():
    return _("Der Speicherplatz ist voll: die Datei konnte nicht gespeichert werden, es wurde nichts übernommen. "
             "Bitte versuchen Sie es später erneut und informieren Sie die Betreuung des Portals.")


def _local_folders():
    """The folders on this machine that an upload is written to: Django's temporary upload folder, the private storage."""
    folders = []
    if settings.FILE_UPLOAD_TEMP_DIR:
        folders.append(Path(settings.FILE_UPLOAD_TEMP_DIR))
    storage = ImportJob._meta.get_field("file").storage
    if storage.is_local:
        folders.append(Path(storage.location))
    return folders


def free_upload_space():
    """Free bytes where uploads are written (the smallest of the local folders); None for an object store only."""
    free = []
    for folder in _local_folders():
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent  # not created yet: the disk it will be on
        try:
            free.append(shutil.disk_usage(existing).free)
        except OSError:
            continue
    return min(free) if free else None


def space_problem():
    """A German message when the free space is below AQB_MIN_FREE_UPLOAD_SPACE, else None."""
    free = free_upload_space()
    if free is None or free >= settings.AQB_MIN_FREE_UPLOAD_SPACE:
        return None
    log.error("Upload refused: only %d bytes free for uploads (AQB_MIN_FREE_UPLOAD_SPACE=%d).",
              free, settings.AQB_MIN_FREE_UPLOAD_SPACE)
    return _("Der Speicherplatz des Portals ist fast voll (noch %(free)s frei). Uploads sind deshalb im Moment nicht "
             "möglich. Bitte versuchen Sie es später erneut und informieren Sie die Betreuung des Portals.") % {
        "free": filesizeformat(free)}


def store_upload(measure, user, upload, *, kind=ImportJobKind.PARTICIPANTS):
    """Write the upload to the private storage and create its job; on failure neither file nor job is left.

    `measure` is None for the RP's measure import (kind MEASURES).
    Raises UploadNotStored with a German message (disk full, write error).
    """
    job = ImportJob(measure=measure, kind=kind, user=user, original_name=upload.name[:255])
    field = job.file.field
    storage = field.storage
    name = storage.get_available_name(field.generate_filename(job, upload.name), max_length=field.max_length)
    try:
        stored = storage.save(name, upload, max_length=field.max_length)
    except OSError as error:
        _remove_partial(storage, name)
        log.error("Upload of %s for measure %s not stored: %s", upload.name, getattr(measure, "pk", None), error)
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise UploadNotStored(disk_full_message()) from error
        raise UploadNotStored(_("Die Datei konnte nicht gespeichert werden (Schreibfehler); es wurde nichts "
                                "übernommen. Bitte versuchen Sie es erneut.")) from error
    job.file.name = stored
    try:
        job.save()
    except BaseException:
        _remove_partial(storage, stored)  # no job names it: it must not stay
        raise
    return job


def _remove_partial(storage, name):
    try:
        if storage.exists(name):
            storage.delete(name)
    except OSError as error:  # the purge command finds it later as a file without a job
        log.error("Partial upload %s could not be removed: %s", name, error)


def discard_partial_upload(request):
    """Delete the temporary file of an upload the browser broke off (Django's parser keeps it open until the
    request is freed; the purge command would find it only an hour later)."""
    for handler in request.upload_handlers:
        partial = getattr(handler, "file", None)
        if partial is not None:
            try:
                partial.close()  # a TemporaryUploadedFile deletes itself on close
            except OSError as error:
                log.error("Partial upload could not be removed: %s", error)
