"""The command line's entry point: every command group registered on one typer app.

Each group is a module of its own (inspect, record, workspace, out); `common` holds the
app, the global options and what the commands share.
"""

from __future__ import annotations

import gc
import os
import sys

import typer

from vsledger.cli import inspect, out, record, serve, supervise, workspace  # noqa: F401  (registers the commands)
from vsledger.cli.common import app
from vsledger.core import files

__all__ = ["app", "run"]


def run() -> None:
    """Console-script entry point: a bug still ends in a sentence, not a traceback."""
    if os.environ.get("NO_COLOR") is not None:
        os.environ.setdefault("TERM", "dumb")
    # pydantic looks for plugins in every installed package's entry points when the first model is
    # built (~30 ms of a 250 ms start-up); vsledger uses none.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # A command is a short-lived process that makes no cyclic garbage worth collecting; the
    # collector's passes over a large ledger's millions of objects would cost seconds.
    gc.disable()
    files.WRITTEN.clear()
    try:
        app(prog_name="vsledger")
    except Exception as exc:  # every expected failure is a Problem; this is a bug in vsledger
        if os.environ.get("VSLEDGER_DEBUG"):
            raise
        from vsledger.core.personal import mask_text

        typer.echo(f"vsledger: internal error ({type(exc).__name__}): {mask_text(str(exc))}", err=True)
        if files.WRITTEN:  # the error came after a write: saying "nothing was written" would be false
            from vsledger.render.messages import current_lang, ui

            written = ", ".join(dict.fromkeys(str(path) for path in files.WRITTEN))
            typer.echo(ui("internal-error-written", current_lang(), files=written), err=True)
            typer.echo("vsledger: VSLEDGER_DEBUG=1 shows the details for a bug report", err=True)
        else:
            typer.echo("vsledger: nothing was written; VSLEDGER_DEBUG=1 shows the details for a bug report", err=True)
        sys.exit(1)
