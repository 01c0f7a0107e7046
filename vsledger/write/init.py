"""`vsledger init`: a new workspace an office can start recording in at once."""

from __future__ import annotations

import contextlib
import subprocess
from datetime import date
from importlib import resources
from pathlib import Path

from vsledger.core.filekinds import SCHEMA_DIR, modeline
from vsledger.core.problems import Problem
from vsledger.render.schema import all_schemas, schema_text
from vsledger.write.layout import record_text
from vsledger.write.merge import GitUnavailable, attributes_text, git_setup
from vsledger.write.transaction import WriteRefused, workspace_lock, write_files

GITATTRIBUTES = attributes_text("")

GITIGNORE = """\
# ID card and phone numbers never go into git (《志愿服务条例》第二十条, PIPL).
ledgers/*/personal.yaml
# vsledger's lock, journal, cache and the temporary files of an interrupted write
.vsledger.lock
.vsledger.journal
.vsledger/
ledgers/**/.*.tmp
ledgers/**/.*.old
# what vsledger writes for people without --out: workbooks, reports, certificates, bundles
exports/
"""

README = """\
# 志愿服务台账

本目录由 `vsledger init` 创建,用 git 保存本单位的志愿服务台账。

- `ledgers/example/unit.yaml`:单位信息、适用方案、支部和服务队(请改成本单位的)
- `ledgers/example/roster.yaml`:花名册(身份证号、手机号保存在 personal.yaml,不进 git)
- `ledgers/example/activities/年-月.yaml`:每月一个活动台账文件
- `rules/`:上级方案,每条规则对应方案中的一句要求

常用命令:

    vsledger add-activity --unit example      # 记录一次活动(会逐项提示)
    vsledger add-volunteer --unit example     # 登记志愿者
    vsledger validate                         # 检查全部文件
    vsledger hours --year 2022                # 服务时长合计
    vsledger check --year 2022                # 对照方案检查是否达标

记错了不要改旧记录:用 `vsledger add-activity --corrects 原编号 ...` 追加一条更正记录。
"""

UNIT = """\
id: example
name: 示例单位
policy: long-term-mechanism
teams:
  - {id: team1, name: 党员志愿服务队, convener: V0001}
"""

ROSTER = """\
volunteers:
  - id: V0001
    name: 张三
    employment: staff
    party_member: true
    teams: [team1]
    registered_on: {day}
  - id: V0002
    name: 李四
    employment: contract
    teams: [team1]
    registered_on: {day}
"""


class WorkspaceExists(Exception):
    """init never writes over an existing workspace."""


def init_workspace(root: Path, today: date, lang: str = "zh") -> None:
    """Every file of the new workspace written as one set, under the lock: all there or none."""
    root = Path(root)
    if (root / "ledgers").exists() or (root / "rules").exists():
        raise WorkspaceExists(str(root))
    files: dict[str, bytes] = {}
    for policy in sorted(resources.files("vsledger.policies").iterdir(), key=lambda p: p.name):
        if policy.name.endswith(".yaml"):
            files[f"rules/{policy.name}"] = policy.read_bytes()
    roster = ROSTER.format(day=date(today.year, 1, 1).isoformat())
    first = {
        "id": f"{today:%Y%m%d}-01",
        "date": today,
        "title": "社区义诊",
        "team": "team1",
        "location": "社区卫生服务站",
        "hours": 2,
        "participants": ["V0001", "V0002"],
    }
    month_rel = f"ledgers/example/activities/{today:%Y-%m}.yaml"
    for rel, text in (
        ("ledgers/example/unit.yaml", UNIT),
        ("ledgers/example/roster.yaml", roster),
        (month_rel, record_text("activities", first)),
    ):
        files[rel] = (modeline(rel) + text).encode("utf-8")
    for name, schema in all_schemas(lang).items():
        files[f"{SCHEMA_DIR}/{name}"] = schema_text(schema).encode("utf-8")
    files[".gitattributes"] = GITATTRIBUTES.encode("utf-8")
    files[".gitignore"] = GITIGNORE.encode("utf-8")
    files["README.md"] = README.encode("utf-8")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteRefused(
            [Problem(str(root), "not-writable", {"path": str(root), "detail": exc.strerror or str(exc)}, line=1, column=1)]
        ) from None
    with workspace_lock(root):
        if (root / "ledgers").exists() or (root / "rules").exists():
            raise WorkspaceExists(str(root))
        write_files(root, files)
    with contextlib.suppress(OSError, GitUnavailable, subprocess.CalledProcessError):  # no git: the workspace still works
        subprocess.run(["git", "init", "-q"], cwd=root, check=False, capture_output=True)
        git_setup(root)
