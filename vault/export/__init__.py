"""The parents' package: their footage, playable anywhere, with what happened to it and on what basis."""

from vault.export.models import Export, ExportStatus
from vault.export.package import export_to_folder, prepare, write

__all__ = ["Export", "ExportStatus", "export_to_folder", "prepare", "write"]
