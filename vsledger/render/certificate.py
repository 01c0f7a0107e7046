"""The 志愿服务记录证明 as a printable PDF.

What 《关于规范志愿服务记录证明工作的指导意见》(2015) asks a certificate to show:
the volunteer (name, ID type and number, volunteer number), the service (hours,
content), the issuer (name, person in charge, handler, contact), a certificate
number, and the date. Chinese renders with reportlab's built-in CID font: nothing
to download. The number and the register are `write.certificate`'s.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from vsledger.core.model import Activity
from vsledger.render.export import EXPORT_MARK


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


def pdf_bytes(certificate: Certificate) -> bytes:
    """The certificate as a PDF file's bytes, so that it is written with its register line as one set."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))

    buffer = io.BytesIO()
    width, height = A4
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"志愿服务记录证明 {certificate.number}")
    pdf.setCreator(EXPORT_MARK)  # what lets a later --out replace it
    pdf.setFont(font, 22)
    pdf.drawCentredString(width / 2, height - 90, "志愿服务记录证明")
    pdf.setFont(font, 10)
    pdf.drawRightString(width - 60, height - 115, f"证明编号:{certificate.number}")
    y = height - 160
    pdf.setFont(font, 12)
    id_line = certificate.id_number or "未登记(personal.yaml 中没有此人的身份证号)"
    lines = [
        f"志愿者姓名:{certificate.name}",
        f"证件类型:居民身份证    证件号码:{id_line}",
        f"志愿者编号:{certificate.registration_no or '未登记'}",
        f"服务时间段:{certificate.start.isoformat()} 至 {certificate.end.isoformat()}",
        f"累计志愿服务时长:{_hours(certificate.hours)} 小时(共 {len(certificate.activities)} 次活动)",
        "服务内容:",
    ]
    for text in lines:
        pdf.drawString(70, y, text)
        y -= 24
    pdf.setFont(font, 10)
    shown = certificate.activities[:20]
    for activity, hours in shown:
        pdf.drawString(90, y, f"{activity.date.isoformat()}  {activity.title}  {activity.location}  {_hours(hours)} 小时")
        y -= 16
    if len(certificate.activities) > len(shown):
        pdf.drawString(90, y, f"……另有 {len(certificate.activities) - len(shown)} 次活动,详见台账")
        y -= 16
    y = min(y - 20, 230)
    pdf.setFont(font, 12)
    pdf.drawString(70, y, "特此证明。")
    for text in (
        f"出具单位:{certificate.unit_name}(盖章)",
        f"负责人:{certificate.signer or '________'}    经办人:{certificate.handler or '________'}",
        f"联系方式:{certificate.contact or '________'}",
        f"出具日期:{certificate.issued_on.year} 年 {certificate.issued_on.month} 月 {certificate.issued_on.day} 日",
    ):
        y -= 26
        pdf.drawString(300, y, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _hours(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")
