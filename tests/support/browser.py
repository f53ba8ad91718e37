"""One headless Chromium driven by selenium with the system's chromedriver (Debian's packages).

Nothing is downloaded: the browser and its driver are the ones ``apt-get install chromium
chromium-driver`` puts in /usr/bin (or ``CHROMIUM``/``CHROMEDRIVER`` name them).
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import time
from typing import Any, Callable, Optional

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
INSTALL_HINT = ("the console's browser tests need Chromium and its driver (Debian: apt-get install chromium "
                "chromium-driver) and selenium (python -m pip install -e \".[dev]\")")
#: Longest a browser step may take before a test gives up (a bound against hangs, not a speed check).
WAIT_SECONDS = 15.0


def browser_problem() -> Optional[str]:
    """Why the browser tests cannot run here, or None when they can."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if importlib.util.find_spec("selenium") is None:
        missing.append("selenium")
    if missing:
        return f"{INSTALL_HINT}; missing: {', '.join(missing)}"
    return None


class BrowserSession:
    """The driver plus the emulator base URL the current test uses."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        self.base = ""

    def open(self, path: str) -> None:
        """Load a console page (``/faults``) of the current emulator."""
        self.driver.get(f"{self.base}/_emulator/console{path}")

    def find(self, css: str) -> Any:
        """The first element matching ``css``."""
        from selenium.webdriver.common.by import By  # pylint: disable=import-outside-toplevel

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> Any:
        """Every element matching ``css``."""
        from selenium.webdriver.common.by import By  # pylint: disable=import-outside-toplevel

        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def wait_until(self, condition: Callable[[], bool], what: str) -> None:
        """Poll ``condition`` until it holds (at most :data:`WAIT_SECONDS`).

        While a page is loading its elements may be missing or stale: that counts as not yet.
        """
        from selenium.common.exceptions import WebDriverException  # pylint: disable=import-outside-toplevel

        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            try:
                if condition():
                    return
            except WebDriverException:
                pass
            if time.monotonic() > deadline:
                page = self.driver.find_element("tag name", "body").text[:2000]
                raise AssertionError(f"timed out waiting for {what}; the page says: {page}")
            time.sleep(0.05)

    def quit(self) -> None:
        """Close the browser."""
        self.driver.quit()


def start_browser(width: int = 1100, height: int = 760) -> BrowserSession:
    """A headless Chromium with the system driver."""
    # pylint: disable=import-outside-toplevel  # selenium is a test-only dependency
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={width},{height}", "--no-proxy-server", "--disable-extensions",
                     "--hide-scrollbars"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT_SECONDS)
    return BrowserSession(driver)
