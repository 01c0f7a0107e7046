"""One exit-code rule for every command: a ledger with errors is exit 1 with the count, a
certificate is never issued from a ledger with errors, date ranges are checked, names work
wherever an id does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Result
from test_hours import ROSTER, ledger_files

BROKEN_JULY = """
- id: j1
  date: 2022-06-30
  title: 月份放错了
  location: 广场
  hours: 5
  participants: [V0001]
"""


def test_certificate_by_name(workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path) -> None:
    root = workspace(ledger_files(ROSTER), base=False)
    out = tmp_path / "c.pdf"
    result = cli(root, "certificate", "--unit", "u1", "--volunteer", "张三", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.exists() and "V0001" in (root / "ledgers/u1/certificates.yaml").read_text(encoding="utf-8")


def test_certificate_refuses_a_backwards_range_and_registers_nothing(
    workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path
) -> None:
    root = workspace(ledger_files(ROSTER), base=False)
    result = cli(
        root, "certificate", "--unit", "u1", "-v", "V0001", "--from", "2022-12-01", "--to", "2022-11-01", "--out", str(tmp_path / "c.pdf")
    )
    assert result.exit_code == 2
    assert "--from 2022-12-01 晚于 --to 2022-11-01" in result.stderr
    assert not (root / "ledgers/u1/certificates.yaml").exists() and not (tmp_path / "c.pdf").exists()


def test_no_certificate_from_a_ledger_with_errors(workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path) -> None:
    root = workspace(ledger_files(ROSTER, **{"ledgers/u1/activities/2022-07.yaml": BROKEN_JULY}), base=False)
    result = cli(root, "certificate", "--unit", "u1", "-v", "V0001", "--out", str(tmp_path / "c.pdf"))
    assert result.exit_code == 1
    assert "未出具证明:本单位台账有 1 个错误" in result.stderr
    assert "month-mismatch" in result.stderr  # the error itself, located
    assert not (tmp_path / "c.pdf").exists() and not (root / "ledgers/u1/certificates.yaml").exists()


def test_report_from_a_ledger_with_errors_exits_1(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace(ledger_files(ROSTER, **{"ledgers/u1/activities/2022-07.yaml": BROKEN_JULY}), base=False)
    result = cli(root, "report", "monthly", "--unit", "u1", "--period", "2022-05")
    assert result.exit_code == 1
    assert "台账有 1 个错误" in result.stderr
    (root / "ledgers/u1/activities/2022-07.yaml").unlink()
    clean = cli(root, "report", "monthly", "--unit", "u1", "--period", "2022-05")
    assert clean.exit_code == 0, clean.stderr
