"""The parents' package: their footage, playable anywhere, with what happened to it and on what basis."""

from vault.export.package import build_package

__all__ = ["build_package"]
