"""Parquet: Hive-partitioned by unit and year, exact decimals, one unit's partitions replaced on re-export."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import REPO, Result

pa_dataset = pytest.importorskip("pyarrow.dataset")


def test_units_fill_one_dataset(cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "province"
    for unit in ("putian-party-school", "county-civil-affairs", "county-civil-affairs"):  # the second export replaces the first
        result = cli(REPO, "--no-cache", "export", "--unit", unit, "--year", "2022", "--format", "parquet", "--out", str(out))
        assert result.exit_code == 0, result.stderr
    table = pa_dataset.dataset(out / "participations", partitioning="hive").to_table()
    assert str(table.schema.field("hours").type) == "decimal128(8, 2)"
    expected = {r["unit"]: r for r in cli(REPO, "hours", "--year", "2022", "--by", "unit", "--format", "json").json()}
    for unit in ("putian-party-school", "county-civil-affairs"):
        rows = [r for r in table.to_pylist() if r["unit"] == unit]
        assert sum((r["hours"] for r in rows), Decimal(0)) == Decimal(str(expected[unit]["hours"]))
        assert {r["year"] for r in rows} == {2022}
    activities = pa_dataset.dataset(out / "activities", partitioning="hive").to_table().to_pylist()
    assert len([a for a in activities if a["unit"] == "county-civil-affairs"]) == expected["county-civil-affairs"]["activities"]
    assert not any("name" in column for column in table.schema.names)  # ids only, no names or numbers


def test_parquet_out_is_checked_and_the_extra_named(cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "keep.txt").write_text("x", encoding="utf-8")
    result = cli(REPO, "export", "--unit", "county-civil-affairs", "--year", "2022", "--format", "parquet", "--out", str(notes))
    assert result.exit_code == 2 and "out-not-export" in result.stderr
    from vsledger.render import parquet

    monkeypatch.setattr(parquet, "available", lambda: False)
    missing = cli(REPO, "export", "--unit", "county-civil-affairs", "--year", "2022", "--format", "parquet", "--out", str(tmp_path / "p"))
    assert missing.exit_code == 2 and "pip install 'vsledger[parquet]'" in missing.stderr


def test_duckdb_reads_it_as_it_is(cli: Callable[..., Result], tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    out = tmp_path / "pq"
    for unit in ("putian-party-school", "county-civil-affairs"):
        assert cli(REPO, "export", "--unit", unit, "--year", "2022", "--format", "parquet", "--out", str(out)).exit_code == 0
    rows = duckdb.sql(
        f"select unit, sum(hours), count(*) from read_parquet('{out}/participations/**/*.parquet', hive_partitioning=true) group by unit order by unit"
    ).fetchall()
    expected = {r["unit"]: r["hours"] for r in cli(REPO, "hours", "--year", "2022", "--by", "unit", "--format", "json").json()}
    assert [(unit, float(total)) for unit, total, _ in rows] == [
        ("county-civil-affairs", expected["county-civil-affairs"]),
        ("putian-party-school", expected["putian-party-school"]),
    ]
