"""Shared set-up of the hostile-input suite: the hypothesis profile and the helper folder."""

from __future__ import annotations
