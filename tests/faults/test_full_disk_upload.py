"""Fault (c): the disk fills up, or the browser goes away, while an Excel upload is stored (issue 14, item 6).

Before: a 500, a truncated file of personal data with no job pointing to it, and every later
upload failing too. Now (excel/storing.py): the partial file is removed, no job row is
created, the user reads a German message; below AQB_MIN_FREE_UPLOAD_SPACE the page says so
instead of accepting the upload; uploads stream to FILE_UPLOAD_TEMP_DIR below the private
folder, never the system /tmp.
"""

import errno
import gc
import io
import shutil
from collections import namedtuple
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from aqb_monitoring.excel import storing
from aqb_monitoring.models import ImportJob
from aqb_monitoring.storage import LocalPrivateStorage
from aqb_site import settings as project_settings

from ..excel_files import workbook_bytes, yellow_row
from .conftest import files_below

pytestmark = pytest.mark.django_db

DISK_FULL = ("Der Speicherplatz ist voll: die Datei konnte nicht gespeichert werden, es wurde nichts übernommen. "
             "Bitte versuchen Sie es später erneut und informieren Sie die Betreuung des Portals.")
Usage = namedtuple("Usage", "total used free")


@pytest.fixture
def upload_page(client, private_root, ze_kassel, measure_a):
    client.force_login(ze_kassel)
    return reverse("aqb_excel:measure_import", args=[measure_a.pk])


def workbook(measure, rows=3):
    return SimpleUploadedFile("teilnehmende.xlsx", workbook_bytes(
        [yellow_row(measure, f"TN-{number}") for number in range(1, rows + 1)]))


