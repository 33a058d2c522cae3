"""The app in a real browser: headless Chromium (Debian's) driven by Playwright.

Served by the real server (uvicorn, Gradio mounted on FastAPI) with the rule-based fake
assistant, so it is fast. Skipped only when Chromium is missing outside CI; under CI=true a
missing browser is a failure (`.ci/run` installs it).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from ui.app import build_server  # noqa: E402
from ui.fake import SHIPPING, FakeAssistant  # noqa: E402
from ui.testing import running  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
TIMEOUT_MS = 30_000

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")]


def _chromium() -> str:
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if path:
        return path
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"Chromium is required under CI and was not found at {CHROMIUM}")
    pytest.skip("Chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    # 0.25 s between words: slow enough to see the reply grow, fast enough for a test.
    fake = FakeAssistant(delay=0.25, data_dir=tmp_path_factory.mktemp("browser-data"))
    with running(build_server(fake)) as base:
        yield base + "/"


def card_text(page, slot: int) -> str:
    return page.locator(f"#shop-card-{slot}").inner_text()


def test_chat_streams_with_sources_and_a_view_changes_recommendations(browser, url, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url, wait_until="load")
    page.locator("#shop-card-0").get_by_text("Stride Runner 2").wait_for()
    assert "popular in the shop" in card_text(page, 0)

    box = page.locator("#shop-message textarea")
    box.fill("How long does shipping take?")
    box.press("Enter")
    chat = page.locator("#shop-chat")
    # Streaming: the answer is seen part-written before it is complete.
    page.wait_for_function(
        """() => { const t = document.querySelector('#shop-chat').innerText;
                   return t.includes('Standard shipping') && !t.includes('business days.'); }""",
        timeout=TIMEOUT_MS,
    )
    chat.get_by_text("Sources: shipping-times.en").wait_for()
    assert SHIPPING in chat.inner_text()

    # View the fourth card (Summit Hiker): the panel turns to hiking boots.
    assert "Summit Hiker" in card_text(page, 3)
    page.locator("#shop-view-3").click()
    page.locator("#shop-card-0").get_by_text("similar to Summit Hiker").wait_for()
    assert "Summit Hiker" in card_text(page, 0) and "Ridge Walker" in card_text(page, 1)
    assert "Stride Runner 2" not in card_text(page, 0)

    shot = tmp_path / "shopper.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.close()


def test_two_shoppers_do_not_see_each_other(browser, url):
    alice, bob = browser.new_page(), browser.new_page()
    for page in (alice, bob):
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url, wait_until="load")
        page.locator("#shop-card-0").get_by_text("Stride Runner 2").wait_for()
    box = alice.locator("#shop-message textarea")
    box.fill("show me shoes")
    box.press("Enter")
    alice.locator("#shop-chat").get_by_text("Here are 3 running shoes.").wait_for()
    assert "running shoes" not in bob.locator("#shop-chat").inner_text()
    alice.close()
    bob.close()
