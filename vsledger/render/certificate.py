"""The 志愿服务记录证明 as a printable PDF.

What 《关于规范志愿服务记录证明工作的指导意见》(2015) asks a certificate to show:
the volunteer (name, ID type and number, volunteer number), the service (hours,
content), the issuer (name, person in charge, handler, contact), a certificate
number, and the date. The Chinese is set in a font embedded in the PDF when this
machine has one (`render.pdffont`), else in reportlab's STSong-Light, which the
reader's own font draws. The number and the register are `write.certificate`'s.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from vsledger.core.model import Activity
from vsledger.render.export import EXPORT_MARK
from vsledger.render.pdffont import FALLBACK, FontFile, registered


@dataclass
class Certificate:
    number: str
    unit_name: str
    volunteer_id: str
    name: str
    id_number: str | None
    registration_no: str | None
    start: date
    end: date
    hours: Decimal
    activities: list[tuple[Activity, Decimal]]
    issued_on: date
    signer: str
    handler: str
    contact: str


@dataclass(frozen=True)
class Text:
    """One line drawn on the page: where, how large, aligned how."""

    x: float
    y: float
    size: int
    text: str
    align: str = "left"  # left | centre | right


def layout(certificate: Certificate) -> list[Text]:
    """Every line of the certificate on an A4 page: what is drawn, and what the embedded font must hold."""
    from reportlab.lib.pagesizes import A4

    width, height = A4
    texts = [
        Text(width / 2, height - 90, 22, "志愿服务记录证明", "centre"),
        Text(width - 60, height - 115, 10, f"证明编号:{certificate.number}", "right"),
    ]
    y = height - 160
    # No number on file: a blank to fill in by hand, not a note about our files on a paper handed to the volunteer
    id_line = certificate.id_number or "_" * 22
    lines = [
        f"志愿者姓名:{certificate.name}",
        f"证件类型:居民身份证    证件号码:{id_line}",
        f"志愿者编号:{certificate.registration_no or '未登记'}",
        f"服务时间段:{certificate.start.isoformat()} 至 {certificate.end.isoformat()}",
        f"累计志愿服务时长:{_hours(certificate.hours)} 小时(共 {len(certificate.activities)} 次活动)",
        "服务内容:",
    ]
    for text in lines:
        texts.append(Text(70, y, 12, text))
        y -= 24
    shown = certificate.activities[:20]
    for activity, hours in shown:
        texts.append(Text(90, y, 10, f"{activity.date.isoformat()}  {activity.title}  {activity.location}  {_hours(hours)} 小时"))
        y -= 16
    if len(certificate.activities) > len(shown):
        texts.append(Text(90, y, 10, f"……另有 {len(certificate.activities) - len(shown)} 次活动,详见台账"))
        y -= 16
    y = min(y - 20, 230)
    texts.append(Text(70, y, 12, "特此证明。"))
    for text in (
        f"出具单位:{certificate.unit_name}(盖章)",
        f"负责人:{certificate.signer or '________'}    经办人:{certificate.handler or '________'}",
        f"联系方式:{certificate.contact or '________'}",
        f"出具日期:{certificate.issued_on.year} 年 {certificate.issued_on.month} 月 {certificate.issued_on.day} 日",
    ):
        y -= 26
        texts.append(Text(300, y, 12, text))
    return texts


def page_text(certificate: Certificate) -> str:
    """All the characters the certificate prints, for the font check."""
    return "".join(t.text for t in layout(certificate))


def pdf_bytes(certificate: Certificate, font: FontFile | None) -> bytes:
    """The certificate as a PDF file's bytes, so that it is written with its register line as one set.

    `font`: embedded as a subset of the characters printed; None: STSong-Light, by name only."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    texts = layout(certificate)
    if font is None:
        if FALLBACK not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
        return _draw(certificate, texts, FALLBACK)
    with registered(font, "".join(t.text for t in texts)) as name:
        return _draw(certificate, texts, name)


def _draw(certificate: Certificate, texts: list[Text], font: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, initialFontName=font)  # not Helvetica: a font named but never used
    pdf.setTitle(f"志愿服务记录证明 {certificate.number}")
    pdf.setCreator(EXPORT_MARK)  # what lets a later --out replace it
    for text in texts:
        pdf.setFont(font, text.size)
        draw = {"left": pdf.drawString, "centre": pdf.drawCentredString, "right": pdf.drawRightString}[text.align]
        draw(text.x, text.y, text.text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _hours(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


def template_text() -> str:
    """The Chinese every certificate prints, whoever it is for: what a font must draw to be used."""
    day = date(2000, 1, 1)
    blank = Certificate("", "", "", "", None, None, day, day, Decimal(0), [], day, "", "", "")
    return "".join(dict.fromkeys(c for c in page_text(blank) if ord(c) >= 0x2E80))
