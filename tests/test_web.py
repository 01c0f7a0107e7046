"""`vsledger serve`: every page and form driven in-process, and every guard attacked.

The app runs on a real workspace in a temporary directory; writes go through the
CLI's write path to real files (and real git where a commit is asked for).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("jinja2")

from starlette.testclient import TestClient

from conftest import POLICY, ROSTER, TODAY, UNIT, Result, write_files
from vsledger.core.personal import id_check_digit
from vsledger.web import data as web_data
from vsledger.web.app import Config, create_app

ID_NUMBER = "11010519491231002" + id_check_digit("11010519491231002")
PHONE = "13812345678"
MONTH = "ledgers/u1/activities/2024-05.yaml"
ACTIVITIES = """
- id: a1
  date: 2024-05-05
  title: 东城社区义诊
  team: red
  category: 义诊
  location: 社区卫生服务站
  hours: 3
  participants: [V0001, V0002]
- id: a2
  date: 2024-05-12
  title: 环境整治
  category: 环保
  location: 东城公园
  hours: 2
  participants: [V0002]
"""
POLICY_WITH_HOURS = (
    POLICY
    + """  - id: hours
    kind: hours_per_person
    min: 10
    text: 每人10小时
"""
)
FILES = {
    "rules/p1.yaml": POLICY_WITH_HOURS,
    "ledgers/u1/unit.yaml": UNIT,
    "ledgers/u1/roster.yaml": ROSTER + "  - {id: V0003, name: 赵七, employment: staff}\n",
    "ledgers/u1/personal.yaml": f'- {{id: V0001, id_number: "{ID_NUMBER}", phone: "{PHONE}"}}\n',
    MONTH: ACTIVITIES,
    "ledgers/u1/redemptions.yaml": "- {volunteer: V0001, date: 2024-05-20, hours: 1, what: 理发}\n",
}
DAY = date.fromisoformat(TODAY)


def settle(root: Path) -> None:
    """Files older than the cache's "racy" window, as a workspace that was not just written is."""
    past = time.time() - 60
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (past, past))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write_files(tmp_path, FILES)
    settle(tmp_path)
    return tmp_path


def client(root: Path, **options: Any) -> TestClient:
    config = Config(root, lambda: DAY, **options)
    return TestClient(create_app(config), base_url="http://127.0.0.1", follow_redirects=False)


@pytest.fixture
def web(root: Path) -> TestClient:
    return client(root)


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert match, "every form carries a CSRF token"
    return match.group(1)


def snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts and p.name != ".vsledger.lock"
    }


def record(web: TestClient, **fields: Any) -> Any:
    page = web.get("/unit/u1/record")
    assert page.status_code == 200
    form = {"csrf": csrf_of(page.text), "date": "2024-05-28", "title": "敬老院慰问", "location": "福利院", "hours": "2.5",
            "participants": ["V0001"], **fields}  # fmt: skip
    return web.post("/unit/u1/record", data=form)


def unit_hours(web: TestClient) -> str:
    match = re.search(r'id="unit-hours">([^<]*)<', web.get("/unit/u1?year=2024").text)
    assert match
    return match.group(1)


# --- pages ----------------------------------------------------------------------------


def test_overview_shows_each_unit_against_each_rule_coloured_by_status(web: TestClient) -> None:
    page = web.get("/")
    assert page.status_code == 200
    text = page.text
    assert "测试单位" in text and "测试方案" in text
    assert "2024 年达标总览" in text  # Chinese by default, the latest year with records
    assert re.search(r'class="st fail" title="registration', text)  # V0003 is not registered
    assert re.search(r'class="st pending" title="hours', text)  # the year is not over
    assert '<option value="2024" selected>' in text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_year_and_as_of_pickers_change_what_is_counted(web: TestClient) -> None:
    early = web.get("/unit/u1?year=2024&as_of=2024-05-06").text
    assert "2024 年服务时长:6 小时" in early  # a2 (12 May) is after the as-of date
    assert "2024 年服务时长:8 小时" in web.get("/unit/u1?year=2024").text
    assert web.get("/?year=2025").status_code == 400  # not begun on the app's today
    assert web.get("/?year=20x4").status_code == 400
    bad = web.get("/?year=2024&as_of=2023-12-31")
    assert bad.status_code == 400 and "2023-12-31" in bad.text


