"""The loader pipeline, whole: parse and build (read/), then build the policies against
the rule kinds and run every validation (check/), then locate the problems someone will read.

Everything that needs a workspace as vsledger judges it starts here.
"""

from __future__ import annotations

import gc
from datetime import date
from pathlib import Path
from typing import Unpack

from vsledger.check.group import resolve_groups
from vsledger.check.rules.policy import build_policy
from vsledger.check.validation import run_validations
from vsledger.core.ledger import PolicyEntry, Workspace
from vsledger.read.loader import ReadOptions, locate, locate_workspace_problems, read_workspace


def load_workspace(root: Path, today: date | None = None, locate_problems: bool = True, **read: Unpack[ReadOptions]) -> Workspace:
    """Load and validate a workspace; with `locate_problems=False` positions are left for
    `locate_workspace_problems`, which only the problems someone will read need. `read`
    (overrides, only_units, progress) goes to `read_workspace` as it is."""
    # Loading makes millions of small objects and no cyclic garbage: the cyclic
    # collector's full passes over them would be most of the load time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        workspace = read_workspace(root, today, **read)
        build_policies(workspace)
        workspace.problems.extend(resolve_groups(workspace, workspace.group_entries))
        workspace.problems.extend(run_validations(workspace))
    finally:
        if collecting:
            gc.enable()
    if locate_problems:
        locate_workspace_problems(workspace, workspace.problems)
    return workspace


def build_policies(workspace: Workspace) -> None:
    for source in workspace.policy_sources:
        policy = build_policy(source.data, source.file, source.stem, workspace.problems)
        if policy is not None:
            workspace.policies[policy.id] = PolicyEntry(policy, source.file)
            # A malformed rule is shown in check's tables with its problem: give it its place now.
            invalid = [p for rule in policy.rules for p in rule.problems]
            if invalid:
                locate(workspace.files, invalid)
