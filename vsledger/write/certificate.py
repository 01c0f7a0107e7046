"""`vsledger certificate`: a 志愿服务记录证明 as a printable PDF, numbered from a register.

What 《关于规范志愿服务记录证明工作的指导意见》(2015) asks a certificate to show:
the volunteer (name, ID type and number, volunteer number), the service (hours,
content), the issuer (name, person in charge, handler, contact), a certificate
number, and the date. Certificates are numbered `<unit>-<year>-<NNNN>` in
`ledgers/<unit>/certificates.yaml`, one line per certificate issued.
Chinese renders with reportlab's built-in CID font: nothing to download.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from vsledger.core.files import atomic_save
from vsledger.core.ledger import Workspace
from vsledger.core.model import Activity
from vsledger.core.personal import mask_id_number, mask_text
from vsledger.render.export import EXPORT_MARK
from vsledger.write.layout import flow_record
from vsledger.write.transaction import Change, append_line, apply_changes

REGISTER = "certificates.yaml"
_NUMBER = re.compile(r"number: ([a-z0-9-]+-\d{4}-(\d{4}))")


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


def next_number(root: Path, unit: str, year: int) -> str:
    """The next number of the year in the unit's register: unit-2024-0001, unit-2024-0002, …"""
    path = root / "ledgers" / unit / REGISTER
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    used = [int(m.group(2)) for m in _NUMBER.finditer(text) if m.group(1).startswith(f"{unit}-{year}-")]
    return f"{unit}-{year}-{max(used, default=0) + 1:04d}"


def build_certificate(
    workspace: Workspace, unit: str, volunteer_id: str, start: date, end: date, today: date,
    signer: str, handler: str, contact: str, unmask: bool,
) -> Certificate | None:  # fmt: skip
    ledger = workspace.units[unit]
    entry = ledger.volunteers.get(volunteer_id)
    if entry is None:
        return None
    volunteer = entry.volunteer
    served: list[tuple[Activity, Decimal]] = []
    for activity in sorted(ledger.effective_between(start, end), key=lambda a: (a.date, a.id)):
        for participant in activity.participants:
            if participant.volunteer == volunteer_id:
                served.append((activity, activity.hours_of(participant)))
    id_number = volunteer.id_number
    if id_number is not None and not unmask:
        id_number = mask_id_number(id_number)
    if not unmask:  # a number typed into a title or a place is masked on paper as everywhere
        served = [(a.model_copy(update={"title": mask_text(a.title), "location": mask_text(a.location)}), h) for a, h in served]
    return Certificate(
        number=next_number(workspace.root, unit, today.year), unit_name=ledger.name, volunteer_id=volunteer_id,
        name=volunteer.name, id_number=id_number, registration_no=volunteer.registration_no, start=start, end=end,
        hours=sum((h for _, h in served), Decimal(0)), activities=served, issued_on=today,
        signer=signer, handler=handler, contact=contact,
    )  # fmt: skip


def write_pdf(certificate: Certificate, path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))

    def draw(target: str) -> None:
        width, height = A4
        pdf = canvas.Canvas(target, pagesize=A4)
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

    atomic_save(path, draw)


def _hours(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


def register(root: Path, unit: str, certificate: Certificate, today: date) -> None:
    """One line in the unit's register; no personal number goes there."""
    record: dict[str, Any] = {
        "number": certificate.number, "volunteer": certificate.volunteer_id, "issued_on": certificate.issued_on,
        "from": certificate.start, "to": certificate.end, "hours": certificate.hours,
    }  # fmt: skip
    line = flow_record(record, tuple(record))
    rel = f"ledgers/{unit}/{REGISTER}"
    apply_changes(root, unit, [Change(rel, lambda old: append_line(old, line))], today)
