"""`vsledger serve` in a real browser: headless Chromium (Debian's `chromium` and `chromium-driver`)
driven by Selenium opens the overview, records an activity through the form and sees the unit's
hours change; screenshots at 1280 and 390 pixels wide are kept for a person to look at.

Skips when Chromium, its driver or Selenium is not installed (`.ci/run` installs them).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import TODAY, write_files
from test_web import FILES, MONTH

pytest.importorskip("starlette")
uvicorn = pytest.importorskip("uvicorn")
webdriver = pytest.importorskip("selenium.webdriver")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(CHROMIUM is None or DRIVER is None, reason="chromium and chromium-driver are not installed")

SHOTS_FOR_PEOPLE = Path(tempfile.gettempdir()) / "web-shots"
"""A copy of each screenshot where a person reviewing the change can find it."""
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    from vsledger.web.app import Config, create_app

    root = tmp_path / "ws"
    write_files(root, FILES)
    port = free_port()
    app = create_app(Config(root, lambda: date.fromisoformat(TODAY)))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", root
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    options.binary_location = CHROMIUM
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def shoot(driver: Any, directory: Path, name: str, width: int) -> Path:
    """The whole page at this width (the window made as tall as the page)."""
    driver.set_window_size(width, 900)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(int(height) + 140, 4000))
    path = directory / f"{name}-{width}.png"
    assert driver.save_screenshot(str(path))
    SHOTS_FOR_PEOPLE.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS_FOR_PEOPLE / path.name)
    return path


def test_record_an_activity_in_the_browser_and_see_the_hours_change(served: tuple[str, Path], browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base, root = served
    shots = tmp_path / "shots"
    shots.mkdir()
    browser.set_window_size(1280, 900)
    browser.get(base + "/")
    assert "2024 年达标总览" in browser.find_element(By.TAG_NAME, "h1").text
    for width in (1280, 390):
        shoot(browser, shots, "overview", width)

    browser.find_element(By.LINK_TEXT, "测试单位").click()
    before = browser.find_element(By.ID, "unit-hours").text
    assert before == "2024 年服务时长:8 小时"
    for width in (1280, 390):
        shoot(browser, shots, "unit", width)

    browser.set_window_size(1280, 900)
    browser.find_element(By.LINK_TEXT, "记录活动").click()
    form = browser.find_element(By.ID, "record-form")
    browser.execute_script("arguments[0].value = '2024-05-20'", form.find_element(By.NAME, "date"))
    form.find_element(By.NAME, "title").send_keys("敬老院慰问")
    form.find_element(By.NAME, "location").send_keys("社会福利院")
    form.find_element(By.NAME, "hours").send_keys("2.5")
    form.find_element(By.CSS_SELECTOR, "input[name=participants][value=V0001]").click()
    form.find_element(By.CSS_SELECTOR, "input[name=participants][value=V0002]").click()
    for width in (1280, 390):
        shoot(browser, shots, "record", width)
    browser.set_window_size(1280, 900)
    browser.find_element(By.ID, "record-form").find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    # The write validates the unit before and after under the lock: on a loaded machine that takes a while.
    WebDriverWait(browser, 60).until(lambda b: b.find_elements(By.TAG_NAME, "h1") and "已写入" in b.find_element(By.TAG_NAME, "h1").text)
    assert "已写入" in browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.ID, "back-to-unit").click()
    after = browser.find_element(By.ID, "unit-hours").text
    assert after == "2024 年服务时长:13 小时"
    assert "敬老院慰问" in (root / MONTH).read_text("utf-8")

    browser.get(base + "/unit/u1/record")  # a refused record, seen as a clerk sees it
    form = browser.find_element(By.ID, "record-form")
    form.find_element(By.NAME, "title").send_keys("太长的一天")
    form.find_element(By.NAME, "location").send_keys("社区")
    form.find_element(By.NAME, "hours").send_keys("30")
    form.find_element(By.CSS_SELECTOR, "input[name=participants][value=V0001]").click()
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 60).until(lambda b: b.find_elements(By.CLASS_NAME, "refused"))
    assert "未写入" in browser.find_element(By.CLASS_NAME, "refused").text
    assert re.search(r"activities/2024-06\.yaml:\d+:\d+", browser.find_element(By.CLASS_NAME, "problem").text)
    for width in (1280, 390):
        shoot(browser, shots, "refused", width)
    assert not (root / "ledgers/u1/activities/2024-06.yaml").exists()
    assert sorted(p.name for p in shots.iterdir()) == sorted(
        f"{page}-{w}.png" for page in ("overview", "unit", "record", "refused") for w in (1280, 390)
    )
    assert all(os.path.getsize(p) > 5000 for p in shots.iterdir())
