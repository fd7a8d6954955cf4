"""Fixtures for the dd-fargate CLI tests."""

from __future__ import annotations

import pytest
from cli_helpers import Invoke, invoke_cli


@pytest.fixture
def invoke() -> Invoke:
    return invoke_cli
