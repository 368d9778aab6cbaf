"""twenty-gql: a GraphQL-first, async, fully typed Python client for the Twenty CRM."""

from __future__ import annotations

__all__: list[str] = []
