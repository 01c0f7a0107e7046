"""The user guide's examples, run for real, and the command reference, from `--help`.

    python -m tools.docgen           # rewrite the output blocks in docs/ and docs/commands.md
    python -m tools.docgen --check   # exit 1 when docs/ is behind the code

A guide in docs/ is Markdown with directives in HTML comments, invisible on a rendered page:

    <!-- workspace: empty -->            start in an empty directory (or `samples`: a copy of
                                         this repository's rules/, ledgers/ and schemas/)
    <!-- cd: 我的台账 -->                 later commands run in that directory
    <!-- file: ledgers/x/unit.yaml -->   the ```yaml block that follows is written to that file
    <!-- run: vsledger hours -y 2022 --> the command runs; the ```text block that follows is
                                         replaced by what it printed
    <!-- do: git mv a b -->              the command runs; its output is not shown

Commands run in order in one temporary directory, with a fixed date (VSLEDGER_TODAY), 100
columns and no colour, so a page reads as a clerk's screen would and is the same on every
machine. A test runs this in --check mode: the guide cannot show output the tool no longer prints.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"
GUIDE_TODAY = "2023-01-04"
WIDTH = 100
_DIRECTIVE = re.compile(r"^<!-- (workspace|cd|file|run|do): (.+?) -->$")
_FENCE = re.compile(r"^```")


@contextlib.contextmanager
def _environment(cache: Path) -> Iterator[None]:
    fixed = {
        "VSLEDGER_TODAY": GUIDE_TODAY,
        "VSLEDGER_LANG": "zh",
        "COLUMNS": str(WIDTH),
        "LINES": "50",
        "NO_COLOR": "1",
        "TERM": "dumb",
        "XDG_CACHE_HOME": str(cache),
        "GIT_AUTHOR_NAME": "台账员",
        "GIT_AUTHOR_EMAIL": "clerk@example.org",
        "GIT_COMMITTER_NAME": "台账员",
        "GIT_COMMITTER_EMAIL": "clerk@example.org",
        "GIT_AUTHOR_DATE": f"{GUIDE_TODAY}T10:00:00+08:00",
        "GIT_COMMITTER_DATE": f"{GUIDE_TODAY}T10:00:00+08:00",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_COUNT": "1",  # as the guide tells the clerk: Chinese file names shown as they are
        "GIT_CONFIG_KEY_0": "core.quotepath",
        "GIT_CONFIG_VALUE_0": "false",
    }
    saved = {key: os.environ.get(key) for key in (*fixed, "VSLEDGER_ROOT")}
    os.environ.update(fixed)
    os.environ.pop("VSLEDGER_ROOT", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class GuideCommandFailed(Exception):
    """A `do` step failed: the commands after it would not show what the guide says."""


def run_command(line: str, cwd: Path) -> tuple[int, str]:
    """The exit code, and what a person would see after typing `line` in `cwd`: stdout, then stderr."""
    from typer.testing import CliRunner

    from vsledger.cli.app import app

    words = shlex.split(line)
    with contextlib.chdir(cwd):
        if words[0] == "vsledger":
            result = CliRunner().invoke(app, words[1:], prog_name="vsledger", catch_exceptions=False)
            code, out, err = result.exit_code, result.stdout, result.stderr
        else:  # git and cat, in the guide's git section
            done = subprocess.run(words, capture_output=True, text=True, check=False)
            code, out, err = done.returncode, done.stdout, done.stderr
    text = out + err
    return code, "\n".join(part.rstrip() for part in text.replace(str(cwd), ".").splitlines()).strip("\n") + "\n"


def _code_block(lines: list[str], start: int) -> tuple[int, int]:
    """(first line of the block's body, index of its closing fence) for the fence at or after `start`."""
    opening = next(i for i in range(start, len(lines)) if _FENCE.match(lines[i]))
    closing = next(i for i in range(opening + 1, len(lines)) if lines[i].startswith("```"))
    return opening + 1, closing


def render_guide(text: str, repo: Path) -> str:
    """The guide with every `run` block holding the command's real output."""
    lines = text.split("\n")
    with tempfile.TemporaryDirectory() as temp, _environment(Path(temp) / "cache"):
        base = Path(temp) / "work"
        base.mkdir()
        cwd = base
        index = 0
        while index < len(lines):
            match = _DIRECTIVE.match(lines[index])
            index += 1
            if not match:
                continue
            kind, value = match.groups()
            if kind == "workspace" and value == "samples":
                for name in ("rules", "ledgers", "schemas"):
                    shutil.copytree(repo / name, base / name)
                subprocess.run(["git", "init", "-q"], cwd=base, check=True)
            elif kind == "cd":
                cwd = (cwd / value).resolve()
            elif kind == "file":
                body, closing = _code_block(lines, index)
                target = cwd / value
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text("\n".join(lines[body:closing]) + "\n", encoding="utf-8")
                index = closing + 1
            elif kind == "do":
                code, output = run_command(value, cwd)
                if code != 0:
                    raise GuideCommandFailed(f"{value}: exit {code}\n{output}")
            elif kind == "run":
                body, closing = _code_block(lines, index)
                output = run_command(value, cwd)[1].rstrip("\n").split("\n")
                lines[body:closing] = output
                index = body + len(output) + 1
    return "\n".join(lines)


def _commands(app_command: object, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command path: (), ("check",), ("request",), ("request", "add"), ..."""
    yield prefix
    commands = getattr(app_command, "commands", {})
    for name in commands:
        yield from _commands(commands[name], (*prefix, name))


def command_reference() -> str:
    import typer.main
    from typer.testing import CliRunner

    from vsledger.cli.app import app

    out = [
        "# 命令参考 · Command reference",
        "",
        "<!-- generated by `python -m tools.docgen`: do not edit; a test keeps it equal to --help -->",
        "",
        "每个命令的 `--help`,与终端里看到的相同。/ Every command's `--help`, as the terminal shows it.",
    ]
    with tempfile.TemporaryDirectory() as temp, _environment(Path(temp)):
        for path in _commands(typer.main.get_command(app)):
            result = CliRunner().invoke(app, [*path, "--help"], prog_name="vsledger")
            title = " ".join(("vsledger", *path))
            help_text = "\n".join(line.rstrip() for line in result.stdout.splitlines()).strip("\n")
            out += ["", f"## {title}", "", "```text", help_text, "```"]
    return "\n".join(out) + "\n"


def expected_docs(repo: Path) -> dict[Path, str]:
    """Every generated page as it should read."""
    docs = repo / "docs"
    pages = {path: render_guide(path.read_text(encoding="utf-8"), repo) for path in sorted(docs.glob("*.md")) if path.name != "commands.md"}
    pages[docs / "commands.md"] = command_reference()
    return pages


def main(argv: list[str]) -> int:
    repo = DOCS.parent
    stale = []
    for path, text in expected_docs(repo).items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if "--check" not in argv:
                path.write_text(text, encoding="utf-8")
    for path in stale:
        print(("behind the code: " if "--check" in argv else "rewrote ") + str(path.relative_to(repo)))
    return 1 if stale and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
