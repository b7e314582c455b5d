"""Beeldkluis: the service that composes keys, consent and retention into a vault for care footage."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("beeldkluis")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
