"""Write the sample ledgers shipped in `ledgers/` (one unit per seed document).

Deterministic: the same files every run. Each unit is built so that its 2022
check shows a mix of met and missed targets, and every shortfall is planted on
purpose (see PLANTED below) so tests can state the expected results by hand.

    python benchmarks/make_samples.py [WORKSPACE]   # default: the repository root
"""

from __future__ import annotations

import calendar
import random
import sys
import textwrap
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vsledger.core.filekinds import modeline
from vsledger.write.layout import record_text

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志明海燕文辉晓东春梅丹宇浩然佳琪欣怡子涵梓萱雨桐思远"
SKILLS = ["急救", "义诊", "健康宣教", "心理疏导", "法律咨询", "文艺演出", "摄影", "电脑维修", "垃圾分类宣传", "理发", "家电维修", "书法"]


class Unit:
    def __init__(self, uid: str, seed: int) -> None:
        self.uid = uid
        self.rng = random.Random(seed)
        self.volunteers: list[dict[str, Any]] = []
        self.activities: dict[str, list[dict[str, Any]]] = {}
        self.reports: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.redemptions: list[dict[str, Any]] = []
        self.counter: dict[date, int] = {}
        self.used_names: set[str] = set()

    def name(self) -> str:
        while True:
            n = self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice([1, 2])))
            if n not in self.used_names:
                self.used_names.add(n)
                return n

    def volunteer(self, **fields: Any) -> dict[str, Any]:
        vid = f"V{len(self.volunteers) + 1:04d}"
        record: dict[str, Any] = {"id": vid, "name": self.name(), "gender": self.rng.choice(["男", "女"])}
        record.update(fields)
        record.setdefault("employment", "staff")
        self.volunteers.append(record)
        return record

    def on_roster(self, v: dict[str, Any], day: date) -> bool:
        return v.get("joined", date.min) <= day <= v.get("left", date.max)

    def activity(self, day: date, people: list[str], **fields: Any) -> dict[str, Any]:
        n = self.counter.get(day, 0) + 1
        self.counter[day] = n
        record: dict[str, Any] = {"id": f"{day:%Y%m%d}-{n:02d}", "date": day}
        record.update(fields)
        record["participants"] = people
        self.activities.setdefault(f"{day:%Y-%m}", []).append(record)
        return record

    def pick(self, day: date, k: int, pool: list[dict[str, Any]] | None = None) -> list[str]:
        candidates = [v["id"] for v in (pool or self.volunteers) if self.on_roster(v, day)]
        return sorted(self.rng.sample(candidates, min(k, len(candidates))))

    def write(self, root: Path, unit_yaml: str, header: str) -> None:
        base = root / "ledgers" / self.uid

        def put(path: Path, text: str) -> None:
            """Like a file vsledger creates: the editor schema named in the first line."""
            path.write_text(modeline(path.relative_to(root).as_posix()) + text, encoding="utf-8")

        (base / "activities").mkdir(parents=True, exist_ok=True)
        for items in self.activities.values():
            for a in items:
                for rel in a.get("attachments", []):  # the photo itself: an empty stand-in
                    (base / rel).parent.mkdir(parents=True, exist_ok=True)
                    (base / rel).touch()
        put(base / "unit.yaml", unit_yaml.strip() + "\n")
        roster = f"# {header} 花名册\nvolunteers:\n" + "".join(record_text("roster", v) for v in self.volunteers)
        put(base / "roster.yaml", roster)
        for month, items in sorted(self.activities.items()):
            items.sort(key=lambda a: (a["date"], a["id"]))
            text = f"# {header} {month} 活动台账\n" + "\n".join(record_text("activities", a) for a in items)
            put(base / "activities" / f"{month}.yaml", text)
        if self.reports:
            lines = ["# 报送记录"] + [
                "- {" + ", ".join(f"{k}: {v}" for k, v in r.items()) + "}" for r in self.reports
            ]  # fmt: skip
            put(base / "reports.yaml", "\n".join(lines) + "\n")
        if self.requests:
            lines = [f"# {header} 群众需求:点单 → 派单 → 接单 → 服务 / 结单"]
            lines += [record_text("requests", r).rstrip("\n") for r in sorted(self.requests, key=lambda r: r["date"])]
            put(base / "requests.yaml", "\n".join(lines) + "\n")
        if self.redemptions:
            lines = [f"# {header} 时间银行兑换记录"] + [record_text("redemptions", r).rstrip("\n") for r in self.redemptions]
            put(base / "redemptions.yaml", "\n".join(lines) + "\n")

    def request(
        self,
        rid: str,
        received: date,
        source: str,
        ask: str,
        kind: str,
        team: str | None = None,
        claimed: tuple[date, list[str]] | None = None,
        served_by: dict[str, Any] | None = None,
        closed: tuple[date, str] | None = None,
    ) -> None:
        """One request's steps; `served_by` is an activity record that then names it."""
        self.requests.append({"request": rid, "step": "received", "date": received, "from": source, "ask": ask, "kind": kind})
        if team is not None:
            self.requests.append({"request": rid, "step": "assigned", "date": received + timedelta(days=1), "team": team})
        if claimed is not None:
            self.requests.append({"request": rid, "step": "claimed", "date": claimed[0], "volunteers": claimed[1]})
        if served_by is not None:
            served_by["request"] = rid
        if closed is not None:
            self.requests.append({"request": rid, "step": "closed", "date": closed[0], "reason": closed[1]})


