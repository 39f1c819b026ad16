"""Supporting documents on disk: checked, stored privately, found again safely.

- Only PDF, DOCX, XLSX, ODT, PNG and JPEG are taken, and a file must be what its name says:
  the extension is checked against an allow-list AND the first bytes (and, for the zip-based
  office formats, the parts inside) against what that type must contain. A ``.pdf`` that is
  really a program is refused.
- Size is capped by ``HUB_GRANT_DOCUMENT_MAX_BYTES`` (10 MB unless set).
- Files live under ``MEDIA_ROOT/private/grants``, which no URL serves, under a random name
  (``uuid4().hex`` plus the allowed extension). The name the person gave is kept only for
  display, with any path removed; it never reaches the file system.
- A SHA-256 of the content is recorded, so a file can later be shown to be the one uploaded.
"""

import contextlib
import hashlib
import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

_ZIP = b"PK\x03\x04"


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str
    magic: tuple[bytes, ...]
    # For zip-based formats: a part the archive must contain, or the exact "mimetype" entry.
    zip_part: str = ""
    odf_mimetype: str = ""


_PDF = FileType("PDF", "application/pdf", (b"%PDF-",))
_DOCX = FileType(
    "Word document (DOCX)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (_ZIP,),
    zip_part="word/document.xml",
)
_XLSX = FileType(
    "Excel spreadsheet (XLSX)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (_ZIP,),
    zip_part="xl/workbook.xml",
)
_ODT = FileType(
    "OpenDocument text (ODT)",
    "application/vnd.oasis.opendocument.text",
    (_ZIP,),
    odf_mimetype="application/vnd.oasis.opendocument.text",
)
_PNG = FileType("PNG image", "image/png", (b"\x89PNG\r\n\x1a\n",))
_JPEG = FileType("JPEG image", "image/jpeg", (b"\xff\xd8\xff",))

ALLOWED_TYPES: dict[str, FileType] = {
    ".pdf": _PDF,
    ".docx": _DOCX,
    ".xlsx": _XLSX,
    ".odt": _ODT,
    ".png": _PNG,
    ".jpg": _JPEG,
    ".jpeg": _JPEG,
}
ALLOWED_DESCRIPTION = "PDF, DOCX, XLSX, ODT, PNG or JPEG"

_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(?:pdf|docx|xlsx|odt|png|jpg|jpeg)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNSAFE_DISPLAY = re.compile(r"[<>:\"|?*;]")


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str


def max_bytes() -> int:
    return int(getattr(settings, "HUB_GRANT_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def storage_dir() -> Path:
    """Where documents live: outside the web root, never served by URL."""
    return Path(settings.MEDIA_ROOT) / "private" / "grants"


def _size_text(size: int) -> str:
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} bytes"


def display_name(name: str) -> str:
    """The uploaded name made safe to show and to offer back: no folders, no control
    characters, at most 200 characters (keeping the extension)."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE_DISPLAY.sub("", _CONTROL.sub(" ", name.replace("\x00", "")))
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: 199 - len(ext)]}.{ext}" if dot and len(ext) <= 5 else name[:200]
    return name


def download_name(name: str) -> str:
    """A plain ASCII file name for ``Content-Disposition``: letters, digits, spaces and
    ``. _ - ( )`` only."""
    ascii_name = (
        unicodedata.normalize("NFKD", display_name(name)).encode("ascii", "ignore").decode()
    )
    safe = re.sub(r"[^A-Za-z0-9 ._()\-]", "_", ascii_name).strip(" .") or "document"
    return safe


def _extension(name: str) -> str:
    _, dot, ext = name.rpartition(".")
    return f".{ext.lower()}" if dot else ""


def _check_zip(upload, file_type: FileType) -> bool:
    """Whether the zip archive in ``upload`` is the office format it claims to be. Reads the
    directory and, for ODF, the tiny ``mimetype`` entry only: never the whole archive."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if file_type.zip_part:
                return file_type.zip_part in names
            if "mimetype" not in names:
                return False
            with archive.open("mimetype") as entry:
                return entry.read(100).strip() == file_type.odf_mimetype.encode()
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError):
        return False
    finally:
        upload.seek(0)


def check_upload(upload) -> tuple[str, FileType]:
    """The safe display name and the type of ``upload``, or ``ValidationError`` keyed
    ``file`` saying what is wrong."""
    if upload is None:
        raise ValidationError({"file": "Select a file to upload"})
    name = display_name(getattr(upload, "name", ""))
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": "The selected file is empty"})
    limit = max_bytes()
    if size > limit:
        raise ValidationError(
            {"file": f"The selected file must be smaller than {_size_text(limit)}"}
        )
    file_type = ALLOWED_TYPES.get(_extension(name))
    if file_type is None:
        raise ValidationError({"file": f"The selected file must be a {ALLOWED_DESCRIPTION}"})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in file_type.magic) or (
        head.startswith(_ZIP) and not _check_zip(upload, file_type)
    ):
        raise ValidationError(
            {
                "file": f"The selected file is not a real {file_type.label}: its content does "
                "not match its name. Save it again in that format, or choose another file"
            }
        )
    return name or f"document{_extension(name)}", file_type


def store_upload(upload) -> StoredFile:
    """Check ``upload`` and write it under a new random name. The caller records the result
    and, if that fails, calls ``delete_stored`` so no orphan is left."""
    name, file_type = check_upload(upload)
    directory = storage_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stored_name = f"{uuid.uuid4().hex}{_extension(name)}"
    path = directory / stored_name
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    # O_EXCL: never overwrite anything, however unlikely a clash of random names.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in upload.chunks():
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return StoredFile(
        stored_name=stored_name,
        original_name=name,
        content_type=file_type.content_type,
        size=size,
        sha256=digest.hexdigest(),
    )


def stored_path(stored_name: str) -> Path:
    """The file for ``stored_name``, refusing anything that is not one of our own names."""
    if not _STORED_NAME.match(stored_name or ""):
        raise FileNotFoundError("Not a stored document name")
    return storage_dir() / stored_name


def delete_stored(stored_name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        stored_path(stored_name).unlink(missing_ok=True)
