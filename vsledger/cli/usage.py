"""Usage errors in the reader's language, and global options wherever people put them.

typer (and the click inside it) word their usage errors in English and their wording changes
between releases. We take the parsing errors as data instead (the exception's class and its
option, parameter and candidates, which are click's stable API) and say them ourselves through
the catalogue, with "是否为 …?" suggestions. The group also moves the global options
(`--root`, `--lang`, `--no-cache`) to the front when they were typed after the command, as
people do (`vsledger check --year 2022 --root DIR`).
"""

from __future__ import annotations

import difflib
import enum
import os
import sys
import types
import typing
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import typer
from typer.core import TyperGroup

from vsledger.render.messages import current_lang, ui

GLOBAL_VALUE_OPTIONS = ("--root", "--lang", "--today", "--scheduler")
GLOBAL_FLAGS = ("--no-cache",)
"""The root command's own options; a test holds these to the options the root command declares."""


def _class_names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def hoist_global_options(args: list[str], commands: set[str]) -> list[str]:
    """`check --year 2022 --root DIR` → `--root DIR check --year 2022`; values stay with their option."""
    front: list[str] = []
    rest: list[str] = []
    seen_command = False
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":  # everything after is an argument, never an option
            rest.extend(args[i:])
            break
        name = arg.split("=", 1)[0]
        if seen_command and name in GLOBAL_VALUE_OPTIONS:
            if "=" in arg:
                front.append(arg)
                i += 1
            else:
                front.extend(args[i : i + 2])
                i += 2
            continue
        if seen_command and arg in GLOBAL_FLAGS:
            front.append(arg)
            i += 1
            continue
        if not seen_command and arg in commands:
            seen_command = True
        elif not seen_command and name in GLOBAL_VALUE_OPTIONS and "=" not in arg:
            rest.extend(args[i : i + 2])  # a global option's value is never taken for the command
            i += 2
            continue
        rest.append(arg)
        i += 1
    return front + rest


def _lang_of(args: list[str]) -> str:
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return current_lang(args[i + 1])
        if arg.startswith("--lang="):
            return current_lang(arg.split("=", 1)[1])
    return current_lang()


def _option_names(command: Any) -> list[str]:
    return [opt for param in getattr(command, "params", []) for opt in (*param.opts, *param.secondary_opts) if opt.startswith("-")]


def _suggest(word: str, candidates: list[str], lang: str) -> str:
    close = difflib.get_close_matches(word, candidates, n=3, cutoff=0.5)
    return ui("usage-did-you-mean", lang, candidates=", ".join(close)) if close else ""


def _hint_of(exc: Any) -> str:
    param = getattr(exc, "param", None)
    if getattr(exc, "param_hint", None):
        hint = exc.param_hint
        return " / ".join(hint) if isinstance(hint, (list, tuple)) else str(hint)
    if param is not None:
        opts = [o for o in getattr(param, "opts", []) if o.startswith("--")] or list(getattr(param, "opts", []))
        return opts[0] if opts else str(getattr(param, "name", ""))
    return ""


def _type_words(command: Any, param: Any, lang: str) -> str:
    """What a value of this parameter should look like, in words, from our own function's annotation
    (typer's own parameter types differ between releases)."""
    name = getattr(param, "name", None)
    callback = getattr(command, "callback", None)
    if name is None or callback is None:
        return ""
    try:
        hint = typing.get_type_hints(callback, include_extras=True).get(name)
    except Exception:  # an annotation we cannot resolve: say nothing rather than guess
        return ""
    declared = next(iter(getattr(hint, "__metadata__", ())), None)  # the typer.Option(...) it was declared with
    low, high = getattr(declared, "min", None), getattr(declared, "max", None)
    hint = typing.get_args(hint)[0] if typing.get_origin(hint) is typing.Annotated else hint
    while typing.get_origin(hint) in (typing.Union, types.UnionType, list):
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return ui("usage-one-of", lang, choices=" | ".join(str(member.value) for member in hint))
    if hint is int and low is not None and high is not None:
        return ui("usage-integer-between", lang, low=low, high=high)
    if hint is int and low is not None:
        return ui("usage-integer-from", lang, low=low)
    if hint is int:
        return ui("usage-integer", lang)
    if hint in (float, Decimal):
        return ui("usage-number", lang)
    return ""


