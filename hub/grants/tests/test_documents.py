"""Supporting documents: only real files of the allowed types and size are taken, they are
stored privately under random names, and only those who may see the application can
download them, as attachments."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hub.conftest import signed_in
from hub.grants import documents
from hub.grants.models import Application, Assignment, SupportingDocument
from hub.grants.services.applications import document_add
from hub.testing.factories import as_actor

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def store(private_media) -> Path:
    return Path(private_media) / "private" / "grants"


@pytest.fixture
def gina_client(gina):
    return signed_in(gina)


def _upload_url(application):
    return reverse("grants:application_section", args=[application.pk, "documents"])


def _upload(client, application, name, content, kind="accounts"):
    return client.post(
        _upload_url(application),
        {"action": "upload", "doc-kind": kind, "doc-file": SimpleUploadedFile(name, content)},
    )


def _stored_files(store: Path) -> list[Path]:
    return sorted(store.iterdir()) if store.exists() else []


@pytest.fixture
def document(application, bob_client):
    _upload(bob_client, application, "Accounts 2025.pdf", PDF)
    return SupportingDocument.objects.get()


# Taking a file -------------------------------------------------------------------------------


def test_a_pdf_is_stored_privately_under_a_random_name(
    application, bob, bob_client, store, settings
):
    response = _upload(bob_client, application, "Accounts 2025.pdf", PDF)
    assert response.status_code == 302
    document = SupportingDocument.objects.get()
    assert document.original_name == "Accounts 2025.pdf"
    assert document.kind == "accounts" and document.uploaded_by == bob
    assert document.content_type == "application/pdf" and document.size == len(PDF)
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.stored_name.endswith(".pdf") and len(document.stored_name) == 36
    assert "Accounts" not in document.stored_name
    (path,) = _stored_files(store)
    assert path.name == document.stored_name and path.read_bytes() == PDF
    assert path.stat().st_mode & 0o077 == 0  # readable by the hub only
    assert not str(path).startswith(str(settings.STATIC_ROOT))


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("constitution.docx", DOCX, "application/vnd.openxmlformats-officedocument"),
        ("budget.xlsx", XLSX, "application/vnd.openxmlformats-officedocument"),
        ("policy.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("photo.PNG", PNG, "image/png"),
        ("scan.jpeg", JPEG, "image/jpeg"),
        ("scan.jpg", JPEG, "image/jpeg"),
    ],
)
def test_each_allowed_type_is_taken(application, bob_client, name, content, content_type):
    assert _upload(bob_client, application, name, content).status_code == 302
    assert SupportingDocument.objects.get().content_type.startswith(content_type)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", EXE, "must be a PDF, DOCX, XLSX, ODT, PNG or JPEG"),
        ("page.html", b"<html><script>alert(1)</script></html>", "must be a PDF, DOCX"),
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "must be a PDF, DOCX"),
        ("passwd", b"root:x:0:0", "must be a PDF, DOCX"),
        ("accounts.pdf", EXE, "is not a real PDF: its content does not match its name"),
        ("accounts.pdf", b"<html>not a pdf</html>", "is not a real PDF"),
        ("photo.png", JPEG, "is not a real PNG image"),
        ("letter.docx", XLSX, "is not a real Word document"),
        ("letter.docx", b"PK\x03\x04 broken zip", "is not a real Word document"),
        ("sheet.xlsx", ODT, "is not a real Excel spreadsheet"),
        ("policy.odt", DOCX, "is not a real OpenDocument text"),
        ("empty.pdf", b"", "The selected file is empty"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(
    application, bob_client, store, name, content, message
):
    response = _upload(bob_client, application, name, content)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_doc-file"' in page and message in page
    assert not SupportingDocument.objects.exists()
    assert _stored_files(store) == []


def test_a_file_over_the_size_limit_is_refused(application, bob_client, store, settings):
    settings.HUB_GRANT_DOCUMENT_MAX_BYTES = 1024
    response = _upload(bob_client, application, "big.pdf", PDF + b"0" * 1024)
    assert response.status_code == 400
    assert "The selected file must be smaller than 1 KB" in response.content.decode()
    assert not SupportingDocument.objects.exists() and _stored_files(store) == []
    assert _upload(bob_client, application, "small.pdf", PDF).status_code == 302


def test_the_size_limit_is_10_mb_unless_set(settings):
    del settings.HUB_GRANT_DOCUMENT_MAX_BYTES
    assert documents.max_bytes() == 10 * 1024 * 1024


def test_a_missing_file_or_kind_is_named(application, bob_client):
    response = bob_client.post(_upload_url(application), {"action": "upload", "doc-kind": ""})
    page = response.content.decode()
    assert 'href="#id_doc-kind"' in page and 'href="#id_doc-file"' in page
    assert "Select a file to upload" in page
    assert not SupportingDocument.objects.exists()


# Names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\config.pdf", "config.pdf"),
        ("/var/www/index.pdf", "index.pdf"),
        ("report\x00.pdf", "report.pdf"),
        ('bad"name;.pdf', "badname.pdf"),
        ("  .hidden.pdf", "hidden.pdf"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_the_name_given_is_kept_for_display_only_without_any_path(given, shown):
    assert documents.display_name(given) == shown


def test_a_path_in_the_uploaded_name_never_reaches_the_disk(application, bob, store, tmp_path):
    upload = File(io.BytesIO(PDF), name="../../etc/passwd.pdf")
    document = document_add(
        actor=as_actor(bob), application=application, kind="other", upload=upload
    )
    assert document.original_name == "passwd.pdf"
    (path,) = _stored_files(store)
    assert path.name == document.stored_name and path.parent == store
    assert not list(tmp_path.rglob("passwd*"))


def test_a_path_sent_by_a_browser_is_dropped_too(application, bob_client, store):
    boundary = "hubboundary"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="action"\r\n\r\nupload\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="doc-kind"\r\n\r\nother\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="doc-file"; filename="../../etc/passwd.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = bob_client.post(
        _upload_url(application),
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 302
    document = SupportingDocument.objects.get()
    assert document.original_name == "passwd.pdf"
    assert [p.name for p in _stored_files(store)] == [document.stored_name]


def test_stored_names_that_are_not_ours_are_never_opened():
    for name in ("../../etc/passwd", "passwd", "0" * 32 + ".exe", "/etc/passwd.pdf"):
        with pytest.raises(FileNotFoundError):
            documents.stored_path(name)


def test_a_check_failure_raises_a_validation_error_keyed_by_file():
    with pytest.raises(ValidationError) as caught:
        documents.check_upload(File(io.BytesIO(EXE), name="invoice.pdf"))
    assert "file" in caught.value.message_dict


# Downloading ---------------------------------------------------------------------------------


def _download(client, document):
    return client.get(reverse("grants:document_download", args=[document.pk]))


def test_bob_downloads_his_document_as_an_attachment(document, bob_client):
    response = _download(bob_client, document)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="Accounts 2025.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_the_download_name_is_plain_and_safe(application, bob, bob_client):
    upload = File(io.BytesIO(PDF), name='Café "accounts"\r\nSet-Cookie: x.pdf')
    document = document_add(
        actor=as_actor(bob), application=application, kind="other", upload=upload
    )
    response = _download(bob_client, document)
    disposition = response["Content-Disposition"]
    assert disposition == 'attachment; filename="Cafe accounts Set-Cookie x.pdf"'
    assert "\r" not in disposition and "\n" not in disposition


@pytest.mark.parametrize("who", ["charlie", "dora", "alice"])
def test_others_cannot_download_bobs_documents(request, who, document):
    client = request.getfixturevalue(f"{who}_client")
    assert _download(client, document).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(document, client):
    response = _download(client, document)
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_grants_officers_and_assigned_assessors_may_download(
    document, application, gina_client, sam, tess
):
    assert _download(gina_client, document).status_code == 200
    application.status = Application.Status.SUBMITTED
    application.save()
    Assignment.objects.create(application=application, assessor=sam)
    Assignment.objects.create(
        application=application, assessor=tess, conflict_declared=True, conflict_reason="Trustee"
    )
    assert _download(signed_in(sam), document).status_code == 200
    assert _download(signed_in(tess), document).status_code == 404


def test_a_missing_file_is_404_not_an_error(document, store):
    (store / document.stored_name).unlink()
    assert _download(signed_in(document.uploaded_by), document).status_code == 404


# Removing ------------------------------------------------------------------------------------


def test_a_document_is_removed_from_a_draft_with_its_file(
    document, application, bob_client, store, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = bob_client.post(
            _upload_url(application), {"action": "remove", "document": document.pk}
        )
    assert response.status_code == 302
    assert not SupportingDocument.objects.exists()
    assert _stored_files(store) == []


def test_documents_of_a_submitted_application_cannot_be_removed(
    document, application, bob_client, store
):
    application.status = Application.Status.SUBMITTED
    application.save()
    bob_client.post(_upload_url(application), {"action": "remove", "document": document.pk})
    assert SupportingDocument.objects.filter(pk=document.pk).exists()
    assert len(_stored_files(store)) == 1
    _upload(bob_client, application, "late.pdf", PDF)
    assert SupportingDocument.objects.count() == 1


@pytest.mark.parametrize("who", ["charlie", "gina"])
def test_others_cannot_upload_to_or_remove_from_bobs_application(
    request, who, document, application, store
):
    client = request.getfixturevalue(f"{who}_client")
    assert _upload(client, application, "theirs.pdf", PDF).status_code in (403, 404)
    response = client.post(_upload_url(application), {"action": "remove", "document": document.pk})
    assert response.status_code in (403, 404)
    assert list(SupportingDocument.objects.values_list("original_name", flat=True)) == [
        "Accounts 2025.pdf"
    ]
    assert len(_stored_files(store)) == 1
