"""Building a policy: each rule's parameters validated by its kind's own model.

The loader reads a policy file's head (core/policy); the kinds live here, so this is
where an unknown kind or a mistyped parameter becomes a located problem.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import ValidationError

from vsledger.check.rules.registry import KINDS
from vsledger.core.policy import Policy, PolicyFields, PolicyHead, Rule, RuleHead
from vsledger.core.problems import DocPath, Problem
from vsledger.read.loader import build_record, problems_from_validation

_COMMON = {"id", "kind", "text", "level"}


def build_policy(data: Any, file: str, stem: str, problems: list[Problem]) -> Policy | None:

    head = build_record(PolicyHead, data, file, (), problems)
    if head is None:
        return None
    if head.id != stem:
        problems.append(Problem(file, "policy-id-mismatch", {"id": head.id, "file": stem}, path=("id",)))
    window: list[Problem] = []
    if head.effective_from and head.effective_to and head.effective_to < head.effective_from:
        args = {"start": head.effective_from.isoformat(), "end": head.effective_to.isoformat()}
        window.append(Problem(file, "effective-order", args, path=("effective_to",)))
        problems.extend(window)
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, item in enumerate(head.rules):
        found: list[Problem] = []
        rule = _build_rule(item, file, index, seen, found)
        problems.extend(found)
        if window:  # which days the policy governs is unknown: none of its rules can be judged
            rule = rule.model_copy(update={"params": None, "problems": (*rule.problems, *window)})
        seen.add(rule.id)
        rules.append(rule)
    return Policy(**{name: getattr(head, name) for name in PolicyFields.model_fields}, rules=rules)


def _build_rule(item: Any, file: str, index: int, seen: set[str], problems: list[Problem]) -> Rule:
    """A rule, or a rule marked invalid with its problems: a malformed rule is shown, never left out."""
    path: DocPath = ("rules", index)
    rule_head = build_record(RuleHead, item, file, path, problems)
    if rule_head is None:  # no valid head: named by what it has, or by its place
        raw = item if isinstance(item, dict) else {}
        raw_id, raw_kind, raw_text = raw.get("id"), raw.get("kind"), raw.get("text")
        return Rule(
            id=raw_id if isinstance(raw_id, str) and raw_id not in seen else f"#{index + 1}",
            kind=raw_kind if isinstance(raw_kind, str) else "",
            text=raw_text if isinstance(raw_text, str) else "",
            problems=tuple(problems),
        )
    head = {"id": rule_head.id, "kind": rule_head.kind, "text": rule_head.text, "level": rule_head.level}
    if rule_head.id in seen:
        problems.append(Problem(file, "duplicate-id", {"id": rule_head.id}, path=path + ("id",)))
        head["id"] = f"{rule_head.id}#{index + 1}"
    kind = KINDS.get(rule_head.kind)
    if kind is None:
        close = difflib.get_close_matches(rule_head.kind, list(KINDS), n=1)
        args = {"kind": rule_head.kind, "suggestion": close[0] if close else ""}
        problems.append(Problem(file, "unknown-rule-kind", args, path=path + ("kind",)))
        return Rule(**head, problems=tuple(problems))
    raw_params = {k: v for k, v in item.items() if k not in _COMMON}
    try:
        params = kind.params.model_validate(raw_params)
    except ValidationError as exc:
        problems.extend(problems_from_validation(exc, file, path))
        return Rule(**head, problems=tuple(problems))
    for problem in kind.check_params(params):
        problems.append(Problem(file, problem[0], problem[1], path=path + problem[2]))
    return Rule(**head, params=None if problems else params, problems=tuple(problems))
