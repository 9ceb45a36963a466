"""Real-browser tests: headless Chromium driven by Playwright against the live test server.

CI installs Debian's chromium (see .ci/run). Elsewhere, without a browser, these tests are
skipped with the reason; in CI (CI=true) a missing browser is a failure, not a skip.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"No Chromium at {CHROMIUM}: CI must install Debian's chromium.")
        pytest.skip(f"No Chromium at {CHROMIUM}; install Debian's chromium to run browser tests.")
    # The ORM is used beside Playwright's sync API (which runs an event loop) in the same thread.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def phone(browser):
    """A 360 px wide phone-sized page, in Polish."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="pl-PL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page, base_url, email, password):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state()