@pytest.mark.parametrize(
    ("year", "as_of", "refused"),
    [
        ("2024", None, None),
        ("2025", None, "2025 年尚未开始"),
        ("2024", "2023-12-31", "2023-12-31"),
        ("2023", "2024-05-01", None),
        ("2025", "2025-03-01", "晚于今天"),
        ("2024", "2024-07-01", "晚于今天"),
    ],
)
def test_the_web_and_check_refuse_the_same_years_and_as_of_dates(
    web: TestClient, root: Path, cli: Callable[..., Result], year: str, as_of: str | None, refused: str | None
) -> None:
    """One rule: the page refuses (400) exactly what `check` refuses (a usage error), in the same words."""
    page = web.get(f"/?year={year}" + (f"&as_of={as_of}" if as_of else ""))
    run = cli(root, "check", "--year", year, *(["--as-of", as_of] if as_of else []))
    if refused is None:
        assert page.status_code == 200 and run.exit_code in (0, 1), run.stderr
    else:
        assert page.status_code == 400 and run.exit_code == 2
        assert refused in page.text and refused in run.stderr


def test_english_through_the_catalogue(web: TestClient) -> None:
    text = web.get("/?lang=en").text
    assert "Compliance 2024" in text and "达标总览" not in text
    assert 'href="/unit/u1?year=2024&amp;as_of=2024-06-01&amp;lang=en"' in text  # links keep the language


def test_unit_page_results_shortfall_charts_and_masked_roster(web: TestClient) -> None:
    text = web.get("/unit/u1?year=2024").text
    assert "<li>V0003 赵七</li>" in text  # not registered: what falls short, by name
    assert text.count("<svg") == 2  # hours by month and by team
    assert "<title>2024-05: 8 小时</title>" in text
    assert "红队" in text
    assert ID_NUMBER not in text and PHONE not in text
    assert ID_NUMBER[:6] + "********" + ID_NUMBER[-4:] in text
    assert "138****5678" in text


def test_volunteer_page_hours_star_activities_and_time_bank(web: TestClient) -> None:
    text = web.get("/unit/u1/volunteer/V0001?year=2024").text
    assert 'id="volunteer-hours">3<' in text
    assert "东城社区义诊" in text and "环境整治" not in text
    assert "获得 3 小时,已兑换 1 小时,余额 2 小时" in text
    assert "距下一星级" in text or "to next" in text.lower() or "下一" in text
    assert ID_NUMBER not in text and PHONE not in text


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("", ["东城社区义诊", "环境整治"], []),
        ("?month=2024-05&category=环保", ["环境整治"], ["东城社区义诊"]),
        ("?team=red", ["东城社区义诊"], ["环境整治"]),
        ("?volunteer=V0001", ["东城社区义诊"], ["环境整治"]),
        ("?month=2024-04", [], ["东城社区义诊", "环境整治"]),
    ],
)
def test_activities_filtered_by_month_team_category_and_volunteer(web: TestClient, query: str, shown: list[str], hidden: list[str]) -> None:
    page = web.get("/unit/u1/activities" + query)
    assert page.status_code == 200
    body = page.text.split("<tbody>")[1]
    for title in shown:
        assert title in body
    for title in hidden:
        assert title not in body


def test_activity_filters_are_checked(web: TestClient) -> None:
    assert web.get("/unit/u1/activities?month=2024-13").status_code == 400
    assert web.get("/unit/u1/activities?volunteer=../x").status_code == 400


def test_problems_page_has_the_location_the_source_line_and_the_hint(root: Path, web: TestClient) -> None:
    (root / MONTH).write_text(
        ACTIVITIES + "- id: a3\n  date: 2024-05-30\n  title: x\n  location: y\n  hours: 2\n  participants: [V0009]\n", "utf-8"
    )
    text = web.get("/problems").text
    assert re.search(r"ledgers/u1/activities/2024-05\.yaml:\d+:\d+", text)
    assert "participants: [V0009]" in text  # the source line
    assert "1 个错误" in text or "1 errors" in text
    assert web.get("/").text.count("1 个错误") == 1  # the overview links to them
    assert "1 个错误" in web.get("/problems?unit=u1").text


