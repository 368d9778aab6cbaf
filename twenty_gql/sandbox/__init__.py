"""A local Twenty-compatible workspace server for tests, demos and offline development.

``async with Sandbox.start(port=0) as sb:`` serves ``/graphql`` and ``/metadata`` on loopback;
see ``docs/sandbox.md``.
"""

from __future__ import annotations

from .app import Sandbox, is_loopback
from .faults import FaultConfig
from .store import Store

__all__ = ["FaultConfig", "Sandbox", "Store", "is_loopback"]
