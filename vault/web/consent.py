"""Trainer pages: a family's people, gezag and consent records."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
