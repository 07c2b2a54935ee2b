"""Fixtures of the storage tests."""

from __future__ import annotations

import pytest
from storage_helpers import full_model

from fma_app.domain.model import Model


@pytest.fixture
def model() -> Model:
    return full_model()
