"""System tools that some tests need (Chromium, poppler, GNU gettext)."""

import os
import shutil

import pytest


def require(executable: str, reason: str) -> str:
    """The tool's path; without it a skip on a laptop, a failure in CI (a broken machine)."""
    found = shutil.which(executable)
    if found:
        return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)
