"""Trainer pages: the parents' package: build, progress, link and hand-over."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
