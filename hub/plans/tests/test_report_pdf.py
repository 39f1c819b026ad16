"""Board reports as PDFs: tagged (PDF/UA), in en-GB, titled, drawn, and readable as text.

The PDFs are checked with poppler-utils (``pdfinfo``, ``pdftotext``, ``pdftoppm``). Where
they are missing the tests fail in CI and are skipped, saying why, on a developer's machine.
"""

import hashlib
import os
import re
import shutil
import subprocess
import zlib
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from hub.conftest import signed_in
from hub.plans.heatmap import BANDS
from hub.plans.models import Meeting
from hub.plans.services import boards as services
from hub.plans.tests.test_risks import add_chesterfield_risks
from hub.testing.factories import as_actor

TITLE = "Health and Wellbeing Board – 12 May 2026: Covid-19 response and recovery"
RISK = "Partners are not able to work constructively together"


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} is needed to check PDFs: install poppler-utils")
        pytest.skip(f"{tool} is not installed (it comes with poppler-utils)")
    return path


def run(*args: str) -> bytes:
    return subprocess.run(args, check=True, capture_output=True, timeout=60).stdout


def pdf_text(path: Path, *pages: int) -> str:
    span = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    return run(poppler("pdftotext"), *span, str(path), "-").decode()


def pdf_info(path: Path) -> dict[str, str]:
    lines = run(poppler("pdfinfo"), str(path)).decode().splitlines()
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines)}


def pdf_objects(data: bytes) -> bytes:
    """The PDF with its compressed streams (object streams included) inflated."""
    parts = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def read_netpbm(path: Path) -> tuple[str, int, int, bytes]:
    """(magic, width, height, pixels) of a binary PGM (P5) or PPM (P6) with maxval 255."""
    data = path.read_bytes()
    tokens, pos = [], 0
    while len(tokens) < 4:
        match = re.compile(rb"\s*(#[^\n]*\n\s*)*(\S+)").match(data, pos)
        tokens.append(match.group(2))
        pos = match.end()
    magic, width, height, maxval = tokens[0].decode(), *map(int, tokens[1:])
    assert maxval == 255
    return magic, width, height, data[pos + 1 :]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def pete_client(pete):
    return signed_in(pete)


@pytest.fixture
def report(board, register, pete):
    add_chesterfield_risks(register, pete)
    meeting = Meeting.objects.create(board=board, held_on=date(2026, 5, 12))
    draft = services.report_start(actor=as_actor(pete), meeting=meeting)
    return services.report_update(
        actor=as_actor(pete),
        report=draft,
        summary="Recovery is under way.",
        recommendations="That the board notes the progress.",
    )


@pytest.fixture
def draft_pdf(dora_client, report, tmp_path) -> Path:
    response = dora_client.get(reverse("plans:report_pdf", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'inline; filename="health-and-wellbeing-board-2026-05-12-draft.pdf"'
    )
    path = tmp_path / "draft.pdf"
    path.write_bytes(response.content)
    return path


def test_a_draft_pdf_is_a_tagged_pdf_in_british_english_with_the_reports_title(draft_pdf):
    data = draft_pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    objects = pdf_objects(data)
    assert b"/StructTreeRoot" in objects
    assert b"/MarkInfo" in objects
    assert re.search(rb"/Lang\s*\(en-GB\)", objects)
    info = pdf_info(draft_pdf)
    assert info["Tagged"] == "yes"
    assert info["Title"] == TITLE
    assert info["Page size"].endswith("(A4)")


def test_a_draft_pdf_reads_as_text_with_draft_in_the_header_and_page_numbers(draft_pdf):
    text = pdf_text(draft_pdf)
    flat = " ".join(text.split())
    assert "Health and Wellbeing Board – 12 May 2026" in flat
    assert RISK in flat
    assert "DRAFT – not issued" in pdf_text(draft_pdf, 1)
    pages = int(pdf_info(draft_pdf)["Pages"])
    assert f"Page 1 of {pages}" in text
    assert "4. Risks" in flat and "6. Implications" in flat


def test_the_first_page_renders_to_a_picture_that_is_not_blank(draft_pdf, tmp_path):
    pdftoppm = poppler("pdftoppm")
    run(
        pdftoppm,
        "-png",
        "-r",
        "50",
        "-f",
        "1",
        "-l",
        "1",
        "-singlefile",
        str(draft_pdf),
        str(tmp_path / "page"),
    )
    png = (tmp_path / "page.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert abs(width - 413) <= 1 and abs(height - 585) <= 1  # A4 at 50 dots per inch
    run(
        pdftoppm,
        "-gray",
        "-r",
        "50",
        "-f",
        "1",
        "-l",
        "1",
        "-singlefile",
        str(draft_pdf),
        str(tmp_path / "page"),
    )
    magic, width, height, pixels = read_netpbm(tmp_path / "page.pgm")
    assert magic == "P5" and len(pixels) == width * height
    dark = sum(1 for p in pixels if p < 128)
    assert len(set(pixels)) > 10
    assert 0.005 < dark / len(pixels) < 0.5  # text on a white page, not blank nor black


def test_the_heat_maps_are_drawn_in_the_pdf_in_their_colours(draft_pdf, tmp_path):
    text = " ".join(pdf_text(draft_pdf).split())
    assert "Likelihood" in text and "High (score 6 to 9)" in text  # the SVG's own text
    run(poppler("pdftoppm"), "-r", "30", str(draft_pdf), str(tmp_path / "colour"))
    wanted = {tuple(int(band.fill[i : i + 2], 16) for i in (1, 3, 5)) for band in BANDS[3]}
    seen = set()
    for page in sorted(tmp_path.glob("colour*.ppm")):
        magic, _, _, pixels = read_netpbm(page)
        assert magic == "P6"
        seen |= {tuple(pixels[i : i + 3]) for i in range(0, len(pixels), 3)} & wanted
    assert seen == wanted  # every band's colour is on paper


def test_an_issued_pdf_is_the_stored_file_without_the_draft_mark(
    pete_client, dora_client, report, private_media, tmp_path
):
    assert (
        pete_client.post(
            reverse("plans:report_issue", args=[report.pk]), {"confirm": "on"}
        ).status_code
        == 302
    )
    report.refresh_from_db()
    stored = (Path(private_media) / report.issued_pdf_path).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == report.issued_sha256
    response = dora_client.get(reverse("plans:report_pdf", args=[report.pk]))
    served = b"".join(response.streaming_content)
    assert served == stored
    assert response["Content-Disposition"] == (
        'inline; filename="health-and-wellbeing-board-2026-05-12.pdf"'
    )
    path = tmp_path / "issued.pdf"
    path.write_bytes(served)
    text = " ".join(pdf_text(path).split())
    assert "DRAFT" not in text
    assert "Issued on" in text and RISK in text
    assert pdf_info(path)["Tagged"] == "yes"
