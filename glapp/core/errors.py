"""Domain errors. Each carries a stable code so the API can render RFC 9457 problems."""

from dataclasses import dataclass, field


@dataclass
class FieldError:
    field: str  # a JSON pointer-like path: "answers.0.value"
    message: str
    code: str = "invalid"


@dataclass
class GlappError(Exception):
    message: str
    code: str = "error"
    status: int = 400
    errors: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        if not self.errors:
            return self.message
        return self.message + ": " + "; ".join(f"{e.field}: {e.message}" for e in self.errors)


class ValidationFailed(GlappError):
    def __init__(self, errors: list[FieldError], message: str = "The request has invalid fields."):
        super().__init__(message=message, code="validation_failed", status=422, errors=errors)


class NotFound(GlappError):
    def __init__(self, message: str = "Not found."):
        super().__init__(message=message, code="not_found", status=404)


class PermissionDenied(GlappError):
    def __init__(self, message: str = "You do not have access to this."):
        super().__init__(message=message, code="permission_denied", status=403)


class Conflict(GlappError):
    def __init__(self, message: str, code: str = "conflict"):
        super().__init__(message=message, code=code, status=409)
