"""Board reports as tagged, accessible PDFs (PDF/UA-1 where WeasyPrint offers it).

The PDF is drawn from the same HTML fragment a board member reads in the hub
(``plans/report/body.html``), wrapped in ``plans/report/document.html`` (language
en-GB, the report's title) with the A4 print stylesheet ``plans/report/print.css``:
system fonts only, the title and page numbers in the footer, "DRAFT" in the header of a
report not yet issued. Nothing is fetched while rendering: the report holds no links to
images or stylesheets, and the URL fetcher refuses every URL but ``data:``.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


def _variant_options() -> dict:
    from weasyprint.pdf import VARIANTS

    if "pdf/ua-1" in VARIANTS:
        return {"pdf_variant": "pdf/ua-1"}
    return {"pdf_tags": True}


def document_html(*, body_html: str, title: str, author: str = "") -> str:
    """The standalone HTML document WeasyPrint lays out."""
    return render_to_string(
        "plans/report/document.html", {"body": body_html, "title": title, "author": author}
    )


def render_pdf(*, body_html: str, title: str, draft: bool, author: str = "") -> RenderedPdf:
    """The PDF of a report body and its page count. ``draft`` puts "DRAFT" in every
    page's header."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("data",))
    stylesheet = CSS(
        string=render_to_string("plans/report/print.css", {"draft": draft}),
        url_fetcher=fetcher,
    )
    html = HTML(
        string=document_html(body_html=body_html, title=title, author=author),
        base_url=str(settings.BASE_DIR),
        url_fetcher=fetcher,
    )
    options = {"stylesheets": [stylesheet], **_variant_options()}
    document = html.render(**options)
    return RenderedPdf(data=document.write_pdf(**options), pages=len(document.pages))
