"""The error shapes Twenty answers with: ``extensions {code, subCode, userFriendlyMessage}``."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

__all__ = [
    "REVOKED_KEY",
    "SandboxError",
    "bad_input",
    "duplicate_entry",
    "forbidden",
    "not_found",
]


class SandboxError(GraphQLError):
    """A GraphQL error carrying Twenty's extensions."""

    @property
    def payload(self) -> dict[str, Any]:
        """The error as it goes into the response's ``errors`` list."""
        return dict(self.formatted)

    def __init__(
        self,
        message: str,
        code: str,
        sub_code: str | None = None,
        user_message: Any = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        extensions: dict[str, Any] = {}
        if sub_code is not None:
            extensions["subCode"] = sub_code
        extensions["userFriendlyMessage"] = user_message if user_message is not None else message
        extensions.update(extra or {})
        extensions["code"] = code
        super().__init__(message, extensions=extensions)


def bad_input(message: str, sub_code: str | None = None, user_message: Any = None) -> SandboxError:
    return SandboxError(message, "BAD_USER_INPUT", sub_code, user_message)


def not_found(message: str = "Record not found") -> SandboxError:
    return SandboxError(
        message, "NOT_FOUND", "RECORD_NOT_FOUND", "This record does not exist or has been deleted."
    )


def forbidden(
    message: str = "Entity performing the request does not have permission",
) -> SandboxError:
    """Twenty's answer to a write by a key whose role cannot write (191, 192)."""
    return SandboxError(message, "FORBIDDEN", "PERMISSION_DENIED", "User does not have permission.")


REVOKED_KEY: dict[str, Any] = {
    # the answer to any request with a revoked key, on /graphql and /metadata (197, 198)
    "message": "This API Key is revoked",
    "extensions": {
        "subCode": "FORBIDDEN_EXCEPTION",
        "userFriendlyMessage": {
            "id": "q5OVn+",
            "message": "You do not have permission to perform this action.",
        },
        "code": "FORBIDDEN",
    },
}


def duplicate_entry(
    conflicting_id: str | None = None,
    object_singular: str | None = None,
    field_label: str | None = None,
) -> SandboxError:
    """Twenty's answer to a repeated unique value (with the record it collides with) or a
    repeated id (without)."""
    extra: dict[str, Any] = {}
    if conflicting_id is not None:
        extra = {
            "conflictingRecordId": conflicting_id,
            "conflictingObjectNameSingular": object_singular,
        }
    return SandboxError(
        "A duplicate entry was detected",
        "BAD_USER_INPUT",
        None,
        f"This {field_label} value is already in use. Please check your data and try again."
        if field_label
        else "This record already exists. Please check your data and try again.",
        extra,
    )
