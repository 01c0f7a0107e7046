"""Policies and the rule kinds that evaluate them (SPEC §5)."""

from . import kinds as _kinds  # noqa: F401  (registers every kind)
from .registry import KINDS, Context, Outcome, Status

__all__ = ["KINDS", "Context", "Outcome", "Status"]
