"""Photo and document uploads: the service's type and size checks, shown on the form."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from tiyu.backoffice.tests.conftest import audit_count, png_bytes
from tiyu.core.models import AuditEntry
from tiyu.venues.models import VenueDocument, VenuePhoto

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def photos_url(world) -> str:
    return f"/manage/venues/{world.wuhou_hall.pk}/photos/"


def documents_url(world) -> str:
    return f"/manage/venues/{world.wuhou_hall.pk}/documents/"


def test_manager_uploads_a_photo(world, as_persona, media):
    upload = SimpleUploadedFile("hall.png", png_bytes(), content_type="image/png")
    response = as_persona("manager").post(photos_url(world), {"image": upload, "caption": "外景"})
    assert response.status_code == 302
    photo = VenuePhoto.objects.get(venue=world.wuhou_hall)
    assert photo.caption == "外景"
    assert len(stored_files(media)) == 1
    assert AuditEntry.objects.filter(action="venue.photo_added").count() == 1


def test_oversize_photo_is_refused_and_nothing_is_saved(world, as_persona, media, settings):
    settings.UPLOAD_MAX_BYTES = 100
    data = png_bytes(64)
    assert len(data) > 100
    audits = audit_count()
    upload = SimpleUploadedFile("big.png", data, content_type="image/png")
    response = as_persona("manager").post(photos_url(world), {"image": upload})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-error-code="upload_too_large"' in body
    assert 'data-field-error="image"' in body
    assert not VenuePhoto.objects.exists()
    assert stored_files(media) == []
    assert audit_count() == audits


def test_text_named_jpg_is_refused(world, as_persona, media):
    audits = audit_count()
    upload = SimpleUploadedFile(
        "photo.jpg", b"just some text, not a JPEG", content_type="image/jpeg"
    )
    response = as_persona("manager").post(photos_url(world), {"image": upload})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-error-code="upload_wrong_type"' in body
    assert 'data-field-error="image"' in body
    assert not VenuePhoto.objects.exists()
    assert stored_files(media) == []
    assert audit_count() == audits


def test_pdf_is_not_a_photo(world, as_persona):
    upload = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    response = as_persona("manager").post(photos_url(world), {"image": upload})
    assert response.status_code == 400
    assert 'data-error-code="upload_wrong_type"' in response.content.decode()
    assert not VenuePhoto.objects.exists()


def test_missing_file_is_a_form_error(world, as_persona):
    response = as_persona("manager").post(photos_url(world), {"caption": "x"})
    assert response.status_code == 400
    assert 'data-field-error="image"' in response.content.decode()
    assert not VenuePhoto.objects.exists()


def test_manager_removes_a_photo(world, as_persona, media):
    client = as_persona("manager")
    upload = SimpleUploadedFile("hall.png", png_bytes(), content_type="image/png")
    client.post(photos_url(world), {"image": upload})
    photo = VenuePhoto.objects.get()
    remove = f"{photos_url(world)}{photo.pk}/remove/"
    # An official of the district reads the venue but cannot delete its photos.
    assert as_persona("wuhou_official").post(remove).status_code == 404
    assert VenuePhoto.objects.filter(pk=photo.pk).exists()
    assert len(stored_files(media)) == 1
    client = as_persona("manager")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(remove)
    assert response.status_code == 302
    assert not VenuePhoto.objects.exists()
    assert stored_files(media) == []
    assert AuditEntry.objects.filter(action="venue.photo_removed").count() == 1


@pytest.mark.parametrize("kind", ["drawing", "inspection", "acceptance", "indoor_map"])
def test_manager_uploads_a_document_of_each_kind(world, as_persona, kind):
    upload = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
    response = as_persona("manager").post(
        documents_url(world), {"kind": kind, "title": "验收报告", "file": upload}
    )
    assert response.status_code == 302
    doc = VenueDocument.objects.get()
    assert (doc.kind, doc.title) == (kind, "验收报告")
    assert AuditEntry.objects.filter(action="venue.document_added").count() == 1


def test_document_may_be_an_image(world, as_persona):
    upload = SimpleUploadedFile("map.png", png_bytes(), content_type="image/png")
    response = as_persona("manager").post(
        documents_url(world), {"kind": "indoor_map", "title": "室内地图", "file": upload}
    )
    assert response.status_code == 302
    assert VenueDocument.objects.count() == 1


def test_text_named_pdf_is_refused(world, as_persona, media):
    audits = audit_count()
    upload = SimpleUploadedFile("report.pdf", b"not a pdf", content_type="application/pdf")
    response = as_persona("manager").post(
        documents_url(world), {"kind": "inspection", "title": "检测报告", "file": upload}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-error-code="upload_wrong_type"' in body
    assert 'data-field-error="file"' in body
    assert not VenueDocument.objects.exists()
    assert stored_files(media) == []
    assert audit_count() == audits


def test_oversize_document_is_refused(world, as_persona, settings, media):
    settings.UPLOAD_MAX_BYTES = 10
    upload = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
    response = as_persona("manager").post(
        documents_url(world), {"kind": "inspection", "title": "检测报告", "file": upload}
    )
    assert response.status_code == 400
    assert 'data-error-code="upload_too_large"' in response.content.decode()
    assert not VenueDocument.objects.exists()
    assert stored_files(media) == []


def test_unknown_document_kind_is_refused(world, as_persona):
    upload = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
    response = as_persona("manager").post(
        documents_url(world), {"kind": "novel", "title": "x", "file": upload}
    )
    assert response.status_code == 400
    assert 'data-field-error="kind"' in response.content.decode()
    assert not VenueDocument.objects.exists()


@pytest.mark.parametrize("persona", ["staff", "wuhou_official", "chongqing_official"])
def test_only_managers_upload(world, as_persona, persona, media):
    upload = SimpleUploadedFile("hall.png", png_bytes(), content_type="image/png")
    audits = audit_count()
    response = as_persona(persona).post(photos_url(world), {"image": upload})
    assert response.status_code == 404
    assert not VenuePhoto.objects.exists()
    assert stored_files(media) == []
    assert audit_count() == audits
