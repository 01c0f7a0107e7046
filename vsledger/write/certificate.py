"""`vsledger certificate`: the register of certificates and their numbers.

Certificates are numbered `<unit>-<year>-<NNNN>` in `ledgers/<unit>/certificates.yaml`,
one line per certificate issued. The number is chosen under the workspace lock, and
the register line and the PDF (`render.certificate`) are written as one set: ten
certificates issued at once get ten numbers, and a register line never lacks its PDF.
The font the PDF embeds is chosen here, once per command (`certificate_font`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from vsledger.core.hours import service_record
from vsledger.core.ledger import Workspace
from vsledger.core.personal import mask_id_number, mask_text
from vsledger.core.problems import Problem
from vsledger.read.loader import ABSENT, SETTINGS, workspace_setting
from vsledger.render.certificate import Certificate, pdf_bytes, template_text
from vsledger.render.export import exports_dir
from vsledger.render.pdffont import FontFile, FontRefused, open_font, system_font
from vsledger.write.layout import flow_record
from vsledger.write.transaction import Change, Plan, WriteRefused, append_change, transact

REGISTER = "certificates.yaml"
FONT_SETTING = "certificate_font"
_NUMBER = re.compile(r"number: ([a-z0-9-]+-\d{4}-(\d{4}))")


def next_number(root: Path, unit: str, year: int) -> str:
    """The next number of the year in the unit's register: unit-2024-0001, unit-2024-0002, …"""
    path = root / "ledgers" / unit / REGISTER
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    used = [int(m.group(2)) for m in _NUMBER.finditer(text) if m.group(1).startswith(f"{unit}-{year}-")]
    return f"{unit}-{year}-{max(used, default=0) + 1:04d}"


def build_certificate(
    workspace: Workspace, unit: str, volunteer_id: str, start: date, end: date, today: date,
    signer: str, handler: str, contact: str, unmask: bool, number: str = "",
) -> Certificate | None:  # fmt: skip
    ledger = workspace.units[unit]
    entry = ledger.volunteers.get(volunteer_id)
    if entry is None:
        return None
    volunteer = entry.record
    served = service_record(ledger, volunteer_id, start, end)
    id_number = volunteer.id_number
    if id_number is not None and not unmask:
        id_number = mask_id_number(id_number)
    if not unmask:  # a number typed into a title or a place is masked on paper as everywhere
        served = [(a.model_copy(update={"title": mask_text(a.title), "location": mask_text(a.location)}), h) for a, h in served]
    return Certificate(
        number=number, unit_name=ledger.name, volunteer_id=volunteer_id,
        name=volunteer.name, id_number=id_number, registration_no=volunteer.registration_no, start=start, end=end,
        hours=sum((h for _, h in served), Decimal(0)), activities=served, issued_on=today,
        signer=signer, handler=handler, contact=contact,
    )  # fmt: skip


def register_line(certificate: Certificate) -> str:
    """One line in the unit's register; no personal number goes there."""
    record: dict[str, Any] = {
        "number": certificate.number, "volunteer": certificate.volunteer_id, "issued_on": certificate.issued_on,
        "from": certificate.start, "to": certificate.end, "hours": certificate.hours,
    }  # fmt: skip
    return flow_record(record, tuple(record))


class FontSettingRefused(Exception):
    """The font asked for cannot be embedded: `problem` says why; its file is vsledger.yaml for the
    workspace's setting, "" for a path given on the command line."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


def certificate_font(root: Path, given: Path | None) -> FontFile | None:
    """The font certificates embed: `given` (--font, VSLEDGER_FONT), else vsledger.yaml's
    `certificate_font` (relative to the workspace root), else this machine's Chinese font.

    None: no usable font here, the PDF names STSong-Light and the reader's font draws it. A font
    asked for that cannot be used raises FontSettingRefused: it is never replaced silently."""
    needed = template_text()
    problems: list[Problem] = []
    setting = workspace_setting(root, FONT_SETTING, problems) if given is None else ABSENT
    if problems:
        raise FontSettingRefused(problems[0])
    if given is None and setting is ABSENT:
        return system_font(needed)
    if given is None and (not isinstance(setting, str) or not setting.strip()):
        raise FontSettingRefused(Problem(SETTINGS, "invalid-font-setting", {}, path=(FONT_SETTING,)))
    path = given if given is not None else root / Path(setting.strip()).expanduser()
    try:
        return open_font(path, needed)
    except FontRefused as exc:
        where = {"file": SETTINGS, "path": (FONT_SETTING,)} if given is None else {"file": ""}
        raise FontSettingRefused(Problem(code=exc.code, args=exc.args_, **where)) from None


def issue_certificate(
    root: Path, unit: str, volunteer_id: str, start: date | None, end: date, today: date,
    signer: str, handler: str, contact: str, unmask: bool,
    out: Path | None, refuse_out: Callable[[Path], Problem | None], font: FontFile | None,
) -> tuple[Certificate, Path]:  # fmt: skip
    """Number, register and draw one certificate as one transaction; the certificate and where its PDF is.

    `start` None: from the volunteer's first activity. `out` None: `exports/<number>.pdf` (git ignores it); checked by `refuse_out`.
    `font` (from `certificate_font`) is embedded; None: STSong-Light by name."""

    def decide(workspace: Workspace) -> Plan:
        number = next_number(root, unit, today.year)
        certificate = build_certificate(
            workspace, unit, volunteer_id, start or date(1900, 1, 1), end, today, signer, handler, contact, unmask, number
        )
        if certificate is None:  # left the roster since the command began
            raise WriteRefused([Problem(f"ledgers/{unit}/roster.yaml", "unknown-volunteer", {"id": volunteer_id}, line=1, column=1)])
        if start is None and certificate.activities:
            certificate.start = certificate.activities[0][0].date
        target = out if out is not None else exports_dir(root) / f"{number}.pdf"
        refused = refuse_out(target)
        if refused is not None:
            raise WriteRefused([refused])
        line = register_line(certificate)
        content = pdf_bytes(certificate, font)
        changes = [
            append_change(f"ledgers/{unit}/{REGISTER}", line),
            Change(str(target.resolve()), lambda _old: content),
        ]
        return Plan(changes, (certificate, target))

    certificate, target = transact(root, unit, today, decide).value
    return certificate, target
