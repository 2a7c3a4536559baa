"""Errors raised by handlers; entrypoints map each to one HTTP status, once."""

from domain.shared.errors import DomainError


class NotFound(DomainError):
    """The resource does not exist in the caller's workspace (another workspace's ids look the same)."""

    def __init__(self, kind: str, ident: object) -> None:
        super().__init__(f"{kind} {ident} was not found")
        self.kind = kind


class Unauthenticated(DomainError):
    """No valid session or API token."""


class Forbidden(DomainError):
    """The caller's role does not allow this."""


class ConcurrencyConflict(DomainError):
    """Someone else changed the same thing first; reload and try again."""

    rule = "concurrent_modification"