def test_problems_page_masks_numbers_in_quoted_lines(root: Path, web: TestClient) -> None:
    (root / "ledgers/u1/personal.yaml").write_text(
        f'- {{id: V0001, id_number: "{ID_NUMBER}", phone: "{PHONE}"}}\n- {{id: V0077, phone: "{PHONE}"}}\n'
    )
    text = web.get("/problems").text
    assert "V0077" in text and PHONE not in text and "138****5678" in text


def test_numbers_in_files_git_tracks_are_problems_too(root: Path, web: TestClient, git_identity: None) -> None:
    """As `vsledger validate` says them (personal-data-in-git), at the line, the number masked."""
    (root / "ledgers/u1/notes.md").write_text(f"联系人电话 {PHONE}\n", "utf-8")
    settle(root)
    assert "personal-data-in-git" not in web.get("/problems").text  # not in git: not a leak
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "ledgers/u1/notes.md"], cwd=root, check=True)
    text = web.get("/problems?unit=u1").text
    assert "personal-data-in-git" in text and "ledgers/u1/notes.md:1:" in text
    assert PHONE not in text and "138****5678" in text


def test_downloads_workbook_and_monthly_report(web: TestClient) -> None:
    from openpyxl import load_workbook

    book = web.get("/unit/u1/export.xlsx?year=2024")
    assert book.status_code == 200 and 'filename="u1-2024.xlsx"' in book.headers["content-disposition"]
    sheets = load_workbook(io.BytesIO(book.content))
    cells = [str(c.value) for ws in sheets.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert "东城社区义诊" in cells and ID_NUMBER not in cells and PHONE not in cells
    report = web.get("/unit/u1/report?period=2024-05&format=md")
    assert report.status_code == 200 and "东城社区义诊" in report.text
    assert web.get("/unit/u1/report?period=2024-05").content[:2] == b"PK"
    assert web.get("/unit/u1/report?period=2024-5").status_code == 400


def test_a_certificate_is_issued_registered_and_masked(root: Path, web: TestClient) -> None:
    page = web.get("/unit/u1/volunteer/V0001")
    response = web.post("/unit/u1/volunteer/V0001/certificate", data={"csrf": csrf_of(page.text), "signer": "王主任"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert 'filename="u1-2024-0001.pdf"' in response.headers["content-disposition"]
    assert "number: u1-2024-0001" in (root / "ledgers/u1/certificates.yaml").read_text("utf-8")


# --- forms ----------------------------------------------------------------------------


def test_record_form_offers_the_ledgers_teams_and_volunteers(web: TestClient) -> None:
    text = web.get("/unit/u1/record").text
    assert 'value="V0001"' in text and "张三" in text and 'value="red"' in text
    assert '<option value="义诊">' in text  # categories already used


def test_recording_an_activity_writes_it_and_the_hours_change(root: Path, web: TestClient) -> None:
    assert unit_hours(web) == "2024 年服务时长:8 小时"
    done = record(web, participants=["V0001", "V0002"], team="red", tags="集中，学雷锋日")  # the comma a Chinese keyboard types
    assert done.status_code == 200, done.text
    assert "已写入" in done.text
    text = (root / MONTH).read_text("utf-8")
    assert text.startswith(ACTIVITIES.lstrip("\n"))  # every existing byte kept
    assert "敬老院慰问" in text and "tags: [集中, 学雷锋日]" in text
    assert unit_hours(web) == "2024 年服务时长:13 小时"


def test_a_refused_activity_shows_the_located_problem_by_its_field_and_writes_nothing(root: Path, web: TestClient) -> None:
    before = snapshot(root)
    refused = record(web, participants=["V0001", "V0099"])
    assert refused.status_code == 422
    text = refused.text
    fieldset = text.split("</fieldset>")[1].split('name="team"')[0]  # the problems right under the participants
    assert "ledgers/u1/activities/2024-05.yaml:" in fieldset and "V0099" in fieldset
    assert "未写入" in text
    assert 'value="V0001" checked' in text  # what was typed is kept
    assert snapshot(root) == before


def test_the_record_form_joins_an_indented_month_and_refuses_a_flow_list_once(root: Path, web: TestClient) -> None:
    indented = "".join("  " + line + "\n" if line else "\n" for line in ACTIVITIES.lstrip("\n").splitlines())
    (root / MONTH).write_text(indented, encoding="utf-8")
    done = record(web)
    assert done.status_code == 200 and "已写入" in done.text, done.text
    assert (root / MONTH).read_text("utf-8").startswith(indented)
    flow = "[{id: a1, date: 2024-05-05, title: 义诊, location: 社区, hours: 3, participants: [V0001]}]\n"
    (root / MONTH).write_text(flow, encoding="utf-8")
    refused = record(web)
    assert refused.status_code == 422
    assert refused.text.count("layout-unexpected") == 1 and "vsledger fmt" in refused.text
    assert "yaml-syntax" not in refused.text and "unknown-volunteer" not in refused.text
    assert (root / MONTH).read_text("utf-8") == flow


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"date": "2024-02-30"}, "date", "不是有效日期"),
        ({"hours": ""}, "hours", "请填写每人时长"),
        ({"served": "十"}, "served", "不是整数"),
        ({"hours": "25"}, "hours", "24"),
        ({"date": "2024-07-01"}, "date", "2024-07-01"),
    ],
)
def test_each_field_is_checked_on_submit(root: Path, web: TestClient, fields: dict[str, str], field: str, message: str) -> None:
    before = snapshot(root)
    refused = record(web, **fields)
    assert refused.status_code == 422
    assert message in refused.text
    assert snapshot(root) == before


