"""The message catalogue: every problem code and every word a user reads.

Problems are data (a code and its arguments); they become sentences only here,
in the language the user chose (`--lang`, `VSLEDGER_LANG`, `LANG`; Chinese by
default). English is the source language, written below; the Chinese is a
gettext catalogue, `locale/zh_CN/LC_MESSAGES/vsledger.po`, compiled to `.mo`
with babel (`python -m tools.i18n` after changing a message here). Every
entry has a context (`problem:<code>`, `hint:<code>`, `ui:<key>`, ...), so one
English word can have two translations. Codes and JSON keys stay English.
"""

from __future__ import annotations

import gettext
import os
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from vsledger.core.personal import mask_text
from vsledger.core.problems import Problem

LANGS = ("zh", "en")
LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "vsledger"
GETTEXT_LANGS = {"zh": "zh_CN"}

# code: (message, hint); a hint says what to do about it ("" when there is nothing to add)
PROBLEMS: dict[str, tuple[str, str]] = {
    "file-too-large": ("file too large ({size} bytes, limit {limit})", "split activities into one file per month"),
    "encoding": (
        "file is not UTF-8 (looks like {encoding})",
        "convert it: iconv -f {encoding} -t UTF-8 in.yaml > out.yaml, or save as UTF-8 in your editor",
    ),
    "nul-byte": ("file contains a NUL byte", "the file may be damaged; restore it from git: git checkout -- FILE"),
    "yaml-syntax": ("YAML syntax error: {detail}", "check indentation and colons; quote text that contains ':' or '#'"),
    "yaml-complex-key": ("a key must be plain text", ""),
    "yaml-merge-key": ("merge keys (<<) are not allowed in ledger files", "write the values out in full"),
    "duplicate-key": ("duplicate key '{key}'", "each field may appear once per record"),
    "yaml-multiple-documents": ("one YAML document per file", "remove the extra '---' line"),
    "yaml-alias": (
        "aliases (*{anchor}) are not allowed in ledger files",
        'quote text that starts with *, e.g. the day of every month is "*-05"; ledgers use no aliases',
    ),
    "yaml-anchor": ("anchors (&{anchor}) are not allowed in ledger files", "remove &{anchor}"),
    "yaml-tag": ("YAML tag {tag} is not allowed", "remove the tag; quote the value if it is text"),
    "control-character": ("text contains the control character {char}", "text pasted from Word may carry invisible characters; retype it"),
    "yaml-too-deep": ("nesting deeper than {limit} levels", ""),
    "invalid-unit-dir": ("unit directory name '{name}' is not a valid id", "use lower-case letters, digits and '-', e.g. xinluo-cdc"),
    "path-outside": ("path '{path}' reaches outside the workspace", "attachment paths are relative to the unit directory, without '..'"),
    "unreadable-file": ("cannot read file: {detail}", ""),
    "missing-file": ("{file} is missing", "vsledger init writes an example"),
    "unit-id-mismatch": ("unit id '{id}' differs from its directory '{dir}'", ""),
    "policy-id-mismatch": ("policy id '{id}' differs from its file name '{file}'", ""),
    "unknown-field": ("unknown field '{field}'", ""),
    "missing-field": ("required field '{field}' is missing", ""),
    "not-a-list": ("expected a list here{field_note}", "each item of a list starts with '- '"),
    "not-a-mapping": ("expected a record of 'field: value' pairs here", ""),
    "duplicate-id": ("duplicate id '{id}'", "ids must be unique within the unit"),
    "bad-file-name": ("activity file '{name}' must be named YYYY-MM.yaml, e.g. 2022-05.yaml", ""),
    "month-mismatch": ("activity dated {date} is not in the month of {file}", "move the record to the file of its month"),
    "personal-unknown-volunteer": ("{id} in personal.yaml is not on the roster", ""),
    "personal-duplicate": ("{field} of {id} is given in both roster.yaml and personal.yaml", "keep it in personal.yaml only"),
    "invalid-choice": ("invalid value for '{field}'; expected one of: {choices}", ""),
    "invalid-number": ("'{field}' must be a whole number, zero or more", ""),
    "invalid-value": ("wrong type for '{field}' (expected {expected})", ""),
    "empty-text": ("'{field}' must not be empty", ""),
    "unquoted-id": ("id {value} must be quoted", 'write "{value}"; unquoted numbers lose leading zeros'),
    "invalid-id": ("id '{value}' is not valid", "use letters, digits and - _ . starting with a letter or digit"),
    "invalid-date": ("'{field}': '{value}' is not a valid date", "write dates as 2022-05-05"),
    "invalid-hours": ("'{field}': '{value}' is not a number of hours", "write hours as a number, e.g. 2 or 2.5"),
    "hours-range": ("hours {value} out of range (more than 0, at most 24)", ""),
    "hours-precision": ("hours {value} has more than two decimal places", ""),
    "invalid-clock": ("'{field}': '{value}' is not a time of day", 'write a quoted "08:30"'),
    "unquoted-number": ("{field} must be quoted (now {masked})", "quote it, or YAML reads it as a number and digits are lost"),
    "invalid-id-number": ("ID card number {masked} is invalid (GB 11643 check digit)", "check the number; write a final X in upper case"),
    "invalid-phone": ("phone {masked} is invalid (11-digit mainland mobile)", ""),
    "invalid-participant": ("a participant is V0001 or {{V0001: 2.5}}", ""),
    "unknown-branch": ("branch '{id}' is not defined in unit.yaml", ""),
    "unknown-team": ("team '{id}' is not defined in unit.yaml", ""),
    "unknown-volunteer": ("volunteer {id} is not on the roster", "add them with vsledger add-volunteer first"),
    "unknown-policy": ("policy '{id}' does not exist", "the policy file would be rules/{id}.yaml"),
    "left-before-joined": ("{id} left before joining", ""),
    "future-date": ("date {date} is in the future", "record it on the day or after"),
    "hours-missing": ("activity {id} has no hours: give hours, or both start and end", ""),
    "time-order": ("end {end} is not after start {start}", ""),
    "hours-exceed-span": ("hours {hours} exceed the time from start to end ({span})", "service hours exclude travel"),
    "no-participants": ("activity {id} has no participants", "to delete a record, add a correction with corrects and empty participants"),
    "duplicate-participant": ("{id} is listed twice in one activity", ""),
    "attachment-missing": ("attachment '{path}' does not exist", ""),
    "not-on-roster": ("{id} was not on the roster on {date}", "check joined / left in the roster"),
    "before-registration": ("{id} was not yet registered on {date}; the hours still count", ""),
    "day-over-24": ("{id} served {hours} hours on {date}, more than 24", ""),
    "day-over-8": ("{id} served {hours} hours on {date}, more than 8", "many platforms cap a day at 8 hours"),
    "invalid-period": ("period '{period}' does not fit report kind {kind}", "plan/annual: 2022, monthly: 2022-05, half-year: 2022-H1"),
    "duplicate-report": ("report {kind} {period} recorded twice", ""),
    "correction-self": ("an entry cannot correct itself ({id})", ""),
    "unknown-correction": ("the corrected entry {id} does not exist", ""),
    "correction-conflict": ("entry {id} is already corrected by {other}", "to correct again, correct the latest correction"),
    "correction-cycle": ("corrections form a cycle ({id})", ""),
    "unknown-rule-kind": ("unknown rule kind '{kind}'{suggestion_note}", "the kinds are listed in rules/README.md"),
    "invalid-rate": ("rate '{value}' is invalid (write 80% or 0.8)", ""),
    "invalid-due": ("due is invalid for {report} reports", 'plan/annual: "05-30"; monthly: 5; half-year: ["06-30", "12-31"]'),
    "changed-underneath": ("the file changed while the record was being written; nothing was written", "run the command again"),
    "locked": ("another vsledger command is writing; try again shortly", ""),
    "layout-unexpected": ("the file is laid out so that a record cannot be appended", "run vsledger fmt, then try again"),
    "duplicate-id-number": ("that ID card number already belongs to {id}; nothing was added", ""),
    "personal-data-in-git": (
        "a file git tracks holds a full {kind_name}",
        "run vsledger personal split to move the numbers into personal.yaml, which stays out of git; the numbers also stay in history until purged (see its output)",
    ),
    "out-inside-ledger": ("an export cannot be written inside ledgers/ or rules/", "choose another place, e.g. --out ledger.xlsx"),
    "out-not-export": ("--out names an existing file that is not an export of this kind; not overwritten", "choose another name"),
    "invalid-thresholds": ("star_thresholds must be a rising list of positive numbers, e.g. [100, 300, 600, 1000, 1500]", ""),
    "import-unreadable": ("cannot read the spreadsheet ({detail})", "use .xlsx or .csv"),
    "import-no-header": ("the first row must be the header, with a 姓名 column at least", ""),
    "import-id-as-number": (
        "row {row}: the ID card number was stored by Excel as a number; its last digits may be lost",
        "format the column as Text and type the numbers again",
    ),
    "import-employment": ("row {row}: unknown employment '{value}'", "use: 在编 (staff), 聘用 (contract), 退休, 居民, 学生, 其他"),
    "fmt-skipped": ("not formatted: the file has errors or a layout fmt does not rewrite (left as it is)", "run vsledger validate first"),
    "invalid-day": ("day '{value}' is invalid (write MM-DD or *-DD)", ""),
    "unknown-request": ("unknown request '{id}' (no received step for it in requests.yaml)", "record it first: vsledger request add"),
    "request-step-order": (
        "the {step} step on {date} comes before {before} ({before_date})",
        "the order is received → assigned → claimed → an activity with request: serves it → closed",
    ),
    "request-closed": ("request {id} was closed on {closed}; nothing can follow it", "to serve it again, record a new request"),
    "duplicate-claim": ("{id} already claimed request {request}", ""),
    "served-unclaimed": ("the activity serves request {id}, which nobody has claimed", "record the claim first: vsledger request claim"),
    "served-before-claim": (
        "the activity on {date} comes before request {id} was claimed ({claimed})",
        "the order is received → assigned → claimed → an activity with request: serves it → closed",
    ),
    "request-fulfilled-twice": (
        "wish {id} was already fulfilled by activity {other}",
        "a wish is fulfilled once; record ongoing service as kind: project",
    ),
    "negative-balance": (
        "{id} redeems {hours} hours on {date} with only {balance} hours in the time bank",
        "a redemption cannot exceed the hours earned by that day",
    ),
}

