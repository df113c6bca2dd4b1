"""Fixtures shared by every test suite."""
import pytest

import lintra


@pytest.fixture
def x64():
    """64-bit types on for the test, and the previous setting restored after it, whatever happens."""
    old = lintra.config.read("enable_x64")
    lintra.config.update("enable_x64", True)
    try:
        yield
    finally:
        lintra.config.update("enable_x64", old)
