"""`vsledger serve` masks personal numbers as the CLI does, wherever they stand: every page, fragment and
download of a workspace seeded with numbers in every free-text field, reached by following the app's own
links and forms as a browser would; and a form that showed a number masked never writes the mask.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

pytest.importorskip("starlette")
pytest.importorskip("jinja2")

from starlette.routing import Route
from starlette.testclient import TestClient

from conftest import POLICY, write_files
from test_web import ACTIVITIES as PLAIN_ACTIVITIES
from test_web import DAY, ID_NUMBER, PHONE, csrf_of, settle, snapshot
from vsledger.core.personal import mask_text
from vsledger.web.app import Config, create_app

TITLE = "义诊 家属电话 13700137000 身份证350802198505054323"
LOCATION = "社区卫生服务站 (0591) 87654321"
CONTENT = "联系人 13700137000,备用 139-1234-5678"
NUMERIC_ID = "13911112222"
"""A volunteer whose id is a mobile number: shown masked like any number, so its links and ticks are too."""
ON_CERTIFICATE_AS_TYPED = {"13600136000", "13000130000", "13500135000"}
"""The volunteer's name and platform number and the unit's name: printed on a certificate as the CLI prints them."""
NUMBERS = {
    "13700137000", "350802198505054323", "87654321", "139-1234-5678", "13600136000", "13500135000", "13000130000",
    "13100131000", "13200132000", "0597-2233445", "13300133000", "13800138001", "15000150000", "18600186000",
    "13400134000", NUMERIC_ID, ID_NUMBER, PHONE,
}  # fmt: skip
UNIT = """
id: u1
name: 测试单位 13000130000
policy: p1
branches:
  - {id: b1, name: 第一党支部 0597-2233445}
teams:
  - {id: red, name: 红队 13200132000, branch: b1, convener: V0001}
"""
ROSTER = f"""
volunteers:
  - id: V0001
    name: 张三13600136000
    employment: staff
    party_member: true
    branch: b1
    teams: [red]
    registered_on: 2020-01-01
    registration_no: "13500135000"
  - id: V0002
    name: 李四
    employment: contract
    registered_on: 2020-01-01
  - id: "{NUMERIC_ID}"
    name: 王五
    employment: retired
    registered_on: 2020-01-01
"""
ACTIVITIES = f"""
- id: a1
  date: 2024-05-05
  title: {TITLE}
  team: red
  category: 电话13700137000
  tags: [热线13800138001]
  location: {LOCATION}
  target: 空巢老人 15000150000
  served: 12
  lead: "{NUMERIC_ID}"
  recorded_by: 李干事 13300133000
  content: {CONTENT}
  outcome: 回访 18600186000
  hours: 3
  participants: [V0001, V0002, {{"{NUMERIC_ID}": 2}}]
{PLAIN_ACTIVITIES[PLAIN_ACTIVITIES.index("- id: a2") :]}"""
FILES = {
    "rules/p1.yaml": POLICY.replace("测试方案", "测试方案 热线13100131000") + "  - id: hours\n    kind: hours_per_person\n    min: 10\n"
    "    text: 每人10小时\n",
    "ledgers/u1/unit.yaml": UNIT,
    "ledgers/u1/roster.yaml": ROSTER,
    "ledgers/u1/personal.yaml": f'- {{id: V0001, id_number: "{ID_NUMBER}", phone: "{PHONE}"}}\n',
    "ledgers/u1/activities/2024-05.yaml": ACTIVITIES,
    "ledgers/u1/redemptions.yaml": "- {volunteer: V0001, date: 2024-05-20, hours: 1, what: 理发 13400134000}\n",
}
MONTH = Path("ledgers/u1/activities/2024-05.yaml")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write_files(tmp_path, FILES)
    settle(tmp_path)
    return tmp_path


def app_and_client(root: Path) -> tuple[Any, TestClient]:
    app = create_app(Config(root, lambda: DAY))
    return app, TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)


@pytest.fixture
def web(root: Path) -> TestClient:
    return app_and_client(root)[1]


# --- a browser's view of a page -------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    selects: dict[str, list[str]] = field(default_factory=dict)
    """Every option of each <select>: a crawl tries each one."""


class Page(HTMLParser):
    """The links of a page and its forms, each with what a browser would send for it untouched: text and hidden
    inputs, ticked boxes, the selected option (else the first), textareas (line ends sent as CR LF)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._option: list[Any] | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("a", "link") and a.get("href", "").startswith("/"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
        elif self._form is None or ("name" not in a and tag != "option"):
            return
        elif tag == "input" and a.get("type", "text") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields.append((a["name"], a.get("value", "on")))
            else:
                self._form.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = (a["name"], [])
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
        elif tag == "textarea":
            self._textarea = (a["name"], [])

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option[2] += data
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            value, selected, text = self._option
            self._select[1].append((text.strip() if value is None else value, selected))
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select
            chosen = next((v for v, selected in options if selected), options[0][0] if options else "")
            self._form.fields.append((name, chosen))
            self._form.selects[name] = [v for v, _ in options]
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            text = "".join(self._textarea[1])
            self._form.fields.append((self._textarea[0], text.removeprefix("\n").replace("\n", "\r\n")))
            self._textarea = None
        elif tag == "form":
            self._form = None


def as_posted(fields: list[tuple[str, str]], **changed: str) -> dict[str, Any]:
    """Form fields as TestClient posts them: a name given twice (ticked boxes) as a list."""
    data: dict[str, Any] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    data = {k: v[0] if len(v) == 1 and k not in ("participants", "teams") else v for k, v in data.items()}
    return {**data, **changed}


def shown_text(response: Any) -> str:
    """What a person receives: the text of a page or Markdown file, every cell of a workbook, the text of a PDF."""
    kind = response.headers.get("content-type", "")
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content))
        return "\n".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None)
    if kind == "application/pdf":
        pypdf = pytest.importorskip("pypdf")
        return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert kind.startswith("text/"), kind
    return str(response.text)


