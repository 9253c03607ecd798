"""Errors with stable codes, so users can search for them and tests can match them."""

from __future__ import annotations


class WatchfloorError(Exception):
    """Base class: every error the package raises on purpose carries a code and a readable message."""

    code = "W000"

    def __init__(self, message: str) -> None:
        super().__init__(f"[{self.code}] {message}")
        self.message = message


class InputError(WatchfloorError):
    """An input record, file or parameter failed validation."""

    code = "W100"


class TextTooLongError(InputError):
    code = "W101"


class StoreError(WatchfloorError):
    """The database is missing, locked, or of a schema this version cannot read."""

    code = "W200"


class KnowledgeBaseError(WatchfloorError):
    """A knowledge-base file is malformed, or two entries clash."""

    code = "W300"


class FetchError(WatchfloorError):
    """A feed or page could not be fetched safely."""

    code = "W400"


class UnsafeURLError(FetchError):
    code = "W401"