def test_adding_a_volunteer_keeps_numbers_in_personal_yaml(root: Path, web: TestClient) -> None:
    page = web.get("/unit/u1/volunteers/new")
    number = "11010519800101001" + id_check_digit("11010519800101001")
    form = {"csrf": csrf_of(page.text), "name": "王五", "employment": "retired", "id_number": number, "phone": "13900001111",
            "teams": ["red"], "joined": "2024-01-01"}  # fmt: skip
    done = web.post("/unit/u1/volunteers/new", data=form)
    assert done.status_code == 200, done.text
    assert "V0004" in done.text
    roster = (root / "ledgers/u1/roster.yaml").read_text("utf-8")
    assert "王五" in roster and number not in roster
    assert number in (root / "ledgers/u1/personal.yaml").read_text("utf-8")
    unit = web.get("/unit/u1").text
    assert "王五" in unit and number not in unit and "139****1111" in unit


def test_a_bad_id_number_is_refused_by_its_field_and_not_sent_back(root: Path, web: TestClient) -> None:
    before = snapshot(root)
    page = web.get("/unit/u1/volunteers/new")
    bad = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    refused = web.post(
        "/unit/u1/volunteers/new", data={"csrf": csrf_of(page.text), "name": "赵六", "employment": "staff", "id_number": bad}
    )
    assert refused.status_code == 422
    assert bad not in refused.text and bad[:6] + "********" + bad[-4:] in refused.text
    assert snapshot(root) == before


def test_commit_to_git_under_the_clerks_name(root: Path, web: TestClient, git_identity: None) -> None:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "start")
    done = record(web, commit="on", clerk="王小明")
    assert done.status_code == 200 and "已提交到 git" in done.text
    assert git("log", "-1", "--format=%an|%s").startswith("王小明|add-activity: u1 ")
    assert os.environ.get("GIT_AUTHOR_NAME") == "测试"  # the process's own identity is back


def test_correcting_an_activity_restates_it_and_replaces_it_in_every_total(root: Path, web: TestClient) -> None:
    form = web.get("/unit/u1/record?corrects=a1").text
    assert 'name="corrects" value="a1"' in form and 'value="东城社区义诊"' in form
    assert 'value="V0001" checked' in form and 'value="V0002" checked' in form
    fields = {"csrf": csrf_of(form), "corrects": "a1", "date": "2024-05-05", "title": "东城社区义诊", "location": "社区卫生服务站",
              "hours": "4", "participants": ["V0001", "V0002"], "overrides": "V0002=1", "team": "red"}  # fmt: skip
    done = web.post("/unit/u1/record", data=fields)
    assert done.status_code == 200, done.text
    text = (root / MONTH).read_text("utf-8")
    assert text.startswith(ACTIVITIES.lstrip("\n")) and "corrects: a1" in text and "{V0002: 1}" in text
    assert unit_hours(web) == "2024 年服务时长:7 小时"  # a1 was 3 + 3, is now 4 + 1; a2 is 2
    assert web.get("/unit/u1/record?corrects=a1").status_code == 404  # a1 no longer counts: correct its correction


