"""Errors services raise; the engine turns them into kind Vietnamese replies."""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix; `message` is shown to them as is (Vietnamese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Forbidden(UserError):
    """The user's role does not allow this action (checked on the server, never from payloads)."""

    def __init__(self, message: str = "Xin lỗi, bạn không có quyền dùng chức năng này.") -> None:
        super().__init__(message)
