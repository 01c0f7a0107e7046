"""The message catalogue: every problem code and every word a user reads, zh and en.

Problems are data (a code and its arguments); they become sentences only here,
in the language the user chose (`--lang`, `VSLEDGER_LANG`, `LANG`; Chinese by
default). Codes and JSON keys stay English.
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Any

from .personal import mask_text
from .problems import Problem

LANGS = ("zh", "en")

# code: (zh, en, zh hint, en hint)
PROBLEMS: dict[str, tuple[str, str, str, str]] = {
    "file-too-large": (
        "文件过大({size} 字节,上限 {limit})",
        "file too large ({size} bytes, limit {limit})",
        "按月拆分活动文件",
        "split activities into one file per month",
    ),
    "encoding": (
        "文件不是 UTF-8 编码(看起来是 {encoding})",
        "file is not UTF-8 (looks like {encoding})",
        "转换编码:iconv -f {encoding} -t UTF-8 原文件 > 新文件,或在编辑器中“另存为 UTF-8”",
        "convert it: iconv -f {encoding} -t UTF-8 in.yaml > out.yaml, or save as UTF-8 in your editor",
    ),
    "nul-byte": (
        "文件中有空字符(NUL)",
        "file contains a NUL byte",
        "文件可能已损坏,请从 git 恢复:git checkout -- 文件",
        "the file may be damaged; restore it from git: git checkout -- FILE",
    ),
    "yaml-syntax": (
        "YAML 格式错误:{detail}",
        "YAML syntax error: {detail}",
        "检查缩进和冒号;文本中含有冒号或 # 时请加引号",
        "check indentation and colons; quote text that contains ':' or '#'",
    ),
    "yaml-complex-key": ("键必须是简单文本", "a key must be plain text", "", ""),
    "yaml-merge-key": (
        "台账文件不支持合并键 <<",
        "merge keys (<<) are not allowed in ledger files",
        "把内容直接写出来",
        "write the values out in full",
    ),
    "duplicate-key": (
        "重复的键 “{key}”",
        "duplicate key '{key}'",
        "同一条记录中每个字段只能写一次",
        "each field may appear once per record",
    ),
    "yaml-multiple-documents": (
        "一个文件只能有一个 YAML 文档",
        "one YAML document per file",
        "删除多余的 --- 分隔线",
        "remove the extra '---' line",
    ),
    "yaml-alias": (
        "台账文件不支持别名 *{anchor}",
        "aliases (*{anchor}) are not allowed in ledger files",
        '以 * 开头的文字要加引号,如每月的日子写成 "*-05";台账不使用别名',
        'quote text that starts with *, e.g. the day of every month is "*-05"; ledgers use no aliases',
    ),
    "yaml-anchor": (
        "台账文件不支持锚点 &{anchor}",
        "anchors (&{anchor}) are not allowed in ledger files",
        "删除 &{anchor}",
        "remove &{anchor}",
    ),
    "yaml-tag": (
        "不支持的 YAML 标签 {tag}",
        "YAML tag {tag} is not allowed",
        "删除标签;需要文本时用引号",
        "remove the tag; quote the value if it is text",
    ),
    "control-character": (
        "文本中有控制字符 {char}",
        "text contains the control character {char}",
        "从 Word 复制的文本可能带有不可见字符,请重新输入",
        "text pasted from Word may carry invisible characters; retype it",
    ),
    "yaml-too-deep": ("嵌套层数超过 {limit} 层", "nesting deeper than {limit} levels", "", ""),
    "invalid-unit-dir": (
        "单位目录名 “{name}” 不合规",
        "unit directory name '{name}' is not a valid id",
        "只用小写字母、数字和 -,如 xinluo-cdc",
        "use lower-case letters, digits and '-', e.g. xinluo-cdc",
    ),
    "path-outside": (
        "路径 “{path}” 超出工作区",
        "path '{path}' reaches outside the workspace",
        "附件路径相对于单位目录,不能含 .. 或绝对路径",
        "attachment paths are relative to the unit directory, without '..'",
    ),
    "unreadable-file": ("无法读取文件:{detail}", "cannot read file: {detail}", "", ""),
    "missing-file": ("缺少 {file}", "{file} is missing", "vsledger init 可生成示例文件", "vsledger init writes an example"),
    "unit-id-mismatch": ("单位 id “{id}” 与目录名 “{dir}” 不一致", "unit id '{id}' differs from its directory '{dir}'", "", ""),
    "policy-id-mismatch": ("方案 id “{id}” 与文件名 “{file}” 不一致", "policy id '{id}' differs from its file name '{file}'", "", ""),
    "unknown-field": ("未知字段 “{field}”", "unknown field '{field}'", "", ""),
    "missing-field": ("缺少必填字段 “{field}”", "required field '{field}' is missing", "", ""),
    "not-a-list": (
        "此处应为列表{field_note}",
        "expected a list here{field_note}",
        "列表的每一项以 “- ” 开头",
        "each item of a list starts with '- '",
    ),
    "not-a-mapping": ("此处应为“字段: 值”形式的记录", "expected a record of 'field: value' pairs here", "", ""),
    "duplicate-id": ("id “{id}” 重复", "duplicate id '{id}'", "每条记录的 id 在单位内必须唯一", "ids must be unique within the unit"),
    "bad-file-name": (
        "活动文件名 “{name}” 应为 年-月.yaml,如 2022-05.yaml",
        "activity file '{name}' must be named YYYY-MM.yaml, e.g. 2022-05.yaml",
        "",
        "",
    ),
    "month-mismatch": (
        "活动日期 {date} 不在文件 {file} 所属的月份",
        "activity dated {date} is not in the month of {file}",
        "把记录移到对应月份的文件中",
        "move the record to the file of its month",
    ),
    "personal-unknown-volunteer": ("personal.yaml 中的 {id} 不在花名册上", "{id} in personal.yaml is not on the roster", "", ""),
    "personal-duplicate": (
        "{id} 的 {field} 在 roster.yaml 和 personal.yaml 中都有",
        "{field} of {id} is given in both roster.yaml and personal.yaml",
        "只保留 personal.yaml 中的",
        "keep it in personal.yaml only",
    ),
    "invalid-choice": ("“{field}” 的值无效,可选:{choices}", "invalid value for '{field}'; expected one of: {choices}", "", ""),
    "invalid-number": ("“{field}” 应为非负整数", "'{field}' must be a whole number, zero or more", "", ""),
    "invalid-value": ("“{field}” 的值类型不对(应为 {expected})", "wrong type for '{field}' (expected {expected})", "", ""),
    "empty-text": ("“{field}” 不能为空", "'{field}' must not be empty", "", ""),
    "unquoted-id": (
        "id {value} 应加引号",
        "id {value} must be quoted",
        '写成 "{value}",否则开头的 0 会丢失',
        'write "{value}"; unquoted numbers lose leading zeros',
    ),
    "invalid-id": (
        "id “{value}” 不合规",
        "id '{value}' is not valid",
        "只用字母、数字和 - _ .,以字母或数字开头",
        "use letters, digits and - _ . starting with a letter or digit",
    ),
    "invalid-date": (
        "“{field}” 的日期 “{value}” 无效",
        "'{field}': '{value}' is not a valid date",
        "日期写成 2022-05-05",
        "write dates as 2022-05-05",
    ),
    "invalid-hours": (
        "“{field}” 的时长 “{value}” 无效",
        "'{field}': '{value}' is not a number of hours",
        "时长写成数字,如 2 或 2.5",
        "write hours as a number, e.g. 2 or 2.5",
    ),
    "hours-range": ("时长 {value} 超出范围(应大于 0 且不超过 24)", "hours {value} out of range (more than 0, at most 24)", "", ""),
    "hours-precision": ("时长 {value} 最多两位小数", "hours {value} has more than two decimal places", "", ""),
    "invalid-clock": (
        "“{field}” 的时间 “{value}” 无效",
        "'{field}': '{value}' is not a time of day",
        '写成带引号的 "08:30"',
        'write a quoted "08:30"',
    ),
    "unquoted-number": (
        "{field} 必须加引号(当前为 {masked})",
        "{field} must be quoted (now {masked})",
        "写成带引号的文本,否则会被当作数字而丢失位数",
        "quote it, or YAML reads it as a number and digits are lost",
    ),
    "invalid-id-number": (
        "身份证号 {masked} 无效(GB 11643 校验位不符)",
        "ID card number {masked} is invalid (GB 11643 check digit)",
        "核对身份证号;最后一位 X 用大写",
        "check the number; write a final X in upper case",
    ),
    "invalid-phone": ("手机号 {masked} 无效(应为 11 位大陆手机号)", "phone {masked} is invalid (11-digit mainland mobile)", "", ""),
    "invalid-participant": ("参与者写成 V0001 或 {{V0001: 2.5}}", "a participant is V0001 or {{V0001: 2.5}}", "", ""),
    "unknown-branch": ("支部 “{id}” 未在 unit.yaml 中定义", "branch '{id}' is not defined in unit.yaml", "", ""),
    "unknown-team": ("服务队 “{id}” 未在 unit.yaml 中定义", "team '{id}' is not defined in unit.yaml", "", ""),
    "unknown-volunteer": (
        "志愿者 {id} 不在花名册上",
        "volunteer {id} is not on the roster",
        "先用 vsledger add-volunteer 添加",
        "add them with vsledger add-volunteer first",
    ),
    "unknown-policy": (
        "方案 “{id}” 不存在",
        "policy '{id}' does not exist",
        "方案文件应为 rules/{id}.yaml",
        "the policy file would be rules/{id}.yaml",
    ),
    "left-before-joined": ("{id} 的离开日期早于加入日期", "{id} left before joining", "", ""),
    "future-date": ("日期 {date} 晚于今天", "date {date} is in the future", "活动当天或之后再记录", "record it on the day or after"),
    "hours-missing": (
        "活动 {id} 没有时长:请写 hours,或同时写 start 和 end",
        "activity {id} has no hours: give hours, or both start and end",
        "",
        "",
    ),
    "time-order": ("结束时间 {end} 不晚于开始时间 {start}", "end {end} is not after start {start}", "", ""),
    "hours-exceed-span": (
        "时长 {hours} 超过起止时间之差 {span}",
        "hours {hours} exceed the time from start to end ({span})",
        "服务时长不含路途时间",
        "service hours exclude travel",
    ),
    "no-participants": (
        "活动 {id} 没有参与者",
        "activity {id} has no participants",
        "删除一条记录请用更正:corrects 加空的 participants",
        "to delete a record, add a correction with corrects and empty participants",
    ),
    "duplicate-participant": ("{id} 在同一活动中出现两次", "{id} is listed twice in one activity", "", ""),
    "attachment-missing": ("附件 “{path}” 不存在", "attachment '{path}' does not exist", "", ""),
    "not-on-roster": (
        "{id} 在 {date} 不在花名册上(未加入或已离开)",
        "{id} was not on the roster on {date}",
        "检查花名册中的 joined / left",
        "check joined / left in the roster",
    ),
    "before-registration": (
        "{id} 在 {date} 尚未注册为志愿者,时长仍计入",
        "{id} was not yet registered on {date}; the hours still count",
        "",
        "",
    ),
    "day-over-24": ("{id} 在 {date} 的服务时长合计 {hours} 小时,超过 24 小时", "{id} served {hours} hours on {date}, more than 24", "", ""),
    "day-over-8": (
        "{id} 在 {date} 的服务时长合计 {hours} 小时,超过 8 小时",
        "{id} served {hours} hours on {date}, more than 8",
        "许多平台每天最多记 8 小时",
        "many platforms cap a day at 8 hours",
    ),
    "invalid-period": (
        "报告期 “{period}” 与类型 {kind} 不符",
        "period '{period}' does not fit report kind {kind}",
        "plan/annual 写 2022,monthly 写 2022-05,half-year 写 2022-H1",
        "plan/annual: 2022, monthly: 2022-05, half-year: 2022-H1",
    ),
    "duplicate-report": ("{kind} {period} 的报送记录重复", "report {kind} {period} recorded twice", "", ""),
    "correction-self": ("记录不能更正自己({id})", "an entry cannot correct itself ({id})", "", ""),
    "unknown-correction": ("要更正的记录 {id} 不存在", "the corrected entry {id} does not exist", "", ""),
    "correction-conflict": (
        "记录 {id} 已被 {other} 更正",
        "entry {id} is already corrected by {other}",
        "更正一条已更正的记录时,应更正最新的那条",
        "to correct again, correct the latest correction",
    ),
    "correction-cycle": ("更正记录形成了循环({id})", "corrections form a cycle ({id})", "", ""),
    "unknown-rule-kind": (
        "未知的规则类型 “{kind}”{suggestion_note}",
        "unknown rule kind '{kind}'{suggestion_note}",
        "可用类型见 rules/README.md",
        "the kinds are listed in rules/README.md",
    ),
    "invalid-rate": ("比例 “{value}” 无效(写成 80% 或 0.8)", "rate '{value}' is invalid (write 80% or 0.8)", "", ""),
    "invalid-due": (
        "{report} 报告的 due 无效",
        "due is invalid for {report} reports",
        'plan/annual: "05-30";monthly: 5;half-year: ["06-30", "12-31"]',
        'plan/annual: "05-30"; monthly: 5; half-year: ["06-30", "12-31"]',
    ),
    "changed-underneath": (
        "文件在写入前被修改,未写入",
        "the file changed while the record was being written; nothing was written",
        "重新运行命令",
        "run the command again",
    ),
    "locked": ("另一个 vsledger 命令正在写入,请稍后再试", "another vsledger command is writing; try again shortly", "", ""),
    "layout-unexpected": (
        "文件结构不适合追加记录",
        "the file is laid out so that a record cannot be appended",
        "运行 vsledger fmt 整理后再试",
        "run vsledger fmt, then try again",
    ),
    "duplicate-id-number": ("该身份证号已属于 {id},未添加", "that ID card number already belongs to {id}; nothing was added", "", ""),
    "personal-data-in-git": (
        "git 跟踪的文件中有完整的{kind_zh}",
        "a file git tracks holds a full {kind_en}",
        "运行 vsledger personal split 把号码移到不进 git 的 personal.yaml;历史中的号码还需清除(见 vsledger personal split 的输出)",
        "run vsledger personal split to move the numbers into personal.yaml, which stays out of git; the numbers also stay in history until purged (see its output)",
    ),
    "out-inside-ledger": (
        "导出文件不能写在 ledgers/ 或 rules/ 里",
        "an export cannot be written inside ledgers/ or rules/",
        "换一个位置,如 --out 台账.xlsx",
        "choose another place, e.g. --out ledger.xlsx",
    ),
    "out-not-export": (
        "--out 指向的已有文件不是同类导出文件,未覆盖",
        "--out names an existing file that is not an export of this kind; not overwritten",
        "换一个文件名",
        "choose another name",
    ),
    "invalid-thresholds": (
        "star_thresholds 应为递增的正数列表,如 [100, 300, 600, 1000, 1500]",
        "star_thresholds must be a rising list of positive numbers, e.g. [100, 300, 600, 1000, 1500]",
        "",
        "",
    ),
    "import-unreadable": ("无法读取表格({detail})", "cannot read the spreadsheet ({detail})", "支持 .xlsx 和 .csv", "use .xlsx or .csv"),
    "import-no-header": ("第一行应为表头,且至少有“姓名”一列", "the first row must be the header, with a 姓名 column at least", "", ""),
    "import-id-as-number": (
        "第 {row} 行:身份证号被 Excel 存成了数字,末几位可能已丢失",
        "row {row}: the ID card number was stored by Excel as a number; its last digits may be lost",
        "把该列设为“文本”格式后重新输入号码",
        "format the column as Text and type the numbers again",
    ),
    "import-employment": (
        "第 {row} 行:无法识别的人员类别 “{value}”",
        "row {row}: unknown employment '{value}'",
        "可用:在编、聘用、退休、居民、学生、其他",
        "use: 在编 (staff), 聘用 (contract), 退休, 居民, 学生, 其他",
    ),
    "fmt-skipped": (
        "未整理:文件有错误或布局无法自动整理(内容未改动)",
        "not formatted: the file has errors or a layout fmt does not rewrite (left as it is)",
        "先运行 vsledger validate",
        "run vsledger validate first",
    ),
    "invalid-day": ("日子 “{value}” 无效(写成 MM-DD 或 *-DD)", "day '{value}' is invalid (write MM-DD or *-DD)", "", ""),
    "unknown-request": (
        "未知的群众需求 “{id}”(requests.yaml 中没有它的 received 记录)",
        "unknown request '{id}' (no received step for it in requests.yaml)",
        "先用 vsledger request add 登记点单",
        "record it first: vsledger request add",
    ),
    "request-step-order": (
        "“{step}”的日期 {date} 早于“{before}”({before_date})",
        "the {step} step on {date} comes before {before} ({before_date})",
        "顺序:received(点单)→ assigned(派单)→ claimed(接单)→ 活动写 request: 服务 → closed(结单)",
        "the order is received → assigned → claimed → an activity with request: serves it → closed",
    ),
    "request-closed": (
        "需求 {id} 已于 {closed} 结单,之后不能再有记录",
        "request {id} was closed on {closed}; nothing can follow it",
        "确需继续服务时,登记一条新的点单",
        "to serve it again, record a new request",
    ),
    "duplicate-claim": (
        "{id} 已经接过需求 {request}",
        "{id} already claimed request {request}",
        "",
        "",
    ),
    "served-unclaimed": (
        "活动服务的需求 {id} 还没有人接单",
        "the activity serves request {id}, which nobody has claimed",
        "先用 vsledger request claim 记录接单",
        "record the claim first: vsledger request claim",
    ),
    "served-before-claim": (
        "活动日期 {date} 早于需求 {id} 的接单日期 {claimed}",
        "the activity on {date} comes before request {id} was claimed ({claimed})",
        "顺序:received(点单)→ assigned(派单)→ claimed(接单)→ 活动写 request: 服务 → closed(结单)",
        "the order is received → assigned → claimed → an activity with request: serves it → closed",
    ),
    "request-fulfilled-twice": (
        "微心愿 {id} 已由活动 {other} 实现,不能再实现一次",
        "wish {id} was already fulfilled by activity {other}",
        "一个微心愿只实现一次;持续的服务请登记为 kind: project",
        "a wish is fulfilled once; record ongoing service as kind: project",
    ),
    "negative-balance": (
        "{id} 在 {date} 兑换 {hours} 小时,但时间银行余额只有 {balance} 小时",
        "{id} redeems {hours} hours on {date} with only {balance} hours in the time bank",
        "兑换不能超过当日已获得的服务时长",
        "a redemption cannot exceed the hours earned by that day",
    ),
}

UI: dict[str, tuple[str, str]] = {
    "error": ("错误", "error"),
    "warning": ("警告", "warning"),
    "hint": ("提示", "hint"),
    "no-problems": ("没有发现问题", "no problems found"),
    "problems-summary": ("{errors} 个错误,{warnings} 个警告", "{errors} errors, {warnings} warnings"),
    "ledger-invalid": ("台账有 {errors} 个错误,运行 vsledger validate 查看", "the ledger has {errors} errors; run vsledger validate"),
    "ledger-warnings": (
        "台账有 {warnings} 个警告,运行 vsledger validate 查看",
        "the ledger has {warnings} warnings; run vsledger validate",
    ),
    "pass": ("达标", "met"),
    "fail": ("未达标", "missed"),
    "pending": ("进行中", "pending"),
    "n/a": ("不适用", "n/a"),
    "unit": ("单位", "unit"),
    "name": ("名称", "name"),
    "policy": ("方案", "policy"),
    "no-policy": ("本年度无适用方案", "no policy for this year"),
    "rule": ("规则", "rule"),
    "kind": ("类型", "kind"),
    "level": ("级别", "level"),
    "status": ("结果", "status"),
    "actual": ("实际", "actual"),
    "target": ("目标", "target"),
    "shortfall": ("未达标项", "falls short"),
    "text": ("条款", "clause"),
    "overview": ("{year} 年达标总览(截至 {as_of})", "Compliance {year} (as of {as_of})"),
    "unit-results": ("{name}({unit})· {policy}", "{name} ({unit}) · {policy}"),
    "summary": (
        "合计:达标 {pass} · 未达标 {fail} · 进行中 {pending} · 不适用 {na}",
        "Total: met {pass} · missed {fail} · pending {pending} · n/a {na}",
    ),
    "legend": ("✔ 达标  ✘ 未达标  … 进行中  – 不适用", "✔ met  ✘ missed  … pending  – n/a"),
    "hours": ("时长", "hours"),
    "activities": ("活动数", "activities"),
    "hours-title": ("{year} 年服务时长(按{by})", "Service hours {year} (by {by})"),
    "by-volunteer": ("志愿者", "volunteer"),
    "by-team": ("服务队", "team"),
    "by-month": ("月份", "month"),
    "by-category": ("类别", "category"),
    "by-unit": ("单位", "unit"),
    "total": ("合计", "total"),
    "none": ("(无)", "(none)"),
    "file": ("文件", "file"),
    "line": ("行", "line"),
    "column": ("列", "column"),
    "code": ("代码", "code"),
    "message": ("说明", "message"),
    "unknown-unit": ("未知单位:{unit}(现有:{known})", "unknown unit: {unit} (known: {known})"),
    "bad-workspace": ("不是 vsledger 工作区:{root}(应包含 ledgers/ 或 rules/)", "not a vsledger workspace: {root} (no ledgers/ or rules/)"),
    "bad-year": ("--as-of {as_of} 不在 {year} 年内", "--as-of {as_of} is not in {year}"),
    "year-not-started": ("{year} 年尚未开始", "{year} has not begun"),
    "or-more": ("以及另外 {count} 项", "and {count} more"),
    "added": ("已写入 {file}:{id}", "written to {file}: {id}"),
    "refused": ("未写入:", "not written:"),
    "preview": ("将写入 {file}:", "to be written to {file}:"),
    "confirm": ("写入?", "write it?"),
    "cancelled": ("已取消,未写入", "cancelled; nothing written"),
    "missing-option": ("缺少 {option}(非终端时不会提示输入)", "{option} is missing (no prompts without a terminal)"),
    "committed": ("已提交到 git", "committed to git"),
    "commit-failed": ("git 提交失败:{error}", "git commit failed: {error}"),
    "prompt-date": ("日期", "date"),
    "prompt-title": ("活动名称", "title"),
    "prompt-location": ("地点", "location"),
    "prompt-hours": ("每人时长(小时)", "hours per person"),
    "prompt-participants": ("参与者(编号或姓名,用逗号或空格分隔)", "participants (ids or names, separated by commas or spaces)"),
    "prompt-name": ("姓名", "name"),
    "prompt-employment": ("人员类别", "employment"),
    "roster-choices": ("花名册:", "roster:"),
    "unknown-name": ("花名册中没有 “{name}”", "no one called '{name}' on the roster"),
    "ambiguous-name": ("“{name}” 有重名:{ids},请用编号", "'{name}' is ambiguous ({ids}); use the id"),
    "init-done": ("已创建工作区 {root}", "workspace created in {root}"),
    "init-not-empty": ("{root} 已有 ledgers/ 或 rules/,未改动", "{root} already has ledgers/ or rules/; nothing changed"),
    "fmt-would-change": ("需要整理:{file}", "would reformat: {file}"),
    "fmt-changed": ("已整理:{file}", "reformatted: {file}"),
    "fmt-clean": ("所有文件已是标准格式", "every file is in the canonical layout"),
    "split-moved": (
        "{unit}:已把 {count} 名志愿者的号码移到 personal.yaml",
        "{unit}: moved the numbers of {count} volunteers to personal.yaml",
    ),
    "split-kept": (
        "{unit}:以下志愿者的号码与其他内容同行或带注释,未自动移动,请手工移到 personal.yaml:{ids}",
        "{unit}: these volunteers' numbers share a line with other content or a comment and were not moved; move them by hand: {ids}",
    ),
    "split-nothing": ("{unit}:roster.yaml 中没有身份证号或手机号", "{unit}: roster.yaml holds no ID card or phone numbers"),
    "split-gitignore": (".gitignore 已加入 ledgers/*/personal.yaml", "added ledgers/*/personal.yaml to .gitignore"),
    "split-history": (
        "号码仍在 git 历史中。清除方法:1) 安装 git-filter-repo;2) 把每个号码写成一行 `号码==>***` 存入 numbers.txt(不要提交);"
        "3) 运行 git filter-repo --replace-text numbers.txt;4) 若 personal.yaml 曾被提交,先 git rm --cached 它;5) 强制推送并请所有人重新克隆。",
        "The numbers are still in git history. To purge them: 1) install git-filter-repo; 2) write each number as a line `NUMBER==>***` "
        "in numbers.txt (do not commit it); 3) run git filter-repo --replace-text numbers.txt; 4) if personal.yaml was ever committed, "
        "git rm --cached it first; 5) force-push and have everyone clone afresh.",
    ),
    "exported": ("已导出 {path}", "exported {path}"),
    "stars-title": ("累计服务时长与星级", "Cumulative hours and star level"),
    "stars": ("星级", "stars"),
    "to-next": ("距下一星", "to next star"),
    "import-preview": ("将导入 {count} 名志愿者", "{count} volunteers to import"),
    "import-done": ("已导入 {count} 名志愿者", "imported {count} volunteers"),
    "import-refused": ("表格有错误,未导入任何记录", "the spreadsheet has errors; nothing was imported"),
    "row": ("行", "row"),
    "party": ("党员", "party"),
    "bad-period": (
        "报告期 “{period}” 无效:月报写 2022-05,半年小结写 2022-H1",
        "period '{period}' is invalid: 2022-05 for monthly, 2022-H1 for half-year",
    ),
    "report-recorded": ("已在 {file} 记录报送日期 {date}", "recorded the hand-in on {date} in {file}"),
    "certificate-issued": ("已出具证明 {number}:{path}", "certificate {number} issued: {path}"),
    "no-id-number": (
        "{id} 没有登记身份证号(personal.yaml 中没有),证明上注明“未登记”",
        "{id} has no ID card number on file (not in personal.yaml); the certificate says so",
    ),
    "unknown-volunteer-option": ("{unit} 的花名册上没有 {id}", "{id} is not on the roster of {unit}"),
    "parquet-missing": (
        "Parquet 导出需要 pyarrow:pip install 'vsledger[parquet]'",
        "Parquet export needs pyarrow: pip install 'vsledger[parquet]'",
    ),
    "parquet-written": (
        "已写入 {path}:{activities} 次活动,{participations} 条参与记录",
        "wrote {path}: {activities} activities, {participations} participations",
    ),
    "did-you-mean": (",是否为 “{suggestion}”?", "; did you mean '{suggestion}'?"),
    "requests-title": ("群众需求(截至 {as_of})", "Community requests (as of {as_of})"),
    "requests-caption": ("共 {count} 项", "{count} requests"),
    "request-id": ("需求编号", "request"),
    "request-kind": ("类型", "kind"),
    "request-kind-project": ("服务项目", "service project"),
    "request-kind-wish": ("微心愿", "small wish"),
    "received": ("点单日期", "received"),
    "days": ("天数", "days"),
    "request-from": ("来自", "from"),
    "request-ask": ("需求内容", "what is asked"),
    "claimed-by": ("接单人", "claimed by"),
    "request-state": ("状态", "state"),
    "request-state-received": ("待派单", "to assign"),
    "request-state-assigned": ("待接单", "to claim"),
    "request-state-claimed": ("待服务", "claimed"),
    "request-state-served": ("已服务", "served"),
    "request-state-closed": ("已结单", "closed"),
    "request-recorded": ("已记录 {step}:{id}({file})", "recorded {step} of {id} in {file}"),
    "step-received": ("点单", "received"),
    "step-assigned": ("派单", "assigned"),
    "step-claimed": ("接单", "claimed"),
    "step-closed": ("结单", "closed"),
    "redeemed": ("已兑换 {hours} 小时({id}),余额 {balance} 小时", "redeemed {hours} hours ({id}); balance {balance} hours"),
    "earned": ("时间银行存入(小时)", "time bank: earned (h)"),
    "spent": ("已兑换", "redeemed"),
    "balance": ("余额", "balance"),
    "stars-caption": (
        "单位:小时;时间银行只计活动时长(不含 prior_hours),减去已兑换",
        "hours; the time bank counts activity hours only (not prior_hours), less redemptions",
    ),
    "prompt-request-from": ("来自(社区、居民)", "from (community, resident)"),
    "prompt-request-ask": ("需求内容", "what is asked"),
    "prompt-request-kind": ("类型 project(服务项目)/ wish(微心愿)", "kind: project | wish"),
    "prompt-team": ("派给哪个服务队(队伍 id)", "assign to which team (team id)"),
    "prompt-claimants": ("接单人(编号或姓名,空格分隔)", "claimed by (ids or names, separated by spaces)"),
    "prompt-reason": ("结单理由", "reason for closing"),
    "prompt-volunteer": ("志愿者(编号或姓名)", "volunteer (id or name)"),
    "prompt-redeem-hours": ("兑换小时数", "hours to redeem"),
    "prompt-redeem-what": ("兑换了什么", "redeemed for what"),
}


def current_lang(explicit: str | None = None) -> str:
    """--lang, then VSLEDGER_LANG, then LANG/LC_ALL (en* gives English); Chinese otherwise."""
    for value in (explicit, os.environ.get("VSLEDGER_LANG")):
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


def ui(key: str, lang: str, **args: Any) -> str:
    zh, en = UI[key]
    return _fill(zh if lang == "zh" else en, args)


def _fill(template: str, args: dict[str, Any]) -> str:
    return template.format_map(defaultdict(str, {k: "" if v is None else v for k, v in args.items()}))


def problem_message(problem: Problem, lang: str) -> str:
    zh, en, _, _ = PROBLEMS.get(problem.code, (problem.code, problem.code, "", ""))
    args = dict(problem.args)
    if problem.code == "not-a-list":
        args["field_note"] = f" ({args['field']})" if args.get("field") else ""
    if problem.code == "personal-data-in-git":
        args["kind_zh"] = {"id_number": "身份证号", "phone": "手机号"}.get(args.get("kind", ""), "号码")
        args["kind_en"] = {"id_number": "ID card number", "phone": "phone number"}.get(args.get("kind", ""), "number")
    if problem.code == "unknown-rule-kind":
        args["suggestion_note"] = ui("did-you-mean", lang, suggestion=args["suggestion"]) if args.get("suggestion") else ""
    return mask_text(_fill(zh if lang == "zh" else en, args))


def problem_hint(problem: Problem, lang: str, extra: str = "") -> str:
    _, _, zh, en = PROBLEMS.get(problem.code, ("", "", "", ""))
    hint = _fill(zh if lang == "zh" else en, dict(problem.args))
    return mask_text(" ".join(part for part in (hint, extra) if part))
