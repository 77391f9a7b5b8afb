"""Errors users see: Chinese messages that name the field and the rule."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    message: str            # Chinese, names the value and the rule
    field: str | None = None
    line: int | None = None  # 1-based line of an input file, where there is one

    def __post_init__(self) -> None:
        # no personal data in errors: a 身份证号 quoted in a message is masked where it is made
        from huanjie.privacy import mask_text

        object.__setattr__(self, "message", mask_text(self.message))

    def text(self) -> str:
        where = f"第 {self.line} 行：" if self.line is not None else ""
        return f"{where}{self.message}"


class DataFileError(ValueError):
    """A packaged data file (calendar, rule profile) is wrong; ``problems`` lists every error."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.message = message
        self.problems = list(problems or [])
        super().__init__(message, self.problems)

    def __str__(self) -> str:
        return "\n".join([self.message, *("  - " + p for p in self.problems)])


class HuanjieError(Exception):
    """Base of every error meant for an end user; ``problems`` lists all that were found."""

    code = "error"

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        from huanjie.privacy import mask_text

        message = mask_text(message)  # no personal data in errors (the mask: huanjie.privacy)
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    def as_dict(self) -> dict:
        return {
            "error": self.code,
            "message": self.message,
            "problems": [
                {"message": p.message, "field": p.field, "line": p.line} for p in self.problems
            ],
        }

    def __str__(self) -> str:
        lines = [self.message, *("  - " + p.text() for p in self.problems)]
        return "\n".join(lines)


class InvalidInput(HuanjieError):
    code = "invalid"


class NotFound(HuanjieError):
    code = "not_found"


class PermissionDenied(HuanjieError):
    code = "forbidden"


class Conflict(HuanjieError):
    code = "conflict"
