"""Errors the domain raises. Each names the business rule it protects."""


class DomainError(Exception):
    """Base class: a command broke a business rule."""


class RuleViolated(DomainError):
    """A command was refused by a named rule (answered as 409 with the rule name)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


class InvalidValue(DomainError):
    """A value is malformed for a named field (answered as 422 naming the field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
