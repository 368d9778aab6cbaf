"""The five real deliveries recorded from Twenty 2.21 (transcripts 220-224), as received."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

TRANSCRIPTS = Path(__file__).resolve().parents[1] / "fixtures" / "reference" / "transcripts"
SECRET = "ref-webhook-secret-2026"
"""Set by createWebhook in transcript 214."""


@dataclass(frozen=True)
class Recorded:
    name: str
    headers: dict[str, str]
    body: bytes

    @property
    def timestamp_ms(self) -> int:
        return int(self.headers["X-Twenty-Webhook-Timestamp"])


def recorded_deliveries() -> list[Recorded]:
    found = []
    for path in sorted(TRANSCRIPTS.glob("22[0-4]-webhook-delivery-*.json")):
        request = json.loads(path.read_text(encoding="utf-8"))["request"]
        found.append(Recorded(path.stem, request["headers"], request["raw_body"].encode("utf-8")))
    assert len(found) == 5
    return found
