"""Policies and the rule kinds that evaluate them (docs/format.md §12-13)."""

from vsledger.check.rules import kinds as _kinds  # noqa: F401  (registers every kind)
from vsledger.check.rules.registry import KINDS, Context, Outcome, Status

__all__ = ["KINDS", "Context", "Outcome", "Status"]
