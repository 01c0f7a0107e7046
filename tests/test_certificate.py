"""`vsledger certificate`: the PDF's text read back, numbered from the register, numbers masked unless asked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader

from conftest import Result
from test_hours import ROSTER, ledger_files

NUMBER = "11010519491231002X"


def ledger(workspace: Callable[..., Path]) -> Path:
    roster = ROSTER.replace(
        "{id: V0001, name: 张三, employment: staff, registered_on: 2020-01-01}",
        '{id: V0001, name: 张三, employment: staff, registered_on: 2020-01-01, registration_no: "35080200012345"}',
    )
    return workspace(ledger_files(roster, **{"ledgers/u1/personal.yaml": f'- {{id: V0001, id_number: "{NUMBER}"}}\n'}), base=False)


def text_of(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def test_certificate_shows_what_the_guidance_requires(workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path) -> None:
    root = ledger(workspace)
    out = tmp_path / "证明.pdf"
    args = (
        "certificate",
        "--unit",
        "u1",
        "--volunteer",
        "V0001",
        "--out",
        str(out),
        "--signer",
        "王主任",
        "--handler",
        "李干事",
        "--contact",
        "0597-1234567",
    )
    result = cli(root, *args)
    assert result.exit_code == 0, result.stderr
    assert "u1-2024-0001" in result.stdout
    text = text_of(out)
    for expected in (
        "志愿服务记录证明", "证明编号:u1-2024-0001", "志愿者姓名:张三", "证件类型:居民身份证", "110105********002X",
        "志愿者编号:35080200012345", "服务时间段:2021-12-31 至 2024-06-01", "累计志愿服务时长:13.00 小时(共 3 次活动)",
        "2022-05-05  义诊  社区  3.00 小时", "出具单位:测试单位", "负责人:王主任", "经办人:李干事", "联系方式:0597-1234567", "出具日期:2024 年 6 月 1 日",
    ):  # fmt: skip
        assert expected in text, expected
    assert NUMBER not in text
    register = (root / "ledgers/u1/certificates.yaml").read_text(encoding="utf-8")
    assert register == "- {number: u1-2024-0001, volunteer: V0001, issued_on: 2024-06-01, from: 2021-12-31, to: 2024-06-01, hours: 13}\n"
    assert NUMBER not in register
    second = cli(
        root,
        "certificate",
        "--unit",
        "u1",
        "--volunteer",
        "V0002",
        "--from",
        "2022-01-01",
        "--to",
        "2022-12-31",
        "--out",
        str(tmp_path / "2.pdf"),
        "--unmask",
    )
    assert second.exit_code == 0
    assert "u1-2024-0002" in second.stdout and "累计志愿服务时长:5.25 小时" in text_of(tmp_path / "2.pdf")
    assert register in (root / "ledgers/u1/certificates.yaml").read_text(encoding="utf-8")  # the register only grows
    assert "未登记" in text_of(tmp_path / "2.pdf") and "V0002" in second.stderr  # no ID number on file, said clearly
    assert cli(root, "validate").exit_code == 0


def test_unmask_prints_the_full_number(workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "full.pdf"
    assert cli(ledger(workspace), "certificate", "--unit", "u1", "--volunteer", "V0001", "--out", str(out), "--unmask").exit_code == 0
    assert NUMBER in text_of(out)


def test_unknown_volunteer_is_a_usage_error(workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli(ledger(workspace), "certificate", "--unit", "u1", "--volunteer", "V0099", "--out", str(tmp_path / "x.pdf"))
    assert result.exit_code == 2 and not (tmp_path / "x.pdf").exists()
