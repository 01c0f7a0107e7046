"""Commands that record what happened: add-activity, add-volunteer, request …, redeem."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

if TYPE_CHECKING:
    from vsledger.core.ledger import UnitLedger, Workspace

from vsledger.cli.common import (
    CommitOption,
    Format,
    FormatOption,
    OneUnitOption,
    Settings,
    UnitOption,
    _complete_team,
    _complete_volunteer,
    _confirm,
    _interactive,
    _load,
    _load_single_unit,
    _need,
    _optional_date,
    _parse_date,
    _render_and_exit,
    _report_added,
    _report_ledger_state,
    _resolve_people,
    _select_units,
    _settings,
    _show_refusal,
    _split_people,
    _usage_error,
    app,
    option_group,
)

YesOption = Annotated[bool, typer.Option("--yes", help="不确认,直接写入 / write without asking")]

TeamOption = Annotated[Optional[str], typer.Option("--team", autocompletion=_complete_team, help="服务队 id / team id")]


@dataclass(frozen=True)
class ActivityFlags:
    """An activity's fields as options: add-activity gives them, correct changes them (None: not given).

    Declared once, so the two commands cannot drift and a new field is one edit here.
    """

    date_: Annotated[Optional[str], typer.Option("--date", help="YYYY-MM-DD")] = None
    title: Annotated[Optional[str], typer.Option("--title", help="活动名称 / title")] = None
    location: Annotated[Optional[str], typer.Option("--location", help="地点 / where")] = None
    hours: Annotated[Optional[str], typer.Option("--hours", help="每人时长 / hours per person")] = None
    start: Annotated[Optional[str], typer.Option("--start", help="HH:MM")] = None
    end: Annotated[Optional[str], typer.Option("--end", help="HH:MM")] = None
    participant: Annotated[
        Optional[list[str]],
        typer.Option(
            "--participant",
            "-p",
            autocompletion=_complete_volunteer,
            help="V0001 或 V0001=2.5;更正时写全部 / V0001 or V0001=2.5; all when correcting",
        ),
    ] = None
    team: TeamOption = None
    category: Annotated[Optional[str], typer.Option("--category", help="类别,如 义诊 / category")] = None
    tag: Annotated[
        Optional[list[str]],
        typer.Option(
            "--tag", help="标签,可多次给出或用逗号、顿号隔开;更正时写全部 / tags, repeatable or separated by commas; all when correcting"
        ),
    ] = None
    external: Annotated[Optional[int], typer.Option("--external", min=0, help="花名册外参与人次 / participants not on the roster")] = None
    served: Annotated[Optional[int], typer.Option("--served", min=0, help="服务人次 / people served")] = None
    target: Annotated[Optional[str], typer.Option("--target", help="服务对象 / whom it served")] = None
    lead: Annotated[Optional[str], typer.Option("--lead", autocompletion=_complete_volunteer, help="负责人编号 / who led it")] = None
    recorded_by: Annotated[Optional[str], typer.Option("--recorded-by", help="记录人 / recorded by")] = None
    content: Annotated[Optional[str], typer.Option("--content", help="活动内容 / what happened")] = None
    outcome: Annotated[Optional[str], typer.Option("--outcome", help="活动成效 / what came of it")] = None
    attachment: Annotated[
        Optional[list[str]],
        typer.Option("--attachment", help="附件路径,可多次给出;更正时写全部 / attachment, repeatable; all when correcting"),
    ] = None
    request: Annotated[Optional[str], typer.Option("--request", help="所服务的群众需求编号 / the request it serves")] = None

    def fields(self, ledger: UnitLedger) -> dict[str, Any]:
        """The record fields as typed values, None where not given; a TypedError says which flag is wrong."""
        from vsledger.cli.prompts import named_id
        from vsledger.core.typed import normalize, parse_date, split_list

        return {
            "title": self.title, "team": named_id(self.team, ledger, "team"), "category": self.category,
            "tags": [tag for item in self.tag or [] for tag in split_list(item, slash=False)] or None,
            "location": self.location, "target": self.target, "served": self.served,
            "date": parse_date(self.date_) if self.date_ else None,
            "hours": normalize(self.hours) if self.hours else None,
            "start": _clock(self.start), "end": _clock(self.end),
            "participants": _flag_people(self.participant, ledger) or None,
            "external": self.external, "lead": self.lead, "recorded_by": self.recorded_by,
            "content": self.content, "outcome": self.outcome,
            "attachments": self.attachment or None, "request": self.request,
        }  # fmt: skip


@dataclass(frozen=True)
class ActivityWrite:
    """How an activity record (new, a correction or a withdrawal) is written: shown and confirmed unless --yes, committed with --commit."""

    commit: CommitOption = False
    yes: YesOption = False

    def append(self, settings: Settings, workspace: Workspace, unit: str, fields: dict[str, Any], generated: bool = False) -> None:
        """Append the record to its month file, shown first on a terminal."""
        from vsledger.write.add import activity_record, add_activity
        from vsledger.write.layout import record_text
        from vsledger.write.transaction import WriteRefused

        record = activity_record(fields, workspace, unit)
        record.setdefault("participants", [])
        _confirm(record_text("activities", record), f"ledgers/{unit}/activities/{record['date']:%Y-%m}.yaml", self.yes, settings)
        try:
            added = add_activity(settings.root, unit, record, settings.today, commit=self.commit, generated=generated)
        except WriteRefused as exc:
            raise _show_refusal(exc, settings.root, settings) from None
        _report_added(added, settings.root, settings)

    def amend(self, settings: Settings, unit: str | None, activity: str, amend: Callable[[UnitLedger], dict[str, Any]]) -> None:
        """Append the record `amend` makes of the activity (a correction or a withdrawal); an unknown id is a usage error."""
        from vsledger.render.messages import ui
        from vsledger.write.correct import NotFound

        workspace, unit_id = _find_activity_unit(settings, unit, activity)
        try:
            record = amend(workspace.units[unit_id])
        except NotFound as exc:
            if exc.withdrawn_by is not None:
                raise _usage_error(ui("activity-withdrawn", settings.lang, id=activity, by=exc.withdrawn_by)) from None
            raise _usage_error(ui("activity-not-found", settings.lang, id=activity, units=unit_id)) from None
        if record["corrects"] != activity:  # a chain: what is corrected is its latest version, said so
            typer.echo(ui("corrects-latest", settings.lang, id=activity, latest=record["corrects"]))
        self.append(settings, workspace, unit_id, record)


def _clock(text: str | None) -> str | None:
    """`--start` or `--end` as HH:MM; a TypedError says what is wrong with it."""
    from vsledger.core.typed import parse_clock

    return parse_clock(text).strftime("%H:%M") if text else None


def _flag_people(participant: list[str] | None, ledger: UnitLedger) -> list[str]:
    """The `--participant` flags (each may list several) as roster ids, an unknown id left for validation to report."""
    from vsledger.cli.prompts import resolve_people
    from vsledger.core.typed import split_list

    return resolve_people([p for item in participant or [] for p in split_list(item)], ledger, strict=False)


@app.command("add-activity")
@option_group("given", ActivityFlags)
@option_group("write", ActivityWrite)
def add_activity_command(
    ctx: typer.Context,
    unit: OneUnitOption,
    given: ActivityFlags,
    corrects: Annotated[Optional[str], typer.Option("--corrects", help="被更正的活动编号 / id of the activity this corrects")] = None,
    id_: Annotated[Optional[str], typer.Option("--id", help="活动编号,默认自动生成 / activity id (default: generated)")] = None,
    *,
    write: ActivityWrite,
) -> None:
    """记录一次活动(追加到当月文件)/ append one activity to its month file."""
    from vsledger.cli.prompts import ask_activity, say_typed_error
    from vsledger.core.typed import TypedError
    from vsledger.render.messages import ui
    from vsledger.write.add import parse_participant

    settings = _settings(ctx)
    workspace, unit = _load_single_unit(unit, settings)
    ledger = workspace.units[unit]
    try:
        fields: dict[str, Any] = {"id": id_, **given.fields(ledger), "corrects": corrects}
    except TypedError as exc:
        raise _usage_error(say_typed_error(exc, settings.lang)) from None
    if bool(fields["start"]) != bool(fields["end"]) and fields["hours"] is None:
        raise _usage_error(ui("missing-start-or-end", settings.lang, given="--start" if fields["start"] else "--end"))
    if _interactive():
        policy = workspace.policies.get((ledger.unit.policy_for(fields["date"].year) if ledger.unit and fields["date"] else None) or "")
        categories = list(getattr(policy.policy, "categories", None) or []) if policy else []
        fields = ask_activity(settings.lang, fields, ledger, settings.today, categories)
    else:
        for value, option in ((fields["date"], "--date"), (fields["title"], "--title"), (fields["location"], "--location")):
            if not value:
                raise _usage_error(ui("missing-option", settings.lang, option=option))
        if fields["hours"] is None and not fields["start"]:
            raise _usage_error(ui("missing-option", settings.lang, option="--hours"))
        if not fields["participants"] and corrects is None:
            raise _usage_error(ui("missing-option", settings.lang, option="--participant"))
    fields["participants"] = [parse_participant(p) for p in fields["participants"] or []]
    write.append(settings, workspace, unit, fields, generated=id_ is None)


@app.command("add-volunteer")
def add_volunteer_command(
    ctx: typer.Context,
    unit: OneUnitOption,
    name: Annotated[Optional[str], typer.Option("--name", help="姓名 / name")] = None,
    employment: Annotated[
        Optional[str],
        typer.Option(
            "--employment", help="在编 | 聘用 | 退休 | 居民 | 学生 | 其他 (staff | contract | retired | resident | student | other)"
        ),
    ] = None,
    id_: Annotated[Optional[str], typer.Option("--id", help="志愿者编号,默认自动生成 / id (default: generated, e.g. V0042-k7q)")] = None,
    gender: Annotated[Optional[str], typer.Option("--gender", help="性别 / gender")] = None,
    id_number: Annotated[Optional[str], typer.Option("--id-number", help="身份证号,写入 personal.yaml / kept in personal.yaml")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone", help="写入 personal.yaml / kept in personal.yaml")] = None,
    party_member: Annotated[bool, typer.Option("--party-member/--not-party-member", help="是否党员 / party member or not")] = False,
    branch: Annotated[Optional[str], typer.Option("--branch", help="党支部 id / branch id")] = None,
    team: Annotated[
        Optional[list[str]], typer.Option("--team", autocompletion=_complete_team, help="服务队 id,可多次给出 / team id, repeatable")
    ] = None,
    joined: Annotated[Optional[str], typer.Option("--joined", help="加入日期 / joined (YYYY-MM-DD)")] = None,
    left: Annotated[Optional[str], typer.Option("--left", help="离开日期 / left (YYYY-MM-DD)")] = None,
    registered_on: Annotated[
        Optional[str], typer.Option("--registered-on", help="平台注册日期 / registered on the platform (YYYY-MM-DD)")
    ] = None,
    registration_no: Annotated[Optional[str], typer.Option("--registration-no", help="平台志愿者编号 / the platform's number")] = None,
    platform: Annotated[Optional[str], typer.Option("--platform", help="注册平台 / which platform")] = None,
    checked_in_on: Annotated[
        Optional[str], typer.Option("--checked-in-on", help="到社区报到日期 / checked in with the community (YYYY-MM-DD)")
    ] = None,
    community: Annotated[Optional[str], typer.Option("--community", help="报到社区 / community")] = None,
    skill: Annotated[Optional[list[str]], typer.Option("--skill", help="技能,可多次给出 / skill, repeatable")] = None,
    prior_hours: Annotated[Optional[str], typer.Option("--prior-hours", help="以往服务时长 / hours served before this ledger")] = None,
    commit: Annotated[bool, typer.Option("--commit", help="git add + git commit (roster.yaml only)")] = False,
    yes: YesOption = False,
) -> None:
    """登记一名志愿者 / add one volunteer to the roster."""
    from vsledger.cli.prompts import ask_volunteer, named_id, say_typed_error
    from vsledger.core.filekinds import PERSONAL_FIELDS
    from vsledger.core.typed import TypedError, parse_employment, parse_phone, split_list
    from vsledger.render.messages import ui
    from vsledger.write.add import add_volunteer
    from vsledger.write.layout import record_text
    from vsledger.write.transaction import WriteRefused

    settings = _settings(ctx)
    workspace, unit = _load_single_unit(unit, settings)
    try:
        employment_code = parse_employment(employment) if employment else "staff"
        phone = parse_phone(phone) if phone else None
    except TypedError as exc:
        raise _usage_error(say_typed_error(exc, settings.lang)) from None
    if not name and not _interactive():
        raise _usage_error(ui("missing-option", settings.lang, option="--name"))
    record = {
        "id": id_,
        "name": name,
        "gender": gender,
        "id_number": id_number,
        "phone": phone,
        "party_member": party_member or None,
        "employment": employment_code,
        "branch": named_id(branch, workspace.units[unit], "branch"),
        "teams": [named_id(t, workspace.units[unit], "team") for item in team or [] for t in split_list(item)],
        "joined": _optional_date(joined, "--joined"),
        "left": _optional_date(left, "--left"),
        "registered_on": _optional_date(registered_on, "--registered-on"),
        "registration_no": registration_no,
        "platform": platform,
        "checked_in_on": _optional_date(checked_in_on, "--checked-in-on"),
        "community": community,
        "skills": skill or [],
        "prior_hours": prior_hours,
    }
    if _interactive():
        given = {key for key, value in (("employment", employment), ("party_member", party_member or None)) if value is not None}
        record = ask_volunteer(settings.lang, record, workspace.units[unit], given)
    shown = {k: v for k, v in record.items() if k not in PERSONAL_FIELDS}
    _confirm(
        record_text("roster", {k: v for k, v in shown.items() if v not in (None, [], "")}), f"ledgers/{unit}/roster.yaml", yes, settings
    )
    try:
        added = add_volunteer(settings.root, unit, record, settings.today, commit=commit)
    except WriteRefused as exc:
        raise _show_refusal(exc, settings.root, settings) from None
    _report_added(added, settings.root, settings)


request_app = typer.Typer(help="群众需求:点单、派单、接单、结单 / community requests and small wishes", no_args_is_help=True)


app.add_typer(request_app, name="request")


class RequestKindOption(StrEnum):
    project = "project"
    wish = "wish"


RequestArgument = Annotated[str, typer.Argument(help="需求编号 / request id")]


@dataclass(frozen=True)
class StepFlags:
    """What recording a request step or a redemption is given besides its unit and its own fields: the day, --commit."""

    date_: Annotated[Optional[str], typer.Option("--date", help="YYYY-MM-DD (default: today)")] = None
    commit: CommitOption = False

    def open(self, ctx: typer.Context, unit: str) -> tuple[Settings, Workspace, str]:
        """The settings, the workspace loaded, and the unit's id; an unknown unit or a bad --date is a usage
        error here, before any question is asked."""
        settings = _settings(ctx)
        self.day(settings)
        workspace, unit = _load_single_unit(unit, settings)
        return settings, workspace, unit

    def day(self, settings: Settings) -> date:
        return _parse_date(self.date_, "--date") if self.date_ else settings.today

    def record(self, settings: Settings, unit: str, record: dict[str, Any]) -> None:
        """Append one step of a request, dated, and say what was written."""
        from vsledger.render.messages import ui
        from vsledger.write.add import add_request_step
        from vsledger.write.transaction import WriteRefused

        try:
            added = add_request_step(settings.root, unit, {**record, "date": self.day(settings)}, settings.today, commit=self.commit)
        except WriteRefused as exc:
            raise _show_refusal(exc, settings.root, settings) from None
        step = ui(f"step-{record['step']}", settings.lang)
        _report_added(added, settings.root, settings, ui("request-recorded", settings.lang, step=step, id=added.record_id, file=added.file))


@request_app.command("add")
@option_group("step", StepFlags)
def request_add(
    ctx: typer.Context,
    unit: OneUnitOption,
    from_: Annotated[Optional[str], typer.Option("--from", help="提出需求的社区或居民 / who asks")] = None,
    ask: Annotated[Optional[str], typer.Option("--ask", help="需求内容 / what is asked")] = None,
    kind: Annotated[Optional[RequestKindOption], typer.Option("--kind", help="project(服务项目)| wish(微心愿)")] = None,
    id_: Annotated[Optional[str], typer.Option("--id", help="default: R + date + random")] = None,
    *,
    step: StepFlags,
) -> None:
    """点单:登记一项群众需求或微心愿 / record a request received."""
    settings, _, unit = step.open(ctx, unit)
    step.record(settings, unit, {
        "request": id_, "step": "received",
        "from": _need(from_, "--from", "prompt-request-from", settings),
        "ask": _need(ask, "--ask", "prompt-request-ask", settings),
        "kind": kind.value if kind else _need(None, "--kind", "prompt-request-kind", settings, "wish"),
    })  # fmt: skip


@request_app.command("assign")
@option_group("step", StepFlags)
def request_assign(ctx: typer.Context, request: RequestArgument, unit: OneUnitOption, team: TeamOption = None, *, step: StepFlags) -> None:
    """派单:把需求派给一个服务队 / assign a request to a team."""
    from vsledger.cli.prompts import named_id

    settings, workspace, unit = step.open(ctx, unit)
    given = _need(team, "--team", "prompt-team", settings)
    step.record(settings, unit, {"request": request, "step": "assigned", "team": named_id(given, workspace.units[unit], "team") or given})


@request_app.command("claim")
@option_group("step", StepFlags)
def request_claim(
    ctx: typer.Context,
    request: RequestArgument,
    unit: OneUnitOption,
    volunteer: Annotated[
        Optional[list[str]],
        typer.Option("--volunteer", "-v", autocompletion=_complete_volunteer, help="编号或姓名,可多次给出 / id or name, repeatable"),
    ] = None,
    *,
    step: StepFlags,
) -> None:
    """接单:志愿者(党员)认领需求 / volunteers claim a request."""
    settings, workspace, unit = step.open(ctx, unit)
    people = list(volunteer or []) or _split_people(_need(None, "--volunteer", "prompt-claimants", settings))
    step.record(settings, unit, {"request": request, "step": "claimed", "volunteers": _resolve_people(people, workspace, unit, settings)})


@request_app.command("close")
@option_group("step", StepFlags)
def request_close(
    ctx: typer.Context,
    request: RequestArgument,
    unit: OneUnitOption,
    reason: Annotated[Optional[str], typer.Option("--reason", help="结单理由 / why it is closed")] = None,
    *,
    step: StepFlags,
) -> None:
    """结单:说明理由后关闭需求 / close a request, with the reason."""
    settings, _, unit = step.open(ctx, unit)
    step.record(settings, unit, {"request": request, "step": "closed", "reason": _need(reason, "--reason", "prompt-reason", settings)})


@request_app.command("list")
def request_list(
    ctx: typer.Context,
    unit: UnitOption = None,
    all_: Annotated[bool, typer.Option("--all", help="也列出已回应的 / answered ones too")] = False,
    team: Annotated[Optional[str], typer.Option("--team", autocompletion=_complete_team, help="只看派给该队的 / only this team's")] = None,
    volunteer: Annotated[
        Optional[str], typer.Option("--volunteer", "-v", autocompletion=_complete_volunteer, help="只看该志愿者接的 / only this claimant's")
    ] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="YYYY-MM-DD (default: today)")] = None,
    format: FormatOption = Format.table,
) -> None:
    """未回应的群众需求,按等待天数排列 / open requests, longest waiting first."""
    from vsledger.render.views import requests_view
    from vsledger.report.requests import requests_report

    settings = _settings(ctx)
    cutoff = _parse_date(as_of, "--as-of") if as_of else settings.today
    workspace = _load(settings, locate=False, only_units=unit)
    units = _select_units(workspace, unit, settings)
    rows = requests_report(workspace, units, cutoff, all_, team, volunteer)
    _report_ledger_state(workspace.problems, settings)
    _render_and_exit(format, requests_view(rows, cutoff, settings.lang), bool(workspace.errors))


RedeemerOption = Annotated[
    Optional[str], typer.Option("--volunteer", "-v", autocompletion=_complete_volunteer, help="编号或姓名 / id or name")
]
SpentHoursOption = Annotated[Optional[str], typer.Option("--hours", help="兑换小时数 / hours to spend")]
SpentOnOption = Annotated[Optional[str], typer.Option("--what", help="兑换了什么 / what they were exchanged for")]


@app.command()
@option_group("step", StepFlags)
def redeem(
    ctx: typer.Context,
    unit: OneUnitOption,
    volunteer: RedeemerOption = None,
    hours: SpentHoursOption = None,
    what: SpentOnOption = None,
    *,
    step: StepFlags,
) -> None:
    """时间银行:兑换服务时长,余额不足时拒绝 / spend time-bank hours; refused beyond the balance."""
    from decimal import Decimal, InvalidOperation

    from vsledger.check.timebank import time_bank
    from vsledger.render.messages import ui
    from vsledger.write.add import add_redemption
    from vsledger.write.transaction import WriteRefused

    settings, workspace, unit = step.open(ctx, unit)
    who = _resolve_people([_need(volunteer, "--volunteer", "prompt-volunteer", settings)], workspace, unit, settings)[0]
    amount_text = _need(hours, "--hours", "prompt-redeem-hours", settings)
    try:
        amount: Decimal | str = Decimal(amount_text)
    except InvalidOperation:
        amount = amount_text  # the model reports it, located
    record = {"volunteer": who, "date": step.day(settings), "hours": amount, "what": _need(what, "--what", "prompt-redeem-what", settings)}
    try:
        added = add_redemption(settings.root, unit, record, settings.today, commit=step.commit)
    except WriteRefused as exc:
        raise _show_refusal(exc, settings.root, settings) from None
    after = _load(settings, only_units=[unit])
    balance = time_bank(after.units[unit], settings.today).get(who)
    _report_added(
        added, settings.root, settings, ui("redeemed", settings.lang, id=who, hours=amount, balance=balance.balance if balance else 0)
    )


def _find_activity_unit(settings: Settings, unit: str | None, activity_id: str) -> tuple[Workspace, str]:
    """The unit holding `activity_id`: the one given, or the only one that has it."""
    from vsledger.render.messages import ui

    if unit is not None:
        return _load_single_unit(unit, settings)
    workspace = _load(settings)
    holders = [u for u, ledger in workspace.units.items() if activity_id in ledger.known_activity_ids]
    if len(holders) != 1:
        key = "activity-not-anywhere" if not holders else "activity-in-several-units"
        raise _usage_error(ui(key, settings.lang, id=activity_id, units=", ".join(holders)))
    return workspace, holders[0]


ActivityIdArgument = Annotated[str, typer.Argument(help="活动编号 / activity id")]
AnyUnitOption = Annotated[
    Optional[str], typer.Option("--unit", "-u", help="单位 id(默认:含此活动的单位)/ unit id (default: the one that has it)")
]


@app.command()
@option_group("given", ActivityFlags)
@option_group("write", ActivityWrite)
def correct(
    ctx: typer.Context,
    activity: ActivityIdArgument,
    unit: AnyUnitOption = None,
    given: ActivityFlags = ActivityFlags(),
    *,
    write: ActivityWrite,
) -> None:
    """更正一条活动记录,只写要改的字段 / correct an activity: give only what changes."""
    from vsledger.cli.prompts import say_typed_error
    from vsledger.core.typed import TypedError
    from vsledger.render.messages import ui
    from vsledger.write.add import parse_participant
    from vsledger.write.correct import correction

    settings = _settings(ctx)

    def amend(ledger: UnitLedger) -> dict[str, Any]:
        try:
            changes = given.fields(ledger)
            if changes["participants"] is not None:
                changes["participants"] = [parse_participant(p) for p in changes["participants"]]
            record = correction(ledger, activity, changes)
        except TypedError as exc:
            raise _usage_error(say_typed_error(exc, settings.lang)) from None
        if all(value is None for value in changes.values()):
            raise _usage_error(ui("correct-nothing", settings.lang))
        return record

    write.amend(settings, unit, activity, amend)


@app.command()
@option_group("write", ActivityWrite)
def withdraw(ctx: typer.Context, activity: ActivityIdArgument, unit: AnyUnitOption = None, *, write: ActivityWrite) -> None:
    """撤回一条活动记录(不再计入任何统计,记录仍保留)/ withdraw an activity; the record stays in the file."""
    from vsledger.write.correct import withdrawal

    write.amend(_settings(ctx), unit, activity, lambda ledger: withdrawal(ledger, activity))