def describe_usage_error(exc: BaseException, command: Any, lang: str) -> str:
    """One sentence for a usage error, from what the exception carries (not its English text)."""
    names = _class_names(exc)
    if "NoSuchOption" in names:
        option = str(getattr(exc, "option_name", ""))
        message = ui("usage-no-such-option", lang, option=option)
        return message + _suggest(option, _option_names(command), lang)
    if "MissingParameter" in names:
        return ui("usage-missing", lang, option=_hint_of(exc))
    if "BadParameter" in names:
        hint = _hint_of(exc)
        own = str(getattr(exc, "message", "") or "")
        words = _type_words(command, getattr(exc, "param", None), lang)
        detail = own if own and own.isascii() is False else words or own  # our own hints are Chinese already
        return ui("usage-bad-value", lang, option=hint, detail=detail)
    if "BadOptionUsage" in names:
        return ui("usage-bad-option", lang, option=str(getattr(exc, "option_name", "")))
    return ui("usage-other", lang, detail=str(getattr(exc, "message", exc)))


class LocalizedGroup(TyperGroup):
    """The root command: global options anywhere, usage errors in the reader's language."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if os.environ.get(f"_{(prog_name or 'vsledger').upper().replace('-', '_')}_COMPLETE"):
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)  # shell completion
        argv = list(sys.argv[1:] if args is None else args)
        argv = hoist_global_options(argv, set(self.commands))
        lang = _lang_of(argv)
        prog = prog_name or "vsledger"
        unknown = self._unknown_command(argv, lang)
        if unknown is not None:
            return self._fail(unknown, prog, lang, standalone_mode)
        try:
            result = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except Exception as exc:
            names = _class_names(exc)
            if "UsageError" in names:
                ctx = getattr(exc, "ctx", None)
                command = getattr(ctx, "command", None) or self
                path = getattr(ctx, "command_path", None) or prog
                return self._fail(describe_usage_error(exc, command, lang), path, lang, standalone_mode)
            if "Abort" in names:
                typer.echo(ui("usage-aborted", lang), err=True)
                return self._exit(1, standalone_mode)
            raise
        except (KeyboardInterrupt, EOFError):
            typer.echo("\n" + ui("usage-aborted", lang), err=True)
            return self._exit(1, standalone_mode)
        # Without standalone mode click hands back the exit code instead of exiting.
        return self._exit(result if isinstance(result, int) else 0, standalone_mode)

    def _unknown_command(self, argv: list[str], lang: str) -> str | None:
        """An unknown command, said with the nearest ones; None when the first word is a command."""
        i = 0
        while i < len(argv):
            arg = argv[i]
            if arg in ("--help", "--install-completion", "--show-completion") or arg.startswith("--install-completion"):
                return None
            if arg.split("=", 1)[0] in GLOBAL_VALUE_OPTIONS and "=" not in arg:
                i += 2
                continue
            if arg.startswith("-"):
                i += 1
                continue
            if arg in self.commands:
                return None
            return ui("usage-no-such-command", lang, command=arg) + _suggest(arg, sorted(self.commands), lang)
        return None

    def _fail(self, message: str, command_path: str, lang: str, standalone_mode: bool) -> Any:
        typer.echo(f"{command_path}: {message}", err=True)
        typer.echo(ui("usage-see-help", lang, command=command_path), err=True)
        return self._exit(2, standalone_mode)

    @staticmethod
    def _exit(code: int, standalone_mode: bool) -> int:
        if standalone_mode:
            sys.exit(code)
        return code