UI: dict[str, str] = {
    "error": "error",
    "warning": "warning",
    "hint": "hint",
    "no-problems": "no problems found",
    "problems-summary": "{errors} errors, {warnings} warnings",
    "ledger-invalid": "the ledger has {errors} errors; run vsledger validate",
    "ledger-warnings": "the ledger has {warnings} warnings; run vsledger validate",
    "pass": "met",
    "fail": "missed",
    "pending": "pending",
    "n/a": "n/a",
    "unit": "unit",
    "name": "name",
    "policy": "policy",
    "no-policy": "no policy for this year",
    "rule": "rule",
    "kind": "kind",
    "level": "level",
    "status": "status",
    "actual": "actual",
    "target": "target",
    "shortfall": "falls short",
    "text": "clause",
    "overview": "Compliance {year} (as of {as_of})",
    "unit-results": "{name} ({unit}) · {policy}",
    "summary": "Total: met {pass} · missed {fail} · pending {pending} · n/a {na}",
    "legend": "Legend: ✔ met  ✘ missed  … pending  – n/a",
    "hours": "hours",
    "activities": "activities",
    "hours-title": "Service hours {year} (by {by})",
    "by-volunteer": "volunteer",
    "by-team": "team",
    "by-month": "month",
    "by-category": "category",
    "by-unit": "unit",
    "total": "total",
    "none": "(none)",
    "file": "file",
    "line": "line",
    "column": "column",
    "code": "code",
    "message": "message",
    "unknown-unit": "unknown unit: {unit} (known: {known})",
    "bad-workspace": "not a vsledger workspace: {root} (no ledgers/ or rules/)",
    "bad-year": "--as-of {as_of} is not in {year}",
    "year-not-started": "{year} has not begun",
    "or-more": "and {count} more",
    "added": "written to {file}: {id}",
    "refused": "not written:",
    "preview": "to be written to {file}:",
    "confirm": "write it?",
    "cancelled": "cancelled; nothing written",
    "missing-option": "{option} is missing (no prompts without a terminal)",
    "committed": "committed to git",
    "commit-failed": "git commit failed: {error}",
    "prompt-date": "date",
    "prompt-title": "title",
    "prompt-location": "location",
    "prompt-hours": "hours per person",
    "prompt-participants": "participants (ids or names, separated by commas or spaces)",
    "prompt-name": "name",
    "prompt-employment": "employment",
    "roster-choices": "roster:",
    "unknown-name": "no one called '{name}' on the roster",
    "ambiguous-name": "'{name}' is ambiguous ({ids}); use the id",
    "init-done": "workspace created in {root}",
    "init-not-empty": "{root} already has ledgers/ or rules/; nothing changed",
    "fmt-would-change": "would reformat: {file}",
    "fmt-changed": "reformatted: {file}",
    "fmt-clean": "every file is in the canonical layout",
    "split-moved": "{unit}: moved the numbers of {count} volunteers to personal.yaml",
    "split-kept": "{unit}: these volunteers' numbers share a line with other content or a comment and were not moved; move them by hand: {ids}",
    "split-nothing": "{unit}: roster.yaml holds no ID card or phone numbers",
    "split-gitignore": "added ledgers/*/personal.yaml to .gitignore",
    "split-history": "The numbers are still in git history. To purge them: 1) install git-filter-repo; 2) write each number as a line `NUMBER==>***` in numbers.txt (do not commit it); 3) run git filter-repo --replace-text numbers.txt; 4) if personal.yaml was ever committed, git rm --cached it first; 5) force-push and have everyone clone afresh.",
    "exported": "exported {path}",
    "stars-title": "Cumulative hours and star level",
    "stars": "stars",
    "to-next": "to next star",
    "import-preview": "{count} volunteers to import",
    "import-done": "imported {count} volunteers",
    "import-refused": "the spreadsheet has errors; nothing was imported",
    "row": "row",
    "party": "party",
    "bad-period": "period '{period}' is invalid: 2022-05 for monthly, 2022-H1 for half-year",
    "report-recorded": "recorded the hand-in on {date} in {file}",
    "certificate-issued": "certificate {number} issued: {path}",
    "no-id-number": "{id} has no ID card number on file (not in personal.yaml); the certificate says so",
    "unknown-volunteer-option": "{id} is not on the roster of {unit}",
    "parquet-missing": "Parquet export needs pyarrow: pip install 'vsledger[parquet]'",
    "parquet-written": "wrote {path}: {activities} activities, {participations} participations",
    "did-you-mean": "; did you mean '{suggestion}'?",
    "requests-title": "Community requests (as of {as_of})",
    "requests-caption": "{count} requests",
    "request-id": "request",
    "request-kind": "kind",
    "request-kind-project": "service project",
    "request-kind-wish": "small wish",
    "received": "received",
    "days": "days",
    "request-from": "from",
    "request-ask": "what is asked",
    "claimed-by": "claimed by",
    "request-state": "state",
    "request-state-received": "to assign",
    "request-state-assigned": "to claim",
    "request-state-claimed": "claimed",
    "request-state-served": "served",
    "request-state-closed": "closed",
    "request-recorded": "recorded {step} of {id} in {file}",
    "step-received": "received",
    "step-assigned": "assigned",
    "step-claimed": "claimed",
    "step-closed": "closed",
    "redeemed": "redeemed {hours} hours ({id}); balance {balance} hours",
    "earned": "time bank: earned (h)",
    "spent": "redeemed",
    "balance": "balance",
    "stars-caption": "hours; the time bank counts activity hours only (not prior_hours), less redemptions",
    "prompt-request-from": "from (community, resident)",
    "prompt-request-ask": "what is asked",
    "prompt-request-kind": "kind: project | wish",
    "prompt-team": "assign to which team (team id)",
    "prompt-claimants": "claimed by (ids or names, separated by spaces)",
    "prompt-reason": "reason for closing",
    "prompt-volunteer": "volunteer (id or name)",
    "prompt-redeem-hours": "hours to redeem",
    "prompt-redeem-what": "redeemed for what",
    "chart-hours-by-team": "Service hours by team",
    "chart-units": "{count} units together",
    "chart-unit-months": "{unit}: service hours by month",
    "chart-unit-teams": "{unit}: service hours by team",
    "schema-written": "wrote {path}",
    "schema-current": "the {count} schemas in {path} are up to date",
    "schema-hint": (
        "In VS Code, install the YAML extension (redhat.vscode-yaml): a file whose first line is"
        " '# yaml-language-server: $schema=…' is checked and completed as you type."
    ),
    "not-a-directory": "{path} is not a directory",
    "progress-reading": "Reading files",
    "progress-building": "Building ledgers",
    "progress-checking": "Checking units",
    "progress-exporting": "Writing rows",
    "progress-saving": "Saving workbook",
    "number-id_number": "ID card number",
    "number-phone": "phone number",
    "number-other": "number",
    "yes": "yes",
    "no": "no",
    "chart-hours-by-month": "Service hours by month",
    "chart-hours-axis": "hours",
    "web-app": "Volunteer service ledger",
    "web-overview": "Overview",
    "web-problems": "Problems",
    "web-read-only": "read-only",
    "web-year": "Year",
    "web-as-of": "As of",
    "web-show": "Show",
    "web-workspace-errors": "{count} errors in rules or the workspace",
    "web-errors": "{count} errors",
    "web-warnings": "{count} warnings",
    "web-no-units": "No units in this workspace yet.",
    "web-record": "Record an activity",
    "web-add-volunteer": "Add a volunteer",
    "web-activities": "Activities",
    "web-workbook": "Download the ledger workbook (xlsx)",
    "web-problems-count": "{count} problems",
    "web-hours-total": "Service hours in {year}: {hours} h",
    "web-results": "Against the plan",
    "web-charts": "Hours",
    "web-roster": "Roster",
    "web-hours-year": "Hours {year}",
    "web-downloads": "Downloads",
    "web-monthly-report": "Monthly report",
    "web-download": "Download",
    "web-masked-note": "ID card and phone numbers are masked on every page and in every download.",
    "web-cumulative": "Cumulative hours (with prior hours)",
    "web-time-bank": "Time bank",
    "web-bank-line": "earned {earned} h, redeemed {redeemed} h, balance {balance} h",
    "web-id-number": "ID card number",
    "web-phone": "Phone",
    "web-registered-on": "Registered on",
    "web-date": "Date",
    "web-title": "Title",
    "web-certificate": "Service certificate",
    "web-from": "From",
    "web-to": "To",
    "web-signer": "Person in charge",
    "web-handler": "Handler",
    "web-contact": "Contact",
    "web-certificate-note": "The certificate is numbered and entered in certificates.yaml; the ID card number on it is masked.",
    "web-issue-certificate": "Issue the certificate (PDF)",
    "web-month": "Month",
    "web-all": "all",
    "web-volunteer": "Volunteer",
    "web-filter": "Filter",
    "web-activities-count": "{count} activities, {hours} hours",
    "web-showing": "showing the first {shown} of {count}",
    "web-more-problems": "{count} more not shown; run vsledger validate to see them all",
    "web-not-written": "Nothing was written. Correct the fields marked below.",
    "web-hours-each": "Hours each",
    "web-or": "or",
    "web-start": "Start",
    "web-end": "End",
    "web-participants": "Participants",
    "web-team": "Team",
    "web-category": "Category",
    "web-tags": "Tags",
    "web-tags-example": "e.g. 集中 学雷锋日",
    "web-more-fields": "More: whom it served, people served, lead, content, outcome",
    "web-target": "Served group",
    "web-served": "People served",
    "web-external": "Participants not on the roster",
    "web-lead": "Lead",
    "web-content": "Content",
    "web-outcome": "Outcome",
    "web-location": "Location",
    "web-clerk": "Recorded by (your name)",
    "web-commit": "Commit to git under this name",
    "web-save": "Save",
    "web-name": "Name",
    "web-volunteer-id": "Volunteer id",
    "web-generated": "generated",
    "web-gender": "Gender",
    "web-employment": "Employment",
    "web-party-member": "Party member",
    "web-branch": "Branch",
    "web-teams": "Teams",
    "web-personal-note": "ID card and phone numbers are written to personal.yaml, which stays out of git.",
    "web-joined": "Joined",
    "web-registration-no": "Platform volunteer number",
    "web-written": "Written",
    "web-back-to-unit": "Back to the unit",
    "web-record-another": "Record another",
    "web-not-found": "Not found",
    "web-bad-year": "'{year}' is not a year",
    "web-bad-date": "'{value}' is not a date (YYYY-MM-DD)",
    "web-bad-month": "'{value}' is not a month (YYYY-MM)",
    "web-bad-volunteer": "'{value}' is not a volunteer id",
    "web-bad-count": "'{value}' is not a whole number",
    "web-hours-needed": "give the hours each, or the start and end times",
    "web-required": "required",
    "web-choose": "choose one of the options",
    "web-csrf": "This form has expired or did not come from this page; reload the page and submit again. Nothing was written.",
    "web-refused-host": "This address is not served here: open the app at 127.0.0.1 or localhost.",
    "web-refused-token": "A token is required: open the address that vsledger serve printed (with ?token=…).",
    "web-employment-staff": "staff",
    "web-employment-contract": "contract",
    "web-employment-retired": "retired",
    "web-employment-resident": "resident",
    "web-employment-student": "student",
    "web-employment-other": "other",
    "serve-listening": "vsledger serve: {url} (Ctrl-C to stop)",
    "serve-token": "listening beyond this machine: the address above carries the access token; give it only to those who may use the ledger",
    "serve-missing": "the web app needs its extra: pip install 'vsledger[web]'",
    "web-correct": "Correct",
    "web-withdraw": "Withdraw",
    "web-correcting": "Correcting {id}: the entry saved here replaces it in every total; both stay in the file and in git.",
    "web-withdraw-confirm": "Withdraw {id}? A correcting entry with no participants is appended, so it counts nowhere from now on; the original stays in the file and in git.",
    "web-overrides": "Hours that differ from the hours each (e.g. V0005=2.5)",
    "web-bad-exception": "'{value}' is not an id with its hours, such as V0005=2.5",
}


