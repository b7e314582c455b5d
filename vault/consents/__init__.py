"""The consent domain's services (the records, grants and WOK sessions' rules move here from vault/api)."""

from vault.consents.service import overview

__all__ = ["overview"]
