"""`vsledger serve`: the workspace in a browser (the optional `web` extra)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from vsledger.cli.common import _parse_date, _settings, _usage_error, app


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", help="监听地址,默认仅本机 / address to listen on (default: this machine only)")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="端口 / port")] = 8000,
    read_only: Annotated[bool, typer.Option("--read-only", help="只读,不显示任何表单 / no forms, nothing written")] = False,
    token: Annotated[
        Optional[str],
        typer.Option("--token", help="访问令牌;非本机地址时必需,缺省自动生成 / access token (generated when --host is not loopback)"),
    ] = None,
) -> None:
    """在浏览器中查看和记录台账 / browse, check and record in a browser."""
    from vsledger.render.messages import current_lang, ui

    settings = _settings(ctx)
    try:
        import uvicorn

        from vsledger.web.app import Config, create_app
        from vsledger.web.security import is_loopback, new_token
    except ImportError:
        raise _usage_error(ui("serve-missing", settings.lang)) from None
    from vsledger.read.loader import WorkspaceError

    loopback = is_loopback(host)
    if not loopback and not token:
        token = new_token()
    fixed_today = ctx.find_root().params.get("today")
    today = (lambda: _parse_date(fixed_today, "--today")) if fixed_today else date.today
    # The pages' readers are not the server's locale: Chinese unless --lang or VSLEDGER_LANG says otherwise.
    explicit = ctx.find_root().params.get("lang") or os.environ.get("VSLEDGER_LANG")
    page_lang = current_lang(explicit) if explicit else "zh"
    font = os.environ.get("VSLEDGER_FONT")  # as `certificate --font`
    config = Config(settings.root, today, page_lang, read_only, token, loopback, settings.use_cache, Path(font) if font else None)
    application = create_app(config)
    try:
        application.app.state.data.base()  # not a workspace: say so now, not on the first page
    except WorkspaceError:
        raise _usage_error(ui("bad-workspace", settings.lang, root=settings.root)) from None
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    typer.echo(ui("serve-listening", settings.lang, url=url))
    if not loopback:
        typer.echo(ui("serve-token", settings.lang))
    uvicorn.run(application, host=host, port=port, log_level="warning", server_header=False)
