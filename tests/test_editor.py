"""The schemas in a real editor's language server: yaml-language-server, what VS Code's YAML
extension runs. Skips unless it is installed (`npm install yaml-language-server`, then put its
`node_modules/.bin` on PATH or name the program in VSLEDGER_YAML_LS)."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO

SERVER = os.environ.get("VSLEDGER_YAML_LS") or shutil.which("yaml-language-server")
pytestmark = pytest.mark.skipif(SERVER is None, reason="yaml-language-server is not installed")


class LanguageServer:
    """Just enough of an LSP client to open documents and collect the diagnostics published."""

    def __init__(self, root: Path) -> None:
        assert SERVER is not None
        self.process = subprocess.Popen([SERVER, "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self._send({"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": root.as_uri(), "capabilities": {}}})
        self._send({"method": "initialized", "params": {}})
        self._send({"method": "workspace/didChangeConfiguration", "params": {"settings": {"yaml": {"validate": True}}}})

    def _send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        data = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.process.stdin.write(f"Content-Length: {len(data)}\r\n\r\n".encode() + data)
        self.process.stdin.flush()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while header := stream.readline():  # headers, up to a blank line
                text = header.decode().strip()
                if not text:
                    break
                if text.lower().startswith("content-length:"):
                    length = int(text.split(":")[1])
            else:
                return  # the server has gone
            if length:
                self.inbox.put(json.loads(stream.read(length)))

    def diagnostics(self, files: list[Path], seconds: float = 30) -> dict[Path, list[tuple[int, str]]]:
        """(line, message) of each file's problems, as the editor would underline them."""
        for path in files:
            document = {"uri": path.as_uri(), "languageId": "yaml", "version": 1, "text": path.read_text(encoding="utf-8")}
            self._send({"method": "textDocument/didOpen", "params": {"textDocument": document}})
        found: dict[Path, list[tuple[int, str]]] = {}
        deadline = time.monotonic() + seconds
        while len(found) < len(files) and time.monotonic() < deadline:
            try:
                message = self.inbox.get(timeout=1)
            except queue.Empty:
                continue
            if message.get("method") == "textDocument/publishDiagnostics":
                path = next((p for p in files if p.as_uri() == message["params"]["uri"]), None)
                if path is not None:
                    found[path] = [(d["range"]["start"]["line"] + 1, d["message"]) for d in message["params"]["diagnostics"]]
            elif "id" in message and "method" in message:  # the server asks for settings
                self._send({"id": message["id"], "result": [{"validate": True}] * len(message["params"].get("items", [1]))})
        return found

    def close(self) -> None:
        self.process.kill()


def test_the_editor_underlines_what_validate_refuses_and_nothing_in_good_files(tmp_path: Path) -> None:
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    shutil.copytree(REPO / "rules", tmp_path / "rules")
    shutil.copytree(REPO / "ledgers" / "putian-party-school", tmp_path / "ledgers" / "good")
    month = tmp_path / "ledgers/u1/activities/2022-05.yaml"
    month.parent.mkdir(parents=True)
    month.write_text(
        "# yaml-language-server: $schema=../../../schemas/activities.schema.json\n"
        "- id: a1\n  date: 2022-05-05\n  title: 清扫\n  location: 广场\n  hours: 两小时\n  colour: red\n  participants: [V0001]\n",
        encoding="utf-8",
    )
    policy = tmp_path / "rules/bad.yaml"
    policy.write_text(
        "# yaml-language-server: $schema=../schemas/policy.schema.json\nid: bad\ntitle: 测试\nrules:\n"
        "  - {id: r1, kind: hours_per_person, text: 时长, rate: 80%, within: 3}\n",
        encoding="utf-8",
    )
    good = [tmp_path / "ledgers/good/roster.yaml", tmp_path / "ledgers/good/requests.yaml", tmp_path / "rules/town-2021.yaml"]
    good += sorted((tmp_path / "ledgers/good/activities").glob("*.yaml"))[:2]
    server = LanguageServer(tmp_path)
    try:
        seen = server.diagnostics([month, policy, *good])
    finally:
        server.close()
    assert {line for line, _ in seen[month]} == {6, 7}  # hours: 两小时, colour: red
    assert any("colour" in message for _, message in seen[month])
    assert any("min" in message for _, message in seen[policy]) and any("within" in message for _, message in seen[policy])
    for path in good:
        assert seen[path] == [], path
