"""Sandbox-issued API keys. Only a hash of each key is stored; the key itself is shown once."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, replace

from .store import Store

__all__ = ["ApiKeyInfo", "KeyRing"]

ROLES = ("admin", "read-only")
_STORE_KEY = "api_keys"


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    """What the sandbox knows about a key: its display name and role (never the key)."""

    name: str
    role: str
    revoked: bool = False

    @property
    def read_only(self) -> bool:
        return self.role == "read-only"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyRing:
    def __init__(self, store: Store) -> None:
        self._store = store
        raw = store.get_meta(_STORE_KEY)
        self._keys: dict[str, ApiKeyInfo] = {
            digest: ApiKeyInfo(**info) for digest, info in (json.loads(raw) if raw else {}).items()
        }

    def issue(self, *, name: str = "My api key", role: str = "admin") -> str:
        if role not in ROLES:
            raise ValueError(f"unknown API key role {role!r} (known: {', '.join(ROLES)})")
        key = "sbx_" + secrets.token_urlsafe(32)
        self._keys[_digest(key)] = ApiKeyInfo(name=name, role=role)
        self._save()
        return key

    def revoke(self, key: str, *, revoked: bool = True) -> None:
        """Revoke ``key`` (or, with ``revoked=False``, un-revoke it, as Twenty's
        ``updateApiKey(revokedAt: null)`` does): effective on the very next request (197-202)."""
        digest = _digest(key)
        info = self._keys.get(digest)
        if info is None:
            raise KeyError("no such sandbox API key")
        self._keys[digest] = replace(info, revoked=revoked)
        self._save()

    def _save(self) -> None:
        payload = {
            d: {"name": i.name, "role": i.role, "revoked": i.revoked} for d, i in self._keys.items()
        }
        self._store.set_meta(_STORE_KEY, json.dumps(payload))

    def lookup(self, key: str) -> ApiKeyInfo | None:
        return self._keys.get(_digest(key))
