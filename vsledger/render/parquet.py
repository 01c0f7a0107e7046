"""Parquet for province-wide analysis: DuckDB, Spark or Trino read it as it is.

Two tables, `activities` and `participations`, Hive-partitioned by unit and year
(`activities/unit=xinluo-cdc/year=2022/…`). Exporting a unit again replaces
only its own partitions, so a supervising body fills one dataset unit by unit.
Hours are exact decimals. No names or personal numbers: ids only.
An optional extra: `pip install 'vsledger[parquet]'`.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from vsledger.core.personal import mask_text
from vsledger.render.export import mark_directory
from vsledger.report.ledger_export import LedgerExport

LEFT_OUT = {
    "recorded_by": "a person's name, and the analysis works on ids",
    "content": "free text that may name people",
    "outcome": "free text that may name people",
    "attachments": "paths on the unit's machine",
    "target": "free text that may name people",
    "start": "the hours are there, exact",
    "end": "the hours are there, exact",
    "type": "only service activities are written: meetings are never service",
}
"""Every field of an activity that the analysis table leaves out, and why: a field added to the model
must be placed in the table or here (a test holds them together), so none leaves the office unseen."""


def available() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def write_parquet(export: LedgerExport, out: Path, unmask: bool = False) -> tuple[int, int]:
    """Write (or replace) the unit's partitions for the year; (activities, participations) written.

    Free text (titles, places) has its numbers masked, as every export does, unless `unmask`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    unit, year = export.unit, export.year
    hours_type = pa.decimal128(8, 2)
    activities: dict[str, list[Any]] = {k: [] for k in (
        "unit", "year", "id", "date", "title", "team", "category", "tags", "location", "served", "hours", "participants", "external",
        "corrects", "request", "lead",
    )}  # fmt: skip
    participations: dict[str, list[Any]] = {k: [] for k in ("unit", "year", "activity", "date", "volunteer", "hours")}
    cent = Decimal("0.01")
    for line in export.activities:
        activity = line.activity
        default = activity.default_hours
        for key, value in (
            ("unit", unit), ("year", year), ("id", activity.id), ("date", activity.date), ("title", activity.title),
            ("team", activity.team), ("category", activity.category), ("tags", list(activity.tags)), ("location", activity.location),
            ("served", activity.served), ("hours", default.quantize(cent) if default is not None else None),
            ("participants", len(activity.participants)), ("external", activity.external), ("corrects", activity.corrects),
            ("request", activity.request), ("lead", activity.lead),
        ):  # fmt: skip
            activities[key].append(value)
    for p in export.participations:
        for key, value in (("unit", unit), ("year", year), ("activity", p.activity.id), ("date", p.activity.date),
                           ("volunteer", p.volunteer), ("hours", p.hours.quantize(cent))):  # fmt: skip
            participations[key].append(value)
    schemas = {
        "activities": pa.schema([
            ("unit", pa.string()), ("year", pa.int32()), ("id", pa.string()), ("date", pa.date32()), ("title", pa.string()),
            ("team", pa.string()), ("category", pa.string()), ("tags", pa.list_(pa.string())), ("location", pa.string()),
            ("served", pa.int64()), ("hours", hours_type), ("participants", pa.int32()), ("external", pa.int32()),
            ("corrects", pa.string()), ("request", pa.string()), ("lead", pa.string()),
        ]),
        "participations": pa.schema([
            ("unit", pa.string()), ("year", pa.int32()), ("activity", pa.string()), ("date", pa.date32()),
            ("volunteer", pa.string()), ("hours", hours_type),
        ]),
    }  # fmt: skip
    if not unmask:
        for key in ("title", "team", "category", "location", "corrects", "request"):
            activities[key] = [mask_text(v) if isinstance(v, str) else v for v in activities[key]]
        activities["tags"] = [[mask_text(t) for t in tags] for tags in activities["tags"]]
    for name, columns in (("activities", activities), ("participations", participations)):
        table = pa.Table.from_pydict(columns, schema=schemas[name])
        pq.write_to_dataset(
            table, root_path=str(out / name), partition_cols=["unit", "year"],
            existing_data_behavior="delete_matching", basename_template=f"{unit}-{year}-{{i}}.parquet",
        )  # fmt: skip
    mark_directory(out)
    return len(activities["id"]), len(participations["activity"])
