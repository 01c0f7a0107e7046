"""Generate workspaces (docs/format.md) of realistic size, deterministically.

    python benchmarks/generate.py district OUT_DIR
    python benchmarks/generate.py city OUT_DIR

small:    1 unit × 300 volunteers × 10 activities a month
district: 20 units × 300 volunteers × 10 activities a month
city:     100 units × 1,000 volunteers × 20 activities a month × up to 40 participants
"""

from __future__ import annotations

import random
import shutil
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vsledger.write.layout import record_text


@dataclass(frozen=True)
class Scale:
    units: int
    volunteers: int
    activities_per_month: int
    max_participants: int


SCALES = {
    "small": Scale(1, 300, 10, 30),
    "district": Scale(20, 300, 10, 30),
    "city": Scale(100, 1000, 20, 40),
}
YEAR = 2022
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志明海燕文辉晓东春梅丹宇浩然佳琪欣怡子涵"
TITLES = ["社区义诊", "环境整治", "文明劝导", "政策宣讲", "敬老助残", "垃圾分类宣传", "关爱留守儿童", "交通文明引导"]
POLICY = """id: bench-policy
title: 基准测试方案
rules:
  - {id: registration, kind: registration_rate, who: {employment: [staff, contract]}, min: 100%, text: 100%注册志愿者}
  - {id: checkin, kind: checkin_rate, who: {party_member: true}, min: 100%, text: 党员到社区报到}
  - {id: training, kind: training_rate, who: {party_member: true}, min: 100%, text: 培训全覆盖}
  - {id: skills, kind: skills, who: {party_member: true}, min: 2, rate: 30%, text: 党员掌握两项技能}
  - {id: hours-per-capita, kind: hours_per_capita, who: {employment: [staff, contract]}, min: 25, text: 人均25小时}
  - {id: hours-per-person, kind: hours_per_person, who: {party_member: true}, min: 20, text: 每人20小时}
  - {id: party-participation, kind: participation_rate, who: {party_member: true}, min: 80%, text: 党员参与率80%}
  - {id: unit-monthly, kind: activity_count, scope: unit, per: month, min: 4, text: 单位每月四次}
  - {id: team-monthly, kind: activity_count, scope: team, per: month, min: 1, text: 每队每月一次}
  - {id: branch-quarterly, kind: activity_count, scope: branch, per: quarter, min: 3, text: 每支部每季三次}
  - {id: person-monthly, kind: activity_count, scope: person, per: month, min: 1, who: {party_member: true}, text: 党员每月一次}
  - {id: group-size, kind: min_participants, where: {tags: [集中]}, min: 25, text: 集中活动25人以上}
  - {id: residents, kind: population_participation, min: 13%, text: 参与人数达到常住人口13%}
  - {id: team-per-branch, kind: teams_per_branch, min: 1, text: 每个支部至少一支服务队}
  - {id: conveners, kind: team_conveners, text: 每支服务队设召集人}
  - {id: monthly-report, kind: report_due, report: monthly, due: 5, text: 每月5日前报送}
  - {id: volunteer-day, kind: special_days, days: ["*-05"], min: 100%, text: 每月5号志愿服务日}
  - {id: memorial-days, kind: special_days, days: ["03-05", "10-30"], window: 1, min: 2, text: 纪念日前后}
  - {id: request-response, kind: request_response, within: 30, text: 需求30天内回应}
  - {id: claim-wishes, kind: requests_claimed, who: {party_member: true}, min: 1, rate: 10%, text: 党员认领需求}
  - {id: record-content, kind: record_fields, fields: [content, target], text: 记录服务内容和对象}
  - {id: team-structure, kind: team_structure, min_teams: 1, text: 组建服务队且召集人为队员}
"""


