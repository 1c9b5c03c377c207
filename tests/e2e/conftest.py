"""Browser tests: Debian's Chromium driven by Playwright against the app served by waitress."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import ROOT

from .webdata import LiveServer, copy_data_dir, small_data_dir

CHROMIUM = os.environ.get("REPORT_ASSISTANT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
STAFF = ("staff", "correct-horse-battery")


@pytest.fixture(scope="session")
def screenshots() -> Path:
    path = ROOT / "screenshots"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium, or make browser)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """The real app over a copy of the small data dir, with a staff account made by the CLI command."""
    from ingest.settings import load
    from web import create_app

    data = copy_data_dir(small_data_dir(tmp_path_factory), tmp_path_factory, "e2e")
    app = create_app(load(data_dir=str(data)))
    result = app.test_cli_runner().invoke(args=["create-user", STAFF[0]], input=f"{STAFF[1]}\n{STAFF[1]}\n")
    assert result.exit_code == 0, result.output
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def page(browser):
    # Reduced motion: the page then scrolls without animation, so screenshots are never mid-scroll.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", reduced_motion="reduce")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert not errors, f"browser errors: {errors}"
