"""The typed event of one verified delivery, parsed from the body exactly as Twenty sends it.

Body (transcripts 220-224): ``{targetUrl, eventName, objectMetadata: {id, nameSingular},
workspaceId, webhookId, eventDate, record, updatedFields?}`` plus ``userId`` and
``workspaceMemberId`` when the actor has them. ``record`` is every column of the record
(composites expanded); ``updatedFields`` comes with ``updated``, ``deleted`` (``["deletedAt"]``),
``restored`` and ``upserted``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["EventParseError", "RecordModels", "WebhookEvent", "parse_event"]

RecordT = TypeVar("RecordT")
RecordModels = Mapping[str, type[BaseModel]]
"""Object name (``"company"``) -> the model its record is parsed into."""


class _ObjectMetadata(BaseModel):
    id: str
    name_singular: str = Field(alias="nameSingular")


class _Delivery(BaseModel):
    model_config = ConfigDict(extra="allow")

    target_url: str = Field(alias="targetUrl")
    event_name: str = Field(alias="eventName")
    object_metadata: _ObjectMetadata = Field(alias="objectMetadata")
    workspace_id: str = Field(alias="workspaceId")
    webhook_id: str = Field(alias="webhookId")
    event_date: datetime = Field(alias="eventDate")
    record: dict[str, Any]
    updated_fields: list[str] | None = Field(default=None, alias="updatedFields")
    user_id: str | None = Field(default=None, alias="userId")
    workspace_member_id: str | None = Field(default=None, alias="workspaceMemberId")


@dataclass(frozen=True, slots=True)
class WebhookEvent(Generic[RecordT]):
    """One record event: ``name`` is ``"<object>.<action>"`` (``"company.updated"``).

    ``record`` is the record as delivered: an instance of the model given for its object, else
    the dict (custom objects and fields added after codegen arrive whole). ``raw_record`` is
    always the dict. ``updated_fields`` is ``None`` when the delivery has none (created,
    destroyed). ``delivery_key`` names the logical delivery: the same on every re-send of it, so
    a receiver can make its work idempotent on it (the nonce and timestamp change each time).
    """

    name: str
    object_name: str
    action: str
    event_date: datetime
    webhook_id: str
    workspace_id: str
    object_metadata_id: str
    target_url: str
    record: RecordT
    raw_record: dict[str, Any] = field(repr=False)
    updated_fields: tuple[str, ...] | None = None
    user_id: str | None = None
    workspace_member_id: str | None = None
    nonce: str | None = field(default=None, repr=False)
    timestamp_ms: int | None = field(default=None, repr=False)
    signature: str | None = field(default=None, repr=False)

    @property
    def record_id(self) -> str | None:
        value = self.raw_record.get("id")
        return value if isinstance(value, str) else None

    @property
    def delivery_key(self) -> str:
        date = self.event_date.isoformat()
        return f"{self.webhook_id}:{self.name}:{self.record_id}:{date}"


class EventParseError(ValueError):
    """The body is not a Twenty delivery, or the record does not fit the given model."""

    def __init__(self, message: str, *, record: bool = False) -> None:
        super().__init__(message)
        self.record = record


def parse_event(
    data: Any,
    *,
    models: RecordModels | None = None,
    nonce: str | None = None,
    timestamp_ms: int | None = None,
    signature: str | None = None,
) -> WebhookEvent[Any]:
    """A :class:`WebhookEvent` from the decoded body; :class:`EventParseError` if it is not one."""
    try:
        delivery = _Delivery.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors()
        )
        raise EventParseError(f"the body is not a Twenty webhook delivery ({problems})") from None
    object_name, _, action = delivery.event_name.partition(".")
    record: Any = delivery.record
    model = (models or {}).get(object_name)
    if model is not None:
        try:
            record = model.model_validate(delivery.record)
        except ValidationError as error:
            raise EventParseError(
                f"the {object_name} record {delivery.record.get('id')!r} does not fit "
                f"{model.__name__}: {error.error_count()} error(s), first: "
                f"{error.errors()[0]['loc']}: {error.errors()[0]['msg']}",
                record=True,
            ) from None
    return WebhookEvent(
        name=delivery.event_name,
        object_name=object_name,
        action=action,
        event_date=delivery.event_date,
        webhook_id=delivery.webhook_id,
        workspace_id=delivery.workspace_id,
        object_metadata_id=delivery.object_metadata.id,
        target_url=delivery.target_url,
        record=record,
        raw_record=delivery.record,
        updated_fields=None if delivery.updated_fields is None else tuple(delivery.updated_fields),
        user_id=delivery.user_id,
        workspace_member_id=delivery.workspace_member_id,
        nonce=nonce,
        timestamp_ms=timestamp_ms,
        signature=signature,
    )
