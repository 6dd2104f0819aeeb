"""Debian's Chromium driven by Playwright, to check the HTML reports as a person sees them: what is
visible, where, in what order (not just what the file contains)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@contextmanager
def rendered(report: Path, *, width: int = 1200, height: int = 1600) -> Iterator[Page]:
    """The report opened in headless Chromium, with every request off the machine refused and counted."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed to render the reports: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            fetched: list[str] = []
            page.route("**/*", lambda route: (fetched.append(route.request.url), route.continue_())
                       if route.request.url.startswith("file:") else (fetched.append(route.request.url), route.abort()))
            page.goto(report.as_uri())
            page.wait_for_load_state("load")
            yield page
            assert fetched == [report.as_uri()], f"the report loaded more than itself: {fetched}"
        finally:
            browser.close()