@cache
def _catalogue(lang: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[GETTEXT_LANGS[lang]], fallback=True)


def translate(context: str, english: str, lang: str) -> str:
    """`english` in the user's language; English when the catalogue has no entry for it."""
    if lang == "en" or not english:
        return english
    return _catalogue(lang).pgettext(context, english)


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
    return _fill(translate(f"ui:{key}", UI[key], lang), args)


def _fill(template: str, args: dict[str, Any]) -> str:
    return template.format_map(defaultdict(str, {k: "" if v is None else v for k, v in args.items()}))


def problem_message(problem: Problem, lang: str) -> str:
    message, _ = PROBLEMS.get(problem.code, (problem.code, ""))
    args = dict(problem.args)
    if problem.code == "not-a-list":
        args["field_note"] = f" ({args['field']})" if args.get("field") else ""
    if problem.code == "personal-data-in-git":
        kind = args.get("kind", "")
        args["kind_name"] = ui(f"number-{kind}" if kind in ("id_number", "phone") else "number-other", lang)
    if problem.code == "unknown-rule-kind":
        args["suggestion_note"] = ui("did-you-mean", lang, suggestion=args["suggestion"]) if args.get("suggestion") else ""
    return mask_text(_fill(translate(f"problem:{problem.code}", message, lang), args))


def problem_hint(problem: Problem, lang: str, extra: str = "") -> str:
    _, hint = PROBLEMS.get(problem.code, ("", ""))
    text = _fill(translate(f"hint:{problem.code}", hint, lang), dict(problem.args))
    return mask_text(" ".join(part for part in (text, extra) if part))