def fill_disk_after(monkeypatch, written_bytes):
    """The private storage writes `written_bytes` of the file, then the disk is full (ENOSPC), as a real write fails."""
    real_save = LocalPrivateStorage._save

    def save(storage, name, content):
        path = Path(storage.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        content.seek(0)
        path.write_bytes(content.read(written_bytes))
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(LocalPrivateStorage, "_save", save)
    return lambda: monkeypatch.setattr(LocalPrivateStorage, "_save", real_save)


def test_a_full_disk_leaves_no_partial_file_and_no_job_and_says_so_in_german(client, upload_page, monkeypatch,
                                                                           private_root, measure_a):
    disk_freed = fill_disk_after(monkeypatch, 1000)
    response = client.post(upload_page, {"file": workbook(measure_a)})
    assert response.status_code == 200
    assert DISK_FULL in response.content.decode()
    assert not ImportJob.objects.exists()
    assert files_below(private_root) == []

    disk_freed()  # the next upload, once there is room again, works as before
    response = client.post(upload_page, {"file": workbook(measure_a)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "preview"
    assert files_below(private_root) == [job.file.name]


def test_another_write_error_is_reported_in_german_and_leaves_nothing(client, upload_page, monkeypatch,
                                                                    private_root, measure_a):
    def save(storage, name, content):
        Path(storage.path(name)).parent.mkdir(parents=True, exist_ok=True)
        Path(storage.path(name)).write_bytes(b"PK\x03\x04")
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(LocalPrivateStorage, "_save", save)
    page = client.post(upload_page, {"file": workbook(measure_a)}).content.decode()
    assert "Die Datei konnte nicht gespeichert werden (Schreibfehler); es wurde nichts übernommen." in page
    assert not ImportJob.objects.exists() and files_below(private_root) == []


def test_a_job_row_that_cannot_be_written_takes_its_file_with_it(upload_page, monkeypatch, private_root, ze_kassel,
                                                                measure_a):
    def save(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(ImportJob, "save", save)
    with pytest.raises(RuntimeError):
        storing.store_upload(measure_a, ze_kassel, workbook(measure_a))
    assert files_below(private_root) == []


def test_below_the_free_space_threshold_the_page_refuses_uploads_in_german(client, upload_page, settings, monkeypatch,
                                                                         private_root, measure_a):
    settings.AQB_MIN_FREE_UPLOAD_SPACE = 500 * 1024 * 1024
    monkeypatch.setattr(storing.shutil, "disk_usage", lambda path: Usage(10**12, 10**12 - 200 * 1024**2, 200 * 1024**2))
    page = client.get(upload_page).content.decode()
    assert "Der Speicherplatz des Portals ist fast voll (noch 200,0\xa0MB frei)." in page
    assert "Uploads sind deshalb im Moment nicht möglich." in page
    assert 'type="file"' not in page

    page = client.post(upload_page, {"file": workbook(measure_a)}).content.decode()
    assert "Der Speicherplatz des Portals ist fast voll" in page
    assert not ImportJob.objects.exists() and files_below(private_root) == []


def test_above_the_threshold_the_page_offers_the_upload(client, upload_page, settings, monkeypatch):
    settings.AQB_MIN_FREE_UPLOAD_SPACE = 500 * 1024 * 1024
    monkeypatch.setattr(storing.shutil, "disk_usage", lambda path: Usage(10**12, 0, 600 * 1024**2))
    page = client.get(upload_page).content.decode()
    assert 'type="file"' in page and "Speicherplatz" not in page


def test_the_free_space_is_measured_where_uploads_are_written(settings, private_root, monkeypatch):
    measured = []
    real = shutil.disk_usage
    monkeypatch.setattr(storing.shutil, "disk_usage", lambda path: measured.append(Path(path)) or real(path))
    assert storing.free_upload_space() > 0
    assert Path(settings.FILE_UPLOAD_TEMP_DIR) in measured
    assert any(private_root == path or private_root in path.parents or path in private_root.parents
               for path in measured)


def test_uploads_stream_to_the_private_temporary_folder_never_the_system_tmp(client, upload_page, settings,
                                                                            monkeypatch, private_root, measure_a):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100  # every workbook is streamed to a temporary file
    seen = []
    real_save = LocalPrivateStorage._save

    def save(storage, name, content):
        seen.append(Path(content.temporary_file_path()))
        return real_save(storage, name, content)

    monkeypatch.setattr(LocalPrivateStorage, "_save", save)
    client.post(upload_page, {"file": workbook(measure_a)})
    assert seen and seen[0].parent == Path(settings.FILE_UPLOAD_TEMP_DIR)
    assert ImportJob.objects.get().status == "preview"
    gc.collect()
    assert list(Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir()) == []  # the temporary copy is gone after the request


def test_the_default_temporary_folder_lies_below_the_private_folder_and_exists():
    temporary = Path(project_settings.FILE_UPLOAD_TEMP_DIR)
    assert Path(project_settings.AQB_PRIVATE_ROOT) in temporary.parents
    assert temporary.is_dir()
    assert Path(django_settings.FILE_UPLOAD_TEMP_DIR) == temporary  # the tests did not change it here


class BrokenUpload(io.BytesIO):
    """A request body whose sender goes away after `keep` bytes (the server's read fails)."""

    def __init__(self, body, keep):
        super().__init__(body)
        self.keep = keep

    def read(self, size=-1):
        if self.tell() >= self.keep:
            raise OSError(errno.ECONNRESET, "Connection reset by peer")
        return super().read(min(size, self.keep - self.tell()) if size and size > 0 else self.keep - self.tell())


def test_a_browser_gone_mid_upload_leaves_no_file_and_no_job(client, upload_page, settings, private_root, measure_a):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100
    body = encode_multipart(BOUNDARY, {"file": workbook(measure_a, rows=200)})
    assert len(body) > 8000
    response = client.generic("POST", upload_page, body, content_type=MULTIPART_CONTENT,
                              **{"wsgi.input": BrokenUpload(body, keep=len(body) // 2)})
    assert response.status_code == 400
    assert "Die Übertragung der Datei wurde abgebrochen." in response.content.decode()
    gc.collect()
    assert not ImportJob.objects.exists()
    assert files_below(private_root) == []