def assert_masked(where: str, response: Any) -> None:
    text = shown_text(response)
    allowed = ON_CERTIFICATE_AS_TYPED if response.headers.get("content-type") == "application/pdf" else set()
    shown = [n for n in NUMBERS - allowed if n in text]
    assert not shown, f"{where} shows {shown}"
    if not allowed:
        assert mask_text(text) == text, f"{where} shows a number in full"


# --- every route -------------------------------------------------------------------------------------


def test_no_page_fragment_or_download_shows_a_number_in_full(root: Path) -> None:
    """From the overview, every link and every GET form (each option of each of its lists) is followed, then every
    form that posts is sent as the page filled it. Every route the app has must have been reached: a route added
    later is walked too, or this test says it was not."""
    app, web = app_and_client(root)
    starts = ["/", "/unit/u1/activities?month=13700137000", f"/unit/u1/volunteer/{NUMERIC_ID}", "/nowhere/13700137000"]
    queue, seen, posts = list(starts), set(starts), {}
    while queue:
        path = queue.pop(0)
        response = web.get(path)
        assert response.status_code in (200, 400, 404), (path, response.status_code)
        assert response.status_code != 404 or path in starts, f"{path}: a link of the app leads nowhere"
        assert_masked(path, response)
        if not response.headers["content-type"].startswith("text/html"):
            continue
        page = Page(response.text)
        found = list(page.links)
        for form in page.forms:
            if form.method == "post":
                posts.setdefault(form.action, (path, form))
                continue
            found.append(f"{form.action}?{urlencode(form.fields)}")
            for name, options in form.selects.items():
                found += [f"{form.action}?{urlencode(as_posted(form.fields, **{name: option}), doseq=True)}" for option in options]
        for link in found:
            if link not in seen and "lang=en" not in link:
                seen.add(link)
                queue.append(link)
    for action, (path, form) in sorted(posts.items()):
        response = web.post(action, data=as_posted(form.fields))
        assert response.status_code in (200, 404, 422), (action, response.status_code, response.text[:300])
        assert_masked(f"POST {action} (the form of {path})", response)
    reached = {urlsplit(p).path for p in seen}
    for route in app.app.routes:
        assert isinstance(route, Route)
        for method, paths in (("GET", reached), ("POST", set(posts))):
            if method in (route.methods or ()):
                assert any(route.path_regex.match(p) for p in paths), f"{method} {route.path} was never reached"


def test_each_download_and_page_of_the_review(web: TestClient) -> None:
    """The pages the review named, one by one, and the numbers beside them masked as the CLI masks them."""
    for path in ("/unit/u1/activities", "/unit/u1?year=2024", "/unit/u1/volunteer/V0001?year=2024", "/unit/u1/activity/a1/withdraw",
                 "/unit/u1/record?corrects=a1", "/unit/u1/report?period=2024-05&format=md",
                 "/unit/u1/report?period=2024-05&format=xlsx", "/unit/u1/export.xlsx?year=2024"):  # fmt: skip
        response = web.get(path)
        assert response.status_code == 200, path
        assert_masked(path, response)
    volunteer = web.get("/unit/u1/volunteer/V0001?year=2024").text
    assert "<title>张三136****6000" in volunteer and "<h1>张三136****6000" in volunteer
    report = web.get("/unit/u1/report?period=2024-05&format=md").text
    assert "义诊 家属电话 137****7000 身份证350802********4323" in report
    csrf = csrf_of(web.get("/unit/u1/record?corrects=a1").text)
    assert re.fullmatch(r"[0-9a-f]{64}", csrf)  # hexadecimal: never taken for a number