def test_a_correction_keeps_a_participant_who_has_since_left(root: Path, web: TestClient) -> None:
    roster = (root / "ledgers/u1/roster.yaml").read_text("utf-8")
    (root / "ledgers/u1/roster.yaml").write_text(
        roster.replace(
            "    registered_on: 2020-01-01\n  - {id: V0003", "    registered_on: 2020-01-01\n    left: 2024-05-31\n  - {id: V0003"
        ),
        "utf-8",
    )
    assert 'value="V0002"' not in web.get("/unit/u1/record").text  # not on the roster today
    assert 'value="V0002" checked' in web.get("/unit/u1/record?corrects=a1").text


def test_withdrawing_an_activity_appends_a_deletion(root: Path, web: TestClient) -> None:
    page = web.get("/unit/u1/activity/a2/withdraw")
    assert page.status_code == 200 and "环境整治" in page.text
    done = web.post("/unit/u1/activity/a2/withdraw", data={"csrf": csrf_of(page.text), "clerk": "李干事"})
    assert done.status_code == 200, done.text
    text = (root / MONTH).read_text("utf-8")
    assert text.startswith(ACTIVITIES.lstrip("\n"))
    deletion = text[len(ACTIVITIES.lstrip("\n")) :]
    assert "participants: []" in deletion and "corrects: a2" in deletion and "recorded_by: 李干事" in deletion
    assert unit_hours(web) == "2024 年服务时长:6 小时"
    assert "环境整治" not in web.get("/unit/u1/activities").text.split("<tbody>")[1]
    assert web.get("/unit/u1/activity/a2/withdraw").status_code == 404


def test_corrections_name_only_activities_that_count(web: TestClient) -> None:
    for path in ("/unit/u1/record?corrects=nope", "/unit/u1/record?corrects=..%2fx", "/unit/u1/activity/..%2fa1/withdraw",
                 "/unit/u1/activity/%2e%2e/withdraw", "/unit/u1/activity/zz/withdraw"):  # fmt: skip
        assert web.get(path).status_code == 404, path
    page = web.get("/unit/u1/record")
    assert web.post("/unit/u1/activity/nope/withdraw", data={"csrf": csrf_of(page.text)}).status_code == 404


def test_a_malformed_hours_exception_is_said_by_its_field(root: Path, web: TestClient) -> None:
    before = snapshot(root)
    refused = record(web, overrides="V0001:2")
    assert refused.status_code == 422 and "V0001:2" in refused.text and "V0005=2.5" in refused.text
    assert snapshot(root) == before


# --- guards ---------------------------------------------------------------------------


def test_a_form_without_its_csrf_token_is_refused(root: Path, web: TestClient) -> None:
    before = snapshot(root)
    web.get("/")  # the browser has its cookie
    form = {"date": "2024-05-28", "title": "x", "location": "y", "hours": "1", "participants": ["V0001"]}
    assert web.post("/unit/u1/record", data=form).status_code == 403
    assert web.post("/unit/u1/record", data={**form, "csrf": "0" * 64}).status_code == 403
    other = client(root)  # another browser: its own cookie, so this page's token is not valid there
    assert other.post("/unit/u1/record", data={**form, "csrf": csrf_of(web.get("/unit/u1/record").text)}).status_code == 403
    token = csrf_of(web.get("/unit/u1/record").text)
    assert web.post("/unit/u1/record", data={**form, "csrf": token}, headers={"origin": "http://evil.example"}).status_code == 403
    assert web.post("/unit/u1/volunteers/new", data={"name": "x", "employment": "staff"}).status_code == 403
    assert web.post("/unit/u1/volunteer/V0001/certificate", data={}).status_code == 403
    assert snapshot(root) == before
    same = web.post("/unit/u1/record", data={**form, "csrf": token}, headers={"origin": "http://127.0.0.1"})
    assert same.status_code == 200  # the app's own page, as a browser sends it


