from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are
# still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


MISSING = "browser tests need Debian's /usr/bin/chromium (apt-get install chromium fonts-noto-cjk)"


def skipping_allowed() -> bool:
    """On a laptop a missing Chromium skips the browser tests; in CI (CI=true) it is an error,
    unless ONETRIP_ALLOW_SKIP=1 says otherwise (never set in CI)."""
    if os.environ.get("ONETRIP_ALLOW_SKIP") == "1":
        return True
    return os.environ.get("CI", "").lower() not in {"1", "true", "yes"}


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists() and skipping_allowed():
                item.add_marker(pytest.mark.skip(reason=MISSING))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{MISSING}; in CI a missing browser is a failure, not a skip", pytrace=False)

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture
def demo(transactional_db: Any) -> None:
    from django.core.management import call_command

    call_command("demo", "--no-history", stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture
def phone(browser: Any, live_server: Any, demo: None) -> Iterator[Any]:
    """A phone-sized page (360 × 740) in a fresh context."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def log_in(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "OneTrip-demo-2026")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/me/")


def log_out(page: Any) -> None:
    page.get_by_role("button", name="退出登录").click()


def enrol_kiosk(page: Any, name: str = "大厅入口左侧") -> None:
    """A hall manager (审改办) makes this browser one of the hall's kiosks, then signs out."""
    log_in(page, "shengaiban")
    page.goto("/hall/kiosk/enrol/")
    page.fill("#kiosk-name", name)
    page.get_by_role("button", name="登记此屏幕").click()
    page.wait_for_url("**/hall/kiosk/")
    log_out(page)


def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]
