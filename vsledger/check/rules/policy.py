"""Building a policy: each rule's parameters validated by its kind's own model.

The loader reads a policy file's head (core/policy); the kinds live here, so this is
where an unknown kind or a mistyped parameter becomes a located problem.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import ValidationError

from vsledger.check.rules.registry import KINDS
from vsledger.core.policy import Policy, PolicyHead, Rule, RuleHead
from vsledger.core.problems import Problem
from vsledger.read.loader import build_record, problems_from_validation

_COMMON = {"id", "kind", "text", "level"}


def build_policy(data: Any, file: str, stem: str, problems: list[Problem]) -> Policy | None:

    head = build_record(PolicyHead, data, file, (), problems)
    if head is None:
        return None
    if head.id != stem:
        problems.append(Problem(file, "policy-id-mismatch", {"id": head.id, "file": stem}, path=("id",)))
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, item in enumerate(head.rules):
        path = ("rules", index)
        rule_head = build_record(RuleHead, item, file, path, problems)
        if rule_head is None:
            continue
        if rule_head.id in seen:
            problems.append(Problem(file, "duplicate-id", {"id": rule_head.id}, path=path + ("id",)))
            continue
        seen.add(rule_head.id)
        kind = KINDS.get(rule_head.kind)
        if kind is None:
            close = difflib.get_close_matches(rule_head.kind, list(KINDS), n=1)
            problems.append(
                Problem(file, "unknown-rule-kind", {"kind": rule_head.kind, "suggestion": close[0] if close else ""}, path=path + ("kind",))
            )
            continue
        raw_params = {k: v for k, v in item.items() if k not in _COMMON}
        try:
            params = kind.params.model_validate(raw_params)
        except ValidationError as exc:
            problems.extend(problems_from_validation(exc, file, path))
            continue
        for problem in kind.check_params(params):
            problems.append(Problem(file, problem[0], problem[1], path=path + problem[2]))
        rules.append(Rule(id=rule_head.id, kind=rule_head.kind, text=rule_head.text, level=rule_head.level, params=params))
    return Policy(id=head.id, title=head.title, issued_by=head.issued_by, issued_on=head.issued_on, rules=rules)