def test_masked_links_options_and_filters_lead_to_the_real_values(web: TestClient) -> None:
    """An id or category holding a number is shown masked, in the link too; following it reaches the real one."""
    unit = web.get("/unit/u1?year=2024").text
    assert NUMERIC_ID not in unit and 'href="/unit/u1/volunteer/139****2222' in unit
    assert "王五" in web.get("/unit/u1/volunteer/139****2222?year=2024").text
    for query in ("category=电话137****7000", "volunteer=139****2222"):
        rows = web.get(f"/unit/u1/activities?{query}").text.split("<tbody>")[1]
        assert "义诊" in rows and "环境整治" not in rows, query
    assert web.get("/unit/u1/record?corrects=a1").status_code == 200


# --- forms: a mask is never written --------------------------------------------------------------------


def correction_form(web: TestClient, activity: str = "a1") -> list[tuple[str, str]]:
    page = Page(web.get(f"/unit/u1/record?corrects={activity}").text)
    return next(f for f in page.forms if f.method == "post").fields


def new_entry(root: Path) -> str:
    return (root / MONTH).read_text("utf-8")[len(ACTIVITIES.lstrip("\n")) :]


def test_a_correction_sent_back_unchanged_but_its_hours_keeps_every_real_number(root: Path, web: TestClient) -> None:
    fields = correction_form(web)
    shown = dict(fields)
    assert shown["title"] == mask_text(TITLE) and shown["content"] == mask_text(CONTENT).replace("\n", "\r\n")
    assert shown["overrides"] == "139****2222=2" and ("participants", "139****2222") in fields
    done = web.post("/unit/u1/record", data=as_posted(fields, hours="4"))
    assert done.status_code == 200, done.text
    entry = new_entry(root)
    assert "corrects: a1" in entry and "hours: 4" in entry
    for text in (TITLE, LOCATION, CONTENT, "电话13700137000", "热线13800138001", "空巢老人 15000150000", "回访 18600186000",
                 f'lead: "{NUMERIC_ID}"', f'{{"{NUMERIC_ID}": 2}}'):  # fmt: skip
        assert text in entry, text
    assert "*" not in entry
    assert "13700137000" not in done.text  # and the page that says so shows it masked


def test_an_edit_beside_a_masked_number_keeps_the_number(root: Path, web: TestClient) -> None:
    """The clerk corrects a word of the title: the masked numbers that came back whole stay the numbers they were."""
    fields = as_posted(correction_form(web))
    title = fields["title"].replace("义诊", "巡诊")
    done = web.post("/unit/u1/record", data={**fields, "title": title, "content": "联系人已更换"})
    assert done.status_code == 200, done.text
    entry = new_entry(root)
    assert "title: 巡诊 家属电话 13700137000 身份证350802198505054323" in entry and "content: 联系人已更换" in entry


def test_stars_the_clerk_edits_are_never_filled_with_real_digits(root: Path, web: TestClient) -> None:
    """One digit of a masked number changed, or part of it deleted: the hidden digits cannot be known, so the
    first is refused as a mask with nothing behind it, and the second is written as typed, stars and all."""
    before = snapshot(root)
    fields = as_posted(correction_form(web))
    changed = web.post("/unit/u1/record", data={**fields, "title": fields["title"].replace("137****7000", "137****7009")})
    assert changed.status_code == 422 and "137****7009 是页面上打码显示的号码" in changed.text
    assert snapshot(root) == before
    cut = web.post("/unit/u1/record", data={**fields, "title": fields["title"].replace("137****7000", "****7000")})
    assert cut.status_code == 200, cut.text
    entry = new_entry(root)
    assert 'title: "义诊 家属电话 ****7000 身份证350802198505054323"' in entry  # the ID number, left whole, kept


def test_a_masked_number_with_no_record_behind_it_is_refused(root: Path, web: TestClient) -> None:
    """A new record has no real number to take back: the mask is refused beside its field, nothing is written."""
    before = snapshot(root)
    form = as_posted(Page(web.get("/unit/u1/record").text).forms[-1].fields)
    refused = web.post(
        "/unit/u1/record", data={**form, "title": "回访 137****7000", "location": "社区", "hours": "1", "participants": ["V0002"]}
    )
    assert refused.status_code == 422
    assert "137****7000 是页面上打码显示的号码" in refused.text
    assert snapshot(root) == before


def test_a_refused_form_shows_what_was_typed_masked_and_asks_for_it_again(root: Path, web: TestClient) -> None:
    before = snapshot(root)
    form = as_posted(Page(web.get("/unit/u1/record").text).forms[-1].fields)
    refused = web.post("/unit/u1/record", data={**form, "title": "回访 13700137000", "location": "社区", "participants": ["V0002"]})
    assert refused.status_code == 422 and "13700137000" not in refused.text and 'value="回访 137****7000"' in refused.text
    again = web.post("/unit/u1/record", data=as_posted(Page(refused.text).forms[-1].fields, hours="1"))
    assert again.status_code == 422 and "137****7000 是页面上打码显示的号码" in again.text
    assert snapshot(root) == before
