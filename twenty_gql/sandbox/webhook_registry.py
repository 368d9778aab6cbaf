"""Webhooks registered through ``/metadata``: ``createWebhook``, ``webhooks``, ``webhook``,
``updateWebhook``, ``deleteWebhook``, answered as Twenty 2.21 does (transcripts 204-213).

Kept in the store's metadata table, so a database file keeps them. As in Twenty: the secret is
returned in clear; without one, 32 random bytes as 64 hex characters are generated; ``targetUrl``
must be an http(s) URL (METADATA_VALIDATION_FAILED / INVALID_TARGET_URL, 205); ``operations`` are
not checked (206); an unknown id is NOT_FOUND / WEBHOOK_NOT_FOUND (211); ``deleteWebhook``
returns the webhook with ``deletedAt`` null (210).
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from graphql import GraphQLSchema

from .errors import SandboxError
from .metadata_view import APPLICATION_ID
from .store import Store
from .values import now_iso

__all__ = ["WebhookRegistry", "wire_webhook_api"]

_KEY = "webhooks"


def _invalid_target_url(url: str) -> SandboxError:
    message = "Please provide a valid HTTP or HTTPS URL"
    entry = {
        "status": "fail",
        "errors": [
            {
                "code": "INVALID_TARGET_URL",
                "message": "Invalid target URL provided",
                "userFriendlyMessage": message,
            }
        ],
        "flatEntityMinimalInformation": {"targetUrl": url},
        "metadataName": "webhook",
        "type": "create",
    }
    return SandboxError(
        "Multiple validation errors occurred while creating webhook",
        "METADATA_VALIDATION_FAILED",
        None,
        message,
        {
            "errors": {"webhook": [entry]},
            "summary": {"totalErrors": 1, "webhook": 1},
            "message": "Validation failed for 1 webhook",
        },
    )


def _not_found() -> SandboxError:
    return SandboxError("Webhook not found", "NOT_FOUND", "WEBHOOK_NOT_FOUND", "Webhook not found.")


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _invalid_target_url(url)
    return url


class WebhookRegistry:
    def __init__(self, store: Store) -> None:
        self.store = store
        saved = store.get_meta(_KEY)
        self._hooks: dict[str, dict[str, Any]] = json.loads(saved) if saved else {}

    def __len__(self) -> int:
        return len(self._hooks)

    def all(self) -> list[dict[str, Any]]:
        return [dict(h) for h in self._hooks.values()]

    def get(self, webhook_id: str) -> dict[str, Any] | None:
        found = self._hooks.get(webhook_id)
        return None if found is None else dict(found)

    def create(self, data: dict[str, Any]) -> dict[str, Any]:
        now = now_iso()
        hook_id = str(data.get("id") or uuid.uuid4())
        hook: dict[str, Any] = {
            "id": hook_id,
            "targetUrl": _check_url(data["targetUrl"]),
            "operations": list(data["operations"]),
            "description": data.get("description"),
            "secret": data.get("secret") or secrets.token_hex(32),
            "applicationId": APPLICATION_ID,
            "createdAt": now,
            "updatedAt": now,
            "deletedAt": None,
        }
        self._hooks[hook_id] = hook
        self._save()
        return dict(hook)

    def update(self, webhook_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        hook = self._hooks.get(webhook_id)
        if hook is None:
            raise _not_found()
        for key in ("targetUrl", "operations", "description", "secret"):
            if key not in changes:
                continue
            value = changes[key]
            if key == "targetUrl":
                value = _check_url(value)
            if value is None and key != "description":
                continue  # a null for a required field leaves it as it is
            hook[key] = list(value) if key == "operations" else value
        hook["updatedAt"] = now_iso()
        self._save()
        return dict(hook)

    def delete(self, webhook_id: str) -> dict[str, Any]:
        hook = self._hooks.pop(webhook_id, None)
        if hook is None:
            raise _not_found()
        self._save()
        return dict(hook)

    def _save(self) -> None:
        self.store.set_meta(_KEY, json.dumps(self._hooks))


def wire_webhook_api(schema: GraphQLSchema, registry: WebhookRegistry) -> None:
    """Attach the webhook root fields of the metadata schema to ``registry``."""
    query, mutation = schema.query_type, schema.mutation_type
    assert query is not None and mutation is not None
    resolvers: dict[str, Callable[..., Any]] = {
        "webhooks": lambda _root, _info: registry.all(),
        "webhook": lambda _root, _info, id: registry.get(id),
        "createWebhook": lambda _root, _info, input: registry.create(input),
        "updateWebhook": lambda _root, _info, input: registry.update(input["id"], input["update"]),
        "deleteWebhook": lambda _root, _info, id: registry.delete(id),
    }
    for name, resolve in resolvers.items():
        root = query if name in query.fields else mutation
        root.fields[name].resolve = resolve