def test_beyond_loopback_a_token_is_required(root: Path) -> None:
    remote = client(root, token="s3cret-token", loopback_only=False)
    assert remote.get("/").status_code == 401
    assert remote.get("/unit/u1").status_code == 401
    assert remote.get("/?token=wrong").status_code == 401
    assert remote.post("/unit/u1/record", data={}).status_code == 401
    assert remote.get("/", headers={"authorization": "Bearer s3cret-token"}).status_code == 200
    entry = remote.get("/unit/u1?token=s3cret-token&year=2024")
    assert entry.status_code == 303 and entry.headers["location"] == "/unit/u1?year=2024"  # the token leaves the address bar
    assert "HttpOnly" in entry.headers["set-cookie"] and "SameSite=Strict" in entry.headers["set-cookie"]
    assert remote.get("/unit/u1").status_code == 200  # the cookie carries it from now on
    assert remote.get("/%2Fevil.example/?token=s3cret-token").headers["location"] == "/evil.example/"  # never off this site
    assert "测试单位" not in client(root, token="s3cret-token", loopback_only=False).get("/").text


def test_on_loopback_the_host_must_be_loopback(root: Path, web: TestClient) -> None:
    """A page elsewhere that rebinds its own name to 127.0.0.1 is refused."""
    assert web.get("/", headers={"host": "evil.example:8000"}).status_code == 421
    assert web.get("/", headers={"host": "localhost:8000"}).status_code == 200
    assert web.get("/", headers={"host": "[::1]:8000"}).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/unit/..%2f..%2fetc", "/unit/%2e%2e", "/unit/%2e%2e/activities", "/unit/U1", "/unit/nope",
        "/unit/%2Fetc%2Fpasswd", "/unit//etc/passwd", "/unit/u1/volunteer/..%2f..%2fpersonal.yaml",
        "/unit/u1/volunteer/%2e%2e", "/unit/u1/volunteer/V9999", "/unit/u1/volunteer/-V1", "/static/..%2fapp.py",
        "/static/%2e%2e%2fapp.py", "/static/../app.py", "/static/%2Fetc%2Fpasswd", "/etc/passwd", "//etc/passwd",
        "/unit/u1/..%2f..%2f..%2fetc%2fpasswd", "/unit/u1/export.xlsx/../../secret", "/problems?unit=../x",
        "/unit/outside", "/unit/u1/export.xlsx?year=../../x",
    ],
)  # fmt: skip
def test_bad_ids_and_path_tricks_are_not_found(root: Path, web: TestClient, tmp_path_factory: pytest.TempPathFactory, path: str) -> None:
    secret = tmp_path_factory.mktemp("outside")
    write_files(secret, {"unit.yaml": "id: outside\nname: 不该看到的单位\n", "roster.yaml": "volunteers: []\n"})
    (root / "ledgers" / "outside").symlink_to(secret, target_is_directory=True)
    response = web.get(path)
    assert response.status_code in (400, 404)
    assert "不该看到的单位" not in response.text and "root:" not in response.text


def test_read_only_shows_no_form_and_takes_no_post(root: Path) -> None:
    before = snapshot(root)
    reader = client(root, read_only=True)
    for path in ("/", "/unit/u1", "/unit/u1/volunteer/V0001", "/unit/u1/activities", "/problems"):
        page = reader.get(path)
        assert page.status_code == 200
        assert 'method="post"' not in page.text and "/record" not in page.text and "/withdraw" not in page.text
    assert reader.get("/unit/u1/record").status_code == 404
    assert reader.get("/unit/u1/volunteers/new").status_code == 404
    assert reader.get("/unit/u1/activity/a1/withdraw").status_code == 404
    assert reader.post("/unit/u1/activity/a1/withdraw", data={}).status_code == 404
    assert reader.post("/unit/u1/record", data={"csrf": "x"}).status_code == 404
    assert reader.post("/unit/u1/volunteer/V0001/certificate", data={}).status_code == 404
    assert snapshot(root) == before


