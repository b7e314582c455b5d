"""The parents' package: their footage, playable anywhere, with what happened to it and on what basis.
`package` builds it, `tasks` runs it in the worker, `api` serves trainers and parents, `cli` the stick."""

from vault.export.models import Export, ExportStatus

__all__ = ["Export", "ExportStatus"]