def generate(scale_name: str | Scale, out: Path, seed: int = 2022) -> Path:
    scale = SCALES[scale_name] if isinstance(scale_name, str) else scale_name
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "rules").mkdir(parents=True)
    (out / "rules" / "bench-policy.yaml").write_text(POLICY, encoding="utf-8")
    for u in range(scale.units):
        uid = f"unit-{u + 1:03d}"
        base = out / "ledgers" / uid
        (base / "activities").mkdir(parents=True)
        teams = [f"t{t + 1}" for t in range(max(2, scale.volunteers // 100))]
        branches = [f"b{b + 1}" for b in range(max(1, len(teams) // 2))]
        branch_of = {t: branches[i % len(branches)] for i, t in enumerate(teams)}
        team_lines = "".join(
            f"  - {{id: {t}, name: 服务队{t}, branch: {branch_of[t]}, convener: V{i + 1:05d}}}\n" for i, t in enumerate(teams)
        )
        branch_lines = "".join(f"  - {{id: {b}, name: 第{i + 1}支部}}\n" for i, b in enumerate(branches))
        (base / "unit.yaml").write_text(
            f"id: {uid}\nname: 基准单位{u + 1}\npolicy: bench-policy\npopulation: {scale.volunteers * 4}\n"
            f"branches:\n{branch_lines}teams:\n{team_lines}",
            encoding="utf-8",
        )
        volunteers = []
        for i in range(scale.volunteers):
            record = {
                "id": f"V{i + 1:05d}",
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                "party_member": rng.random() < 0.4,
                "employment": rng.choice(["staff", "staff", "contract", "retired", "resident"]),
                "branch": branch_of[teams[i % len(teams)]],
                "teams": [teams[i % len(teams)]],
                "joined": date(2015, 1, 1) + timedelta(days=rng.randint(0, 2900)),
                "registered_on": date(2016, 1, 1) + timedelta(days=rng.randint(0, 2200)) if rng.random() < 0.97 else None,
                "checked_in_on": date(2021, 1, 1) + timedelta(days=rng.randint(0, 500)) if rng.random() < 0.9 else None,
                "skills": rng.sample(["急救", "义诊", "宣讲", "摄影"], rng.choice([1, 1, 2])),
                "trainings": [{"date": date(YEAR, rng.randint(1, 12), rng.randint(1, 28)), "topic": "志愿服务技能培训", "hours": 2}]
                if rng.random() < 0.7
                else [],
            }
            volunteers.append(record)
        (base / "roster.yaml").write_text("volunteers:\n" + "".join(record_text("roster", v) for v in volunteers), encoding="utf-8")
        ids = [v["id"] for v in volunteers if v["joined"] <= date(YEAR, 1, 1)]
        steps: list[str] = []
        for month in range(1, 13):
            blocks = []
            # Two requests a month (点单 → 派单 → 接单), the first served by an activity on the 10th.
            for r in (1, 2):
                request, kind = f"R{YEAR}{month:02d}-{r}", "project" if r == 1 else "wish"
                claimers = sorted(rng.sample(ids, rng.randint(1, 3)))
                steps += [
                    record_text("requests", {"request": request, "step": "received", "date": date(YEAR, month, 1),
                                             "from": f"第{rng.randint(1, 30)}社区", "ask": rng.choice(TITLES), "kind": kind}),
                    record_text("requests", {"request": request, "step": "assigned", "date": date(YEAR, month, 2),
                                             "team": teams[r % len(teams)]}),
                    record_text("requests", {"request": request, "step": "claimed", "date": date(YEAR, month, 3),
                                             "volunteers": claimers}),
                ]  # fmt: skip
            for n in range(scale.activities_per_month):
                day = date(YEAR, month, 5 if n == 0 else 10 if n == 1 else rng.randint(1, 28))
                people = sorted(rng.sample(ids, rng.randint(scale.max_participants * 3 // 4, scale.max_participants)))
                record = {
                    "id": f"{day:%Y%m%d}-{n + 1:02d}",
                    "date": day,
                    "title": rng.choice(TITLES),
                    "team": teams[n % len(teams)],
                    "category": rng.choice(TITLES),
                    "tags": ["集中"] if n % 2 else [],
                    "location": f"第{rng.randint(1, 30)}社区",
                    "served": rng.randint(10, 200),
                    "hours": rng.choice([Decimal(2), Decimal("2.5"), Decimal(3), Decimal(4)]),
                    "participants": people,
                    "recorded_by": "记录员",
                    "request": f"R{YEAR}{month:02d}-1" if n == 1 else None,
                }
                blocks.append(record_text("activities", record))
            (base / "activities" / f"{YEAR}-{month:02d}.yaml").write_text("\n".join(blocks), encoding="utf-8")
        reports = "".join(
            f"- {{kind: monthly, period: {YEAR}-{m:02d}, submitted_on: {date(YEAR + (m == 12), m % 12 + 1, rng.randint(1, 8))}}}\n"
            for m in range(1, 12)
        )
        (base / "reports.yaml").write_text(reports, encoding="utf-8")
        (base / "requests.yaml").write_text("".join(steps), encoding="utf-8")
        redemptions = [
            {"volunteer": rng.choice(ids), "date": date(YEAR, 12, rng.randint(1, 28)), "hours": rng.choice([1, 2, 4]), "what": "兑换服务"}
            for _ in range(max(1, scale.volunteers // 20))
        ]
        (base / "redemptions.yaml").write_text("".join(record_text("redemptions", r) for r in redemptions), encoding="utf-8")
    return out


if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else "district"
    target = Path(sys.argv[2] if len(sys.argv) > 2 else f"benchmarks/out/{name}")
    generate(name, target)
    print(target)