def test_a_write_while_the_workspace_is_locked_is_refused_cleanly(root: Path, web: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from filelock import FileLock

    from vsledger.write import transaction

    monkeypatch.setattr(transaction, "LOCK_TIMEOUT_SECONDS", 0.2)
    before = snapshot(root)
    with FileLock(str(root / transaction.LOCK_NAME)):  # another writer (the CLI) holds it
        refused = record(web)
    assert refused.status_code == 422
    assert "locked" in refused.text and "未写入" in refused.text
    assert snapshot(root) == before
    assert record(web).status_code == 200  # once it is free, the same form lands


def test_concurrent_writes_from_two_browsers_and_the_cli_all_land(root: Path, cli: Callable[..., Result]) -> None:
    browsers = [client(root), client(root)]
    forms = []
    for i, browser in enumerate(browsers):
        page = browser.get("/unit/u1/record")
        forms.append({"csrf": csrf_of(page.text), "date": "2024-05-28", "title": f"并发{i}", "location": "y", "hours": "1",
                      "participants": ["V0001"]})  # fmt: skip
    statuses: list[int] = []

    def post(i: int) -> None:
        statuses.append(browsers[i].post("/unit/u1/record", data=forms[i]).status_code)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    added = cli(root, "add-activity", "-u", "u1", "--date", "2024-05-28", "--title", "并发cli", "--location", "y", "--hours", "1",
                "-p", "V0001", "--yes")  # fmt: skip
    for thread in threads:
        thread.join()
    assert statuses == [200, 200] and added.exit_code == 0, added.stderr
    text = (root / MONTH).read_text("utf-8")
    assert all(f"并发{i}" in text for i in ("0", "1", "cli"))
    assert cli(root, "validate").exit_code == 0


# --- speed without reloading ------------------------------------------------------------


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Every load of ledger files the app makes, by what it loaded."""
    calls: list[object] = []
    real_results, real_load = web_data.unit_results, web_data.load_workspace

    def counting_results(cache: Any, units: list[str], *args: Any, **kw: Any) -> Any:
        calls.append(("results", tuple(units)))
        return real_results(cache, units, *args, **kw)

    def counting_load(root: Path, today: date, **kw: Any) -> Any:
        calls.append(("load", tuple(kw.get("only_units") or ())))
        return real_load(root, today, **kw)

    monkeypatch.setattr(web_data, "unit_results", counting_results)
    monkeypatch.setattr(web_data, "load_workspace", counting_load)
    yield calls


def test_pages_do_not_reload_anything_while_nothing_changed(root: Path, web: TestClient, loads: list[object]) -> None:
    write_files(root, {"ledgers/u2/unit.yaml": "id: u2\nname: 第二单位\npolicy: p1\n", "ledgers/u2/roster.yaml": ROSTER})
    settle(root)
    for path in ("/", "/unit/u1", "/unit/u1/volunteer/V0001", "/unit/u1/activities", "/problems"):
        web.get(path)
    first = list(loads)
    assert first  # the first visit computes
    for path in ("/", "/unit/u1", "/unit/u1/volunteer/V0001", "/unit/u1/activities", "/problems", "/"):
        assert web.get(path).status_code == 200
    assert loads == first  # the second visit computes nothing
    (root / MONTH).write_text(ACTIVITIES + "\n", "utf-8")  # one unit changes
    web.get("/")
    assert loads[len(first) :] == [("results", ("u1",))]  # only that unit is read again


def test_results_held_in_memory_are_bounded(root: Path, web: TestClient, monkeypatch: pytest.MonkeyPatch, loads: list[object]) -> None:
    monkeypatch.setattr(web_data, "RESULTS_KEPT", 2)
    for day in ("2024-05-01", "2024-05-02", "2024-05-03"):  # three queries: the first is dropped
        assert web.get(f"/?year=2024&as_of={day}").status_code == 200
    computed = len(loads)
    web.get("/?year=2024&as_of=2024-05-03")
    assert len(loads) == computed  # still held
    web.get("/?year=2024&as_of=2024-05-01")
    assert len(loads) == computed + 1  # dropped, so computed again


def test_a_changed_file_is_seen_by_the_next_page(root: Path, web: TestClient) -> None:
    assert unit_hours(web) == "2024 年服务时长:8 小时"
    (root / MONTH).write_text(ACTIVITIES.replace("hours: 3", "hours: 4"), "utf-8")
    assert unit_hours(web) == "2024 年服务时长:10 小时"


# --- the command ------------------------------------------------------------------------


def test_serve_beyond_loopback_generates_and_prints_a_token(
    root: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    started: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.update(app=app, **kw))
    result = cli(root, "serve", "--host", "0.0.0.0", "--port", "8123")
    assert result.exit_code == 0, result.stderr
    match = re.search(r"http://0\.0\.0\.0:8123/\?token=([\w-]{20,})", result.stdout)
    assert match and started["host"] == "0.0.0.0" and started["port"] == 8123
    assert started["app"].token == match.group(1) and not started["app"].loopback_only
    remote = TestClient(started["app"], base_url="http://192.0.2.1:8123")
    assert remote.get("/").status_code == 401


def test_serve_on_loopback_needs_no_token_and_refuses_a_non_workspace(
    root: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    import uvicorn

    started: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.update(app=app, **kw))
    result = cli(root, "serve", "--read-only")
    assert result.exit_code == 0 and "http://127.0.0.1:8000/" in result.stdout and "token" not in result.stdout
    assert started["app"].token is None and started["app"].loopback_only
    from typer.testing import CliRunner

    from vsledger.cli.app import app

    monkeypatch.setenv("LANG", "en_US.UTF-8")  # a server's locale does not choose the pages' language
    monkeypatch.delenv("VSLEDGER_LANG", raising=False)
    assert CliRunner().invoke(app, ["--root", str(root), "--today", TODAY, "serve"]).exit_code == 0
    pages = TestClient(started["app"], base_url="http://127.0.0.1")
    assert "达标总览" in pages.get("/").text
    assert cli(root, "--lang", "en", "serve").exit_code == 0
    assert "Compliance" in TestClient(started["app"], base_url="http://127.0.0.1").get("/").text
    empty = tmp_path_factory.mktemp("empty")
    assert cli(empty, "serve").exit_code == 2


def test_serve_without_the_web_extra_says_how_to_install_it(
    root: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if `pip install 'vsledger[web]'` had not been run
    result = cli(root, "serve")
    assert result.exit_code == 2 and "pip install 'vsledger[web]'" in result.stderr


def test_the_volunteer_form_reads_a_phone_as_the_cli_does(root: Path, web: TestClient) -> None:
    """A landline as an office writes it is accepted and kept in one form; a number that is none is refused by its field."""
    page = web.get("/unit/u1/volunteers/new")
    form = {"csrf": csrf_of(page.text), "name": "王五", "employment": "staff", "phone": "(0597) 2233445"}
    done = web.post("/unit/u1/volunteers/new", data=form)
    assert done.status_code == 200, done.text
    assert 'phone: "0597-2233445"' in (root / "ledgers/u1/personal.yaml").read_text("utf-8")
    before = snapshot(root)
    page = web.get("/unit/u1/volunteers/new")
    refused = web.post("/unit/u1/volunteers/new", data={**form, "csrf": csrf_of(page.text), "name": "赵六", "phone": "12345"})
    assert refused.status_code == 422
    assert snapshot(root) == before


def test_a_past_year_counts_only_its_own_activities(root: Path) -> None:
    """As-of is today (2024-06-01), as in check; 2023's pages still end on 31 December 2023."""
    write_files(
        root,
        {
            "ledgers/u1/activities/2023-11.yaml": "- {id: a2023, date: 2023-11-05, title: 冬季义诊, location: 社区, hours: 2, participants: [V0001]}\n"
        },
    )
    web = client(root)
    volunteer = web.get("/unit/u1/volunteer/V0001?year=2023").text
    assert 'id="volunteer-hours">2<' in volunteer
    assert "冬季义诊" in volunteer and "东城社区义诊" not in volunteer
    unit = web.get("/unit/u1?year=2023").text
    row = unit[unit.index('<a href="/unit/u1/volunteer/V0001?year=2023">') :].split("</tr>")[0]
    assert row.endswith('<td class="num">2</td>\n'), row


def test_the_certificate_form_says_which_font_the_pdf_will_embed(root: Path, tmp_path: Path) -> None:
    """The PDF is a download, so what the CLI says after issuing is said beside the form, before it."""
    missing = client(root, font=tmp_path / "没有这个字体.ttf").get("/unit/u1/volunteer/V0001").text
    note = re.search(r'<p class="(\w+)" id="certificate-font">([^<]*)</p>', missing)
    assert note and note[1] == "warn" and "没有这个字体.ttf" in note[2]
    default = re.search(r'<p class="(\w+)" id="certificate-font">([^<]*)</p>', client(root).get("/unit/u1/volunteer/V0001").text)
    assert default and default[2]  # the machine's font named, or the warning that none is embedded
    assert (default[1] == "warn") == ("未嵌入中文字体" in default[2])