def put_text(root: Path, rel: str, text: str) -> None:
    """A workspace file vsledger creates: its editor schema named in the first line."""
    (root / rel).write_text(modeline(rel) + textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def weekday_in(year: int, month: int, rng: random.Random, avoid: set[int] | None = None) -> date:
    days = [d for d in range(1, calendar.monthrange(year, month)[1] + 1) if date(year, month, d).weekday() < 6]
    days = [d for d in days if d not in (avoid or set())]
    return date(year, month, rng.choice(days))


def hours_choice(rng: random.Random) -> Decimal:
    return rng.choice([Decimal(2), Decimal("2.5"), Decimal(3), Decimal("3.5"), Decimal(4)])


# --- seed 000: a Xinluo health unit ----------------------------------------------------


def xinluo_cdc(root: Path) -> None:
    Y = 2018  # the plan's own year
    u = Unit("xinluo-cdc", 0)
    places = ["东城社区卫生服务站", "西城社区", "龙门镇卫生院", "红坊镇洋坪村", "新罗区老年公寓", "中城街道办事处"]
    titles = [("义诊", "社区老人"), ("健康宣教", "社区居民"), ("疫苗接种宣传", "学生家长"), ("慢病随访", "慢病患者")]
    for i in range(40):
        employment = "staff" if i < 28 else "contract" if i < 38 else "retired"
        v = u.volunteer(
            party_member=i % 3 == 0,
            employment=employment,
            joined=date(Y - 12 + i % 10, 3, 1),
            registered_on=date(Y - 2, 6, 1) + timedelta(days=7 * i),
            platform="全国志愿服务信息系统",
            skills=[SKILLS[i % len(SKILLS)]],
        )
        if i != 20:  # planted: V0021 missed the district's training day
            v["trainings"] = [{"date": date(Y, 11, 20), "topic": "医务志愿者培训交流", "hours": 3}]
        if v["party_member"]:
            v["checked_in_on"] = date(Y - 2, 7, 1) + timedelta(days=i)
            v["community"] = u.rng.choice(["东城社区", "西城社区", "中城社区"])
    # Planted: V0012 and V0033 never registered; V0010 (party member, staff) not checked in.
    del u.volunteers[11]["registered_on"], u.volunteers[32]["registered_on"]
    del u.volunteers[9]["checked_in_on"], u.volunteers[9]["community"]
    # Joiners and a leaver.
    u.volunteers[19]["left"] = date(Y, 9, 30)
    u.volunteers[38]["joined"], u.volunteers[38]["registered_on"] = date(Y, 7, 1), date(Y, 7, 15)
    u.volunteers[39]["joined"], u.volunteers[39]["registered_on"] = date(Y, 10, 8), date(Y, 10, 8)
    special = {3: 5, 4: 7, 5: 15, 7: 1, 10: 1, 12: 1}  # planted: nothing near 07-11
    for month in range(1, 13):
        for n in range(4):
            if n == 0 and month in special:
                day = date(Y, month, special[month])
            else:
                day = weekday_in(Y, month, u.rng, avoid={9, 10, 11, 12, 13} if month == 7 else None)
            title, target = titles[(month + n) % len(titles)]
            people: list[Any] = u.pick(day, u.rng.randint(9, 14))
            fields: dict[str, Any] = {
                "title": f"{u.rng.choice(['东城', '西城', '龙门', '红坊'])}{title}",
                "category": title,
                "tags": ["集中"] if n % 2 == 0 else [],
                "location": u.rng.choice(places),
                "target": target,
                "served": u.rng.randint(30, 150),
            }
            if n == 1:
                fields.update(start="08:30", end="11:30")
            else:
                fields["hours"] = hours_choice(u.rng)
            if n == 2 and len(people) > 3:
                people[1] = {people[1]: Decimal("1.5")}
            fields.update(lead=people[0] if isinstance(people[0], str) else "V0001", recorded_by="林晓东")
            fields["content"] = f"{title}:测血压、测血糖、健康咨询"
            fields["outcome"] = f"服务群众{fields['served']}人次"
            u.activity(day, people, **fields)
    # A correction: the June hours were entered wrong; the correcting entry restates it.
    june = u.activities[f"{Y}-06"][0]
    fixed = dict(june, id=f"{june['date']:%Y%m%d}-09", corrects=june["id"], hours=Decimal(2))
    fixed.pop("start", None), fixed.pop("end", None)
    u.activities[f"{Y}-06"].append(fixed)
    u.reports = [{"kind": "plan", "period": Y, "submitted_on": date(Y, 5, 20)}]
    for month in range(1, 12):
        due = date(Y, month + 1, 5)
        submitted = due - timedelta(days=u.rng.randint(0, 4))
        if month == 5:
            submitted = date(Y, 6, 8)  # planted: the May report was late
        u.reports.append({"kind": "monthly", "period": f"{Y}-{month:02d}", "submitted_on": submitted})
    # December's report is due on 5 January: handed in on the 4th (pending on 31 December, met after).
    u.reports.append({"kind": "monthly", "period": f"{Y}-12", "submitted_on": date(Y + 1, 1, 4)})
    # Seed 000: in-service party members claim community projects and 微心愿, one request a month,
    # each served by that month's last activity. Planted: V0010 (not checked in) claims none;
    # December's wish is still waiting for a claim; one project was closed unserved.
    claimants = [v["id"] for v in u.volunteers if v["party_member"] and v["employment"] != "retired" and v["id"] != "V0010"]
    asks = [("东城社区居委会", "独居老人上门测血压", "wish"), ("西城社区", "社区慢病患者健康讲座", "project"),
            ("中城社区", "留守儿童防疫知识课", "wish"), ("龙门镇卫生院", "村民免费体检帮扶", "project")]  # fmt: skip
    corrected = {a.get("corrects") for month in u.activities.values() for a in month}
    for month in range(1, 12):
        plain = [a for a in u.activities[f"{Y}-{month:02d}"] if "corrects" not in a and a["id"] not in corrected]
        served = max(plain, key=lambda a: (a["date"], a["id"]))
        source, ask, kind = asks[month % len(asks)]
        received = served["date"] - timedelta(days=4)
        claim = (received + timedelta(days=2), [claimants[month - 1]])
        u.request(f"R{Y}{month:02d}-1", received, source, ask, kind, "yizhen", claim, served)
    u.request(f"R{Y}06-2", date(Y, 6, 8), "西城社区", "行动不便老人上门接种", "project", "yizhen",
              (date(Y, 6, 10), claimants[11:]), closed=(date(Y, 6, 20), "居民已由家属接送到接种点"))  # fmt: skip
    u.request(f"R{Y}12-2", date(Y, 12, 20), "东城社区居委会", "为孤寡老人添置冬衣", "wish", "yizhen")
    u.write(
        root,
        """
id: xinluo-cdc
name: 新罗区疾病预防控制中心
parent: xinluo-health
policy: xinluo-health-2018
teams:
  - {id: yizhen, name: 医务志愿服务队, convener: V0001}
""",
        "新罗区疾病预防控制中心",
    )


# --- seed 001: the Putian party school --------------------------------------------------


def putian_party_school(root: Path) -> None:
    u = Unit("putian-party-school", 1)
    branches = ["b1", "b2", "b3", "b4"]
    teams = {"b1": "t1", "b2": "t2", "b3": "t3"}  # planted: branch b4 has no team
    for i in range(36):
        branch = branches[i % 4]
        party = i < 32
        v = u.volunteer(
            party_member=party,
            employment="staff" if i < 30 else "contract",
            branch=branch,
            teams=[teams[branch]] if branch in teams else [],
            joined=date(2015, 9, 1),
            registered_on=date(2021, 3, 1) + timedelta(days=i),
            platform="时间银行",
            skills=[SKILLS[i % len(SKILLS)], SKILLS[(i + 3) % len(SKILLS)]],
            trainings=[{"date": date(2022, 3, 10), "topic": "志愿服务通用培训", "hours": 2}],
        )
        if party:
            v["checked_in_on"] = date(2021, 4, 1)
            v["community"] = "梅园社区"
    # Planted: V0006 and V0011 missed the training; V0003 lists no skill.
    u.volunteers[5]["trainings"] = []
    u.volunteers[10]["trainings"] = []
    u.volunteers[2]["skills"] = []
    # Planted: V0008 joined mid-year (periods before July are not his to meet).
    u.volunteers[7]["joined"] = date(2022, 7, 1)
    party = [v for v in u.volunteers if v["party_member"]]
    for month in range(1, 13):
        day = weekday_in(2022, month, u.rng)
        present = [v["id"] for v in party if u.on_roster(v, day)]
        if month == 4:  # planted: V0013 and V0021 missed April's community activity
            present = [p for p in present if p not in ("V0013", "V0021")]
        u.activity(
            day,
            present,
            title="“无疫小区”志愿服务" if month < 7 else "社区文明劝导",
            team=["t1", "t2", "t3"][month % 3],
            category="社区服务",
            tags=["集中", "社区"],
            location="城厢区梅园社区",
            target="社区居民",
            served=u.rng.randint(80, 300),
            hours=Decimal(2),
            lead=present[0],
            recorded_by="黄丽萍",
            content="疫情防控值守、文明劝导、入户宣传",
        )
        # Branch activities: each team once a quarter, 2-hour sessions.
        if month % 3 == 0:
            for team_id in ("t1", "t2", "t3"):
                members = [v for v in party if team_id in v["teams"]]
                tday = weekday_in(2022, month, u.rng, avoid={day.day})
                u.activity(
                    tday,
                    u.pick(tday, len(members) - 1, members),
                    title="送教下乡" if team_id != "t3" else "宝胜村书香阅读",
                    team=team_id,
                    category="乡村振兴",
                    tags=["集中"],
                    location="荔城区新度镇宝胜村",
                    target="村民",
                    hours=Decimal(3),
                    recorded_by="黄丽萍",
                )
    u.activity(
        date(2022, 9, 9),
        u.pick(date(2022, 9, 9), 12, party),
        title="为特困群体送温暖",
        team="t2",
        category="扶贫帮困",
        tags=["爱心"],
        location="荔城区新度镇宝胜村",
        target="特困户",
        served=15,
        hours=Decimal(3),
        recorded_by="黄丽萍",
    )
    # Seed 001: 基层点单、组织派单、党员接单, and the 时间银行. Planted: the April request was answered
    # after 49 days; only the claimants below took any request on (a warning-level shortfall).
    september = u.activities["2022-09"][-1]
    march = u.activities["2022-03"][0]
    u.request("R202203-1", march["date"] - timedelta(days=5), "梅园社区", "疫情防控值守人手", "project", "t1",
              (march["date"] - timedelta(days=3), ["V0001", "V0005"]), march)  # fmt: skip
    u.request("R202204-1", date(2022, 4, 1), "宝胜村", "农技书籍进村", "wish", "t3",
              (date(2022, 5, 15), ["V0003"]), closed=(date(2022, 5, 20), "已由村图书室解决"))  # fmt: skip
    u.request("R202209-1", date(2022, 9, 1), "宝胜村", "特困户节前慰问", "wish", "t2",
              (date(2022, 9, 2), ["V0002", "V0006"]), september)  # fmt: skip
    u.redemptions = [
        {"volunteer": "V0001", "date": date(2022, 10, 15), "hours": Decimal(10), "what": "梅园社区理发服务两次"},
        {"volunteer": "V0005", "date": date(2022, 12, 1), "hours": Decimal(4), "what": "家政保洁一次"},
    ]
    # Each branch hands in its half-year summary (seed 001: 各党支部……分别于6月底和12月底前报送).
    # Planted: branch b3's first summary came on 07-03, after the end of June.
    u.reports = [
        {"kind": "half-year", "period": f"2022-H{h}", "submitted_on": date(2022, 6 * h, 28 if h == 1 else 29), "branch": b}
        for h in (1, 2)
        for b in branches
    ]
    u.reports[2]["submitted_on"] = date(2022, 7, 3)
    u.write(
        root,
        """
id: putian-party-school
name: 中共莆田市委党校
policy: putian-party-school-2022
branches:
  - {id: b1, name: 机关第一党支部}
  - {id: b2, name: 机关第二党支部}
  - {id: b3, name: 机关第三党支部}
  - {id: b4, name: 机关第四党支部}
teams:
  - {id: t1, name: 第一支部党员志愿服务队, branch: b1, convener: V0001}
  - {id: t2, name: 第二支部党员志愿服务队, branch: b2, convener: V0002}
  - {id: t3, name: 第三支部党员志愿服务队, branch: b3, convener: V0003}
""",
        "中共莆田市委党校",
    )


# --- seed 002: a county civil-affairs bureau ------------------------------------------------


def county_civil_affairs(root: Path) -> None:
    u = Unit("county-civil-affairs", 2)
    sizes = [("jiguan", 30), ("fuliyuan", 15), ("binyiguan", 10), ("binguansuo", 5)]
    for team_id, size in sizes:
        for _ in range(size):
            u.volunteer(
                party_member=u.rng.random() < 0.4,
                employment="staff" if u.rng.random() < 0.8 else "contract",
                teams=[team_id],
                joined=date(2012, 3, 5),
                registered_on=date(2012, 3, 5),
            )
    everyone = u.volunteers
    days = {3: 5, 6: 5, 7: 1, 9: 9}  # planted: nothing near 03-12 (植树节)
    for month in range(1, 13):
        if month == 8:  # planted: no 环境卫士 activity in August
            continue
        day = date(2022, month, days.get(month, 15))
        size = 28 if month == 5 else u.rng.randint(31, 40)  # planted: only 28 in May
        u.activity(
            day,
            u.pick(day, size, everyone),
            title="弘扬雷锋精神,争做环境卫士",
            team="jiguan",
            category="环境保护",
            tags=["环境卫士", "大型"] if month in (3, 6, 9) else ["环境卫士"],
            location="县城人民广场及周边路段",
            target="城区居民",
            hours=Decimal("2.5"),
            lead="V0001",
            recorded_by="陈红",
            content="白色垃圾清理、“牛皮癣”清除、不文明行为劝阻",
            attachments=[f"attachments/{day}-huanjing.jpg"],
        )
        if month in (1, 9, 12):
            wday = weekday_in(2022, month, u.rng, avoid={day.day})
            u.activity(
                wday,
                u.pick(wday, 8, [v for v in everyone if "fuliyuan" in v["teams"]]),
                title="献爱心送温暖",
                team="fuliyuan",
                category="助老助残",
                tags=["爱心"],
                location="县社会福利院",
                target="孤寡老人",
                start="14:00",
                end="17:00",
                recorded_by="陈红",
            )
    u.write(
        root,
        """
id: county-civil-affairs
name: 县民政局
policy: county-civil-affairs-lei-feng
teams:
  - {id: jiguan, name: 民政局机关志愿者服务队, convener: V0001, size: 30}
  - {id: fuliyuan, name: 福利院分队, convener: V0031, size: 15}
  - {id: binyiguan, name: 殡仪馆分队, convener: V0046, size: 10}
  - {id: binguansuo, name: 殡管所分队, convener: V0056, size: 5}
""",
        "县民政局",
    )


def county_aic(root: Path) -> None:
    """Seed 002's first plan: the county 工商局 and its seven kinds of Lei Feng activity."""
    u = Unit("county-aic", 5)
    for i in range(24):
        u.volunteer(party_member=i % 2 == 0, employment="staff" if i < 20 else "contract", teams=["aic"],
                    joined=date(2015, 1, 1), registered_on=date(2016, 3, 5))  # fmt: skip
    # Planted: 扶危济困 was written 扶危济困志愿服务 (validate warns, the rule misses it);
    # no 消费纠纷调解 activity all year.
    plan = [(3, "保护环境", "学雷锋清洁家园", "城区主干道"), (4, "扶危济困志愿服务", "困难群众走访慰问", "城关镇"),
            (5, "岗位学雷锋", "窗口服务岗位学雷锋", "政务服务中心"), (6, "零无照经营一条街", "无照经营清理宣传", "解放路"),
            (9, "住宅小区、校园周边", "校园周边食品安全检查", "县实验小学周边"),
            (11, "送法进校园、进企业", "消费维权法律进企业", "县工业园区")]  # fmt: skip
    for month, category, title, place in plan:
        day = weekday_in(2022, month, u.rng)
        u.activity(day, u.pick(day, 10), title=title, team="aic", category=category, location=place, target="群众",
                   hours=Decimal(3), content=title, recorded_by="吴丽")  # fmt: skip
    u.write(
        root,
        """
id: county-aic
name: 县工商局
policy: county-aic-lei-feng
teams:
  - {id: aic, name: 工商局学雷锋志愿服务队, convener: V0001}
""",
        "县工商局",
    )


# --- seed 003: a town with seven coloured teams -------------------------------------------------


def town(root: Path) -> None:
    Y = 2021  # the arrangements' own year
    u = Unit("chengzhen", 3)
    teams = ["red", "green", "blue", "yellow", "orange", "gold", "purple"]
    for i in range(84):
        staff = i < 20
        u.volunteer(
            party_member=(staff and i % 4 != 3) or i % 9 == 0,
            employment="staff" if staff else "resident",
            teams=[teams[i % 7]],
            joined=date(2020, 5, 1),
            registered_on=date(2020, 5, 5),
            community=u.rng.choice(["东街村", "西街村", "南关社区", "北关社区"]),
        )
    # Planted: the orange team's convener (V0005) left in September.
    u.volunteers[4]["left"] = date(Y, 9, 30)
    names = ["红色党员先锋服务队", "绿色产业技术服务队", "蓝色法律援助服务队", "黄色文明新风服务队",
             "橙色文化文艺服务队", "金色科教文卫服务队", "紫色扶贫帮困服务队"]  # fmt: skip
    work = ["理论宣讲", "惠民政策普及", "法律援助", "文明新风", "文艺下乡", "健康教育", "扶贫帮困"]
    for month in range(1, 13):
        for t, team_id in enumerate(teams):
            if team_id == "purple" and month == 2:  # planted: the purple team skipped February
                continue
            day = date(Y, month, 5) if t == 0 else weekday_in(Y, month, u.rng, avoid={5})
            members = [v for v in u.volunteers if team_id in v["teams"]]
            people = u.pick(day, max(3, len(members) - 3), members)
            u.activity(
                day,
                people,
                title=f"{work[t]}志愿服务",
                team=team_id,
                category=work[t],
                tags=["志愿服务日"] if day.day == 5 else [],
                location=u.rng.choice(["镇新时代文明实践所", "东街村文明实践站", "南关社区文明实践站"]),
                target="群众",
                served=u.rng.randint(20, 120),
                hours=hours_choice(u.rng),
                external=u.rng.randint(0, 20),
                recorded_by="赵志明",
            )
    # Planted: in-service party members V0006, V0010 and V0014 never took part (11 of the 14 still on the roster: 78.6%, missed).
    for items in u.activities.values():
        for a in items:
            a["participants"] = [p for p in a["participants"] if p not in ("V0006", "V0010", "V0014")]
    conveners = {team_id: f"V{i + 1:04d}" for i, team_id in enumerate(teams)}
    team_lines = "\n".join(f"  - {{id: {t}, name: {n}, convener: {conveners[t]}}}" for t, n in zip(teams, names, strict=True))
    u.write(
        root,
        f"""
id: chengzhen
name: 城镇新时代文明实践所
policy: town-2021
population: 600
teams:
{team_lines}
""",
        "城镇新时代文明实践所",
    )
    for uid, name, seed in (("dongjie-station", "东街村新时代文明实践站", 31), ("nanguan-station", "南关社区新时代文明实践站", 32)):
        station(root, uid, name, seed, Y)
    put_text(
        root,
        "groups.yaml",
        """
# 城镇:镇新时代文明实践所与各村(社区)实践站,作为一个整体对照全镇的安排意见检查
groups:
  - {id: chengzhen-town, name: 城镇(全镇), units: [chengzhen, dongjie-station, nanguan-station], population: 900, policy: town-2021}
""",
    )


def station(root: Path, uid: str, name: str, seed: int, year: int) -> None:
    """A village (community) station of the town: one team, an activity on every volunteer day;
    no plan of its own, so it is judged only within the town's group."""
    u = Unit(uid, seed)
    for i in range(12):
        u.volunteer(party_member=i < 2, employment="staff" if i < 2 else "resident", teams=["team"],
                    joined=date(2020, 5, 1), registered_on=date(2020, 5, 5))  # fmt: skip
    for month in range(1, 13):
        day = date(year, month, 5)
        u.activity(day, u.pick(day, 8), title="志愿服务日活动", team="team", category="文明新风", tags=["志愿服务日"],
                   location=name, target="村民", hours=Decimal(2), recorded_by="赵志明")  # fmt: skip
    u.write(root, f"""
id: {uid}
name: {name}
parent: chengzhen
teams:
  - {{id: team, name: {name.replace("新时代文明实践站", "")}志愿服务队, convener: V0001}}
""", name)  # fmt: skip


# --- seed 004: a street volunteer station under the long-term mechanism ---------------------------


def street_station(root: Path) -> None:
    u = Unit("dongcheng-station", 4)
    for i in range(26):
        u.volunteer(
            party_member=i % 3 == 0,
            employment=["resident", "retired", "student", "staff"][i % 4],
            teams=["service" if i % 2 == 0 else "culture"],
            joined=date(2019, 1, 1) if i < 24 else date(2022, 4, 1),
            registered_on=date(2019, 1, 10) if i < 24 else date(2022, 4, 2),
            skills=[SKILLS[(i * 5) % len(SKILLS)]] if i % 6 != 5 else [],  # planted: V0006, V0012, … no skill
            trainings=[{"date": date(2022, 4 + i % 3, 12), "topic": "志愿服务技能培训", "hours": 3}],
        )
    for month in range(1, 13):
        for team_id in ("service", "culture"):
            if team_id == "culture" and month in (7, 8, 9):  # planted: no culture activity in Q3
                continue
            day = weekday_in(2022, month, u.rng)
            members = [v for v in u.volunteers if team_id in v["teams"]]
            u.activity(
                day,
                u.pick(day, u.rng.randint(5, 9), members),
                title="便民服务" if team_id == "service" else "社区文化活动",
                team=team_id,
                category="便民利民" if team_id == "service" else "文化文艺",
                location="东城街道志愿服务工作站",
                target="社区居民",
                served=u.rng.randint(20, 80),
                hours=hours_choice(u.rng),
                recorded_by="周佳琪",
            )
    # Seed 004: a coordination meeting every half year, recorded as a meeting (never service).
    # Planted: only the first half's was held.
    u.activity(date(2022, 6, 20), ["V0001", "V0002", "V0003"], title="上半年志愿服务工作协调会", type="meeting",
               location="东城街道办事处会议室", hours=Decimal(2), content="通报上半年工作,协调下半年活动安排",
               recorded_by="周佳琪")  # fmt: skip
    # A deletion: an activity recorded twice by mistake is withdrawn by a correcting entry.
    dup = u.activities["2022-10"][0]
    u.activity(dup["date"], [], **{k: v for k, v in dup.items() if k not in ("id", "date", "participants")}, corrects=dup["id"])
    u.reports = [
        {"kind": "plan", "period": 2022, "submitted_on": date(2022, 2, 10)},  # planted: late (due 01-31)
        {"kind": "half-year", "period": "2022-H1", "submitted_on": date(2022, 7, 12)},
        {"kind": "half-year", "period": "2022-H2", "submitted_on": date(2022, 12, 28)},
    ]
    u.write(
        root,
        """
id: dongcheng-station
name: 东城街道志愿服务工作站
policy: long-term-mechanism
teams:
  - {id: service, name: 便民服务队, convener: V0001}
  - {id: culture, name: 文化文艺队, convener: V0002}
""",
        "东城街道志愿服务工作站",
    )


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]
    for build in (xinluo_cdc, putian_party_school, county_civil_affairs, county_aic, town, street_station):
        build(root)


if __name__ == "__main__":
    main()
