"""What can be wrong with footage, in words a trainer understands (Dutch first, English beside it)."""

from __future__ import annotations

from vault.errors import VaultError


class MediaError(VaultError):
    """The footage itself is the problem: no use retrying. `code` says which kind, for logs and tests."""

    status = 422
    code = "not_a_video"

    def __init__(self, code: str, message_nl: str, message_en: str) -> None:
        super().__init__(message_nl, message_en)
        self.code = code
        self.status = 415 if code == "not_a_video" else 422


def not_a_video() -> MediaError:
    return MediaError("not_a_video", "geen videobestand", "not a video file")


def truncated() -> MediaError:
    return MediaError("truncated", "bestand is afgebroken", "the file is truncated")


def no_frames() -> MediaError:
    return MediaError(
        "no_frames", "bevat geen beelden die af te spelen zijn", "contains no playable frames"
    )


class SourceUnreadable(MediaError):
    """A stored chunk failed authentication (or the store failed) while ffmpeg was reading: whatever
    ffmpeg made of it is short or wrong, so it is thrown away. The object needs an administrator."""

    def __init__(self) -> None:
        super().__init__(
            "source_unreadable",
            "de opgeslagen opname is beschadigd en kan niet worden gelezen; meld dit bij de beheerder",
            "the stored recording is damaged and cannot be read; tell the administrator",
        )
