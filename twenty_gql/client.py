"""The ``Twenty`` facade: one workspace, one session, one budget, typed ``core``/``metadata``.

::

    async with Twenty(url="https://api.twenty.com", api_key=key, profile="cloud") as twenty:
        page = await twenty.core.list_companies(first=10)
        async for company in twenty.paginate(twenty.core.list_companies, page_size=60):
            ...
        data = await twenty.execute("query { invoices { totalCount } }")

The generated clients are imported on first use, so the runtime never depends on generated code.
"""

from __future__ import annotations

import importlib
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
    Sequence,
)
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from twenty_gql.base_client import CHARGED_ENDPOINT, BaseClient, Runtime
from twenty_gql.budget import Budget, NoBudget, Shape, open_budget
from twenty_gql.config import ApiKey, ConfigError, Settings
from twenty_gql.events import EventBus
from twenty_gql.metadata_pages import METADATA_PAGE_SIZE, every_object
from twenty_gql.naming import ObjectNames
from twenty_gql.page_sizes import PageBounds, PageSizer, PageSizes
from twenty_gql.pagination import PageMode, paginate, paginate_raw
from twenty_gql.profiles import CLOUD, ServerProfile
from twenty_gql.retry import RetryPolicy
from twenty_gql.search import SearchPage, search_pages
from twenty_gql.transport import AiohttpTransport, Timeouts, Transport

if TYPE_CHECKING:
    from twenty_gql.batch.jobs import BulkResult
    from twenty_gql.batch.result import JobResult
    from twenty_gql.dsl import TwentyDSL
    from twenty_gql.generated.core import CoreClient
    from twenty_gql.generated.metadata import MetadataClient
    from twenty_gql.generated.metadata.input_types import FieldFilter, ObjectFilter
    from twenty_gql.generated.metadata.list_fields import ListFieldsFieldsEdgesNode
    from twenty_gql.generated.metadata.list_objects import ListObjectsObjectsEdgesNode
    from twenty_gql.webhooks.management import Webhooks

__all__ = ["METADATA_ENDPOINT", "Twenty"]

ClientT = TypeVar("ClientT", bound=BaseClient)

METADATA_ENDPOINT = "/metadata"


async def _every_metadata_node(
    list_page: Callable[..., Awaitable[Any]], filter: object, page_size: int
) -> list[Any]:
    """Every node of a generated metadata list operation (``list_objects``/``list_fields``),
    page after page through the cursor."""
    from twenty_gql.generated.metadata.input_types import CursorPaging

    async def page(first: int, after: str | None = None, filter: object = None) -> Any:
        paging = CursorPaging(first=first, after=after)
        # No filter: the schema's default ``{}`` (Twenty refuses a null one).
        return await list_page(paging=paging, **({} if filter is None else {"filter": filter}))

    return [node async for node in paginate(page, page_size=page_size, filter=filter)]


def _load_client(module: str, name: str) -> type[BaseClient]:
    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(
            f"the generated client {module}.{name} is missing: run `twenty-gql generate`"
        ) from exc
    if not (isinstance(cls, type) and issubclass(cls, BaseClient)):
        raise ConfigError(f"{module}.{name} does not subclass twenty_gql.base_client.BaseClient")
    return cls


class Twenty:
    """A client of one Twenty workspace. Use it as an async context manager (or ``aclose()``).

    ``budget``: where the workspace budget lives: ``None`` (``settings.budget_url``, else this
    process), a URL (``"redis://host:6379/0"``: shared by every process and host that uses the
    same workspace and key, see :mod:`twenty_gql.budget`), or a :class:`~twenty_gql.budget.Budget`
    used as is (for example one shared by several clients; the caller closes it).
    ``rate_limit``: ``None`` paces by the profile's bucket, ``(calls, seconds)`` by another one,
    ``"off"`` not at all. ``initial_tokens``: the burst the budget believes the server holds at
    start (``None``: all of it, as a quiet workspace does). Only ``/graphql`` calls are charged.
    """

    def __init__(
        self,
        url: str | None = None,
        api_key: str | ApiKey | None = None,
        profile: str | ServerProfile = CLOUD,
        *,
        settings: Settings | None = None,
        budget: str | Budget | None = None,
        rate_limit: tuple[int, float] | Literal["off"] | None = None,
        initial_tokens: int | None = None,
        retry: RetryPolicy | None = None,
        timeouts: Timeouts | None = None,
        transport: Transport | None = None,
        verify_tls: bool = True,
        pool_size: int = 20,
        page_bounds: PageBounds | None = None,
    ) -> None:
        if settings is None:
            if url is None:
                raise ConfigError("Twenty needs url= (the workspace's base URL) or settings=")
            if api_key is None:
                raise ConfigError("Twenty needs api_key= (or use Twenty.from_env())")
            settings = Settings.create(url, api_key, profile)
        self.settings = settings
        events = EventBus()
        self._owns_budget = not isinstance(budget, Budget)
        self.budget = self._budget(settings, budget, rate_limit, initial_tokens, events)
        self.runtime = Runtime(
            settings.url,
            settings.api_key,
            profile=settings.profile,
            budget=self.budget,
            retry=retry,
            events=events,
            transport=transport
            or AiohttpTransport(timeouts=timeouts, pool_size=pool_size, verify_tls=verify_tls),
        )
        self.page_sizes = PageSizes(settings.profile, page_bounds)
        """Page sizes every read of this workspace learns and shares (see ``page_sizes``)."""
        self._core: CoreClient | None = None
        self._metadata: MetadataClient | None = None
        self._objects: dict[str, tuple[ObjectNames, list[dict[str, Any]]]] | None = None
        self._clients: dict[tuple[type[BaseClient], str], BaseClient] = {}

    @staticmethod
    def _budget(
        settings: Settings,
        budget: str | Budget | None,
        rate_limit: object,
        initial_tokens: int | None,
        events: EventBus,
    ) -> Budget:
        if isinstance(budget, Budget):
            return budget
        if rate_limit == "off":
            return NoBudget(Shape.of(settings.profile))
        if rate_limit is None:
            shape = Shape.of(settings.profile)
        elif isinstance(rate_limit, tuple) and len(rate_limit) == 2:
            try:
                shape = Shape(int(rate_limit[0]), float(rate_limit[1]))
            except (TypeError, ValueError) as exc:
                raise ConfigError(f"rate_limit: {exc}") from None
        else:
            raise ConfigError(
                f"rate_limit must be None, 'off' or (calls, window_seconds) (got {rate_limit!r})"
            )
        if budget is not None and not isinstance(budget, str):
            raise ConfigError(f"budget must be a URL or a Budget (got {type(budget).__name__})")
        return open_budget(
            budget if budget is not None else settings.budget_url,
            base_url=settings.url,
            api_key=settings.api_key,
            shape=shape,
            initial_tokens=initial_tokens,
            on_event=events.emit,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> Twenty:
        """Settings from ``TWENTY_API_URL``, ``TWENTY_API_KEY`` (and ``TWENTY_PROFILE``)."""
        return cls(settings=Settings.from_env(environ), **options)

    def __repr__(self) -> str:
        return f"Twenty({self.settings.url!r}, profile={self.settings.profile.name!r})"

    @property
    def profile(self) -> ServerProfile:
        return self.settings.profile

    @property
    def events(self) -> EventBus:
        """Subscribe to request, response, retry, throttle, consumption and budget events."""
        return self.runtime.events

    @property
    def core(self) -> CoreClient:
        """The typed client of the records API (``/graphql``)."""
        if self._core is None:
            cls = _load_client("twenty_gql.generated.core", "CoreClient")
            self._core = cls(self.runtime, CHARGED_ENDPOINT)  # type: ignore[assignment]
        assert self._core is not None
        return self._core

    @property
    def metadata(self) -> MetadataClient:
        """The typed client of the metadata API (``/metadata``; not rate limited)."""
        if self._metadata is None:
            cls = _load_client("twenty_gql.generated.metadata", "MetadataClient")
            self._metadata = cls(self.runtime, METADATA_ENDPOINT)  # type: ignore[assignment]
        assert self._metadata is not None
        return self._metadata

    @property
    def webhooks(self) -> Webhooks:
        """Create, list, update and delete webhooks (``/metadata``)."""
        from twenty_gql.webhooks.management import Webhooks

        return Webhooks(self.metadata)

    def client(self, cls: type[ClientT], endpoint: str = CHARGED_ENDPOINT) -> ClientT:
        """Your own generated client (``twenty-gql generate`` in your project) on this
        workspace's runtime, one per class and endpoint::

            from my_twenty import CoreClient

            core = twenty.client(CoreClient)                    # the records API, /graphql
            meta = twenty.client(MyMetadataClient, "/metadata")  # not rate limited
        """
        if not (isinstance(cls, type) and issubclass(cls, BaseClient)):
            raise ConfigError(
                f"{cls!r} is not a generated client (a twenty_gql.base_client.BaseClient)"
            )
        key = (cls, endpoint)
        instance = self._clients.get(key)
        if instance is None:
            instance = self._clients[key] = cls(self.runtime, endpoint)
        assert isinstance(instance, cls)
        return instance

    async def execute(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
        *,
        retry: RetryPolicy | None = None,
        endpoint: str = CHARGED_ENDPOINT,
    ) -> dict[str, Any]:
        """Run any operation (objects added after codegen too) and return its ``data``."""
        response = await self.runtime.send(endpoint, query, operation_name, variables, retry=retry)
        data = response.body.get("data")
        return data if isinstance(data, dict) else {}

    def dsl(
        self, schema: str | Path = "schema/core.graphql", *, endpoint: str = CHARGED_ENDPOINT
    ) -> TwentyDSL:
        """gql's DSL over a pulled schema; operations run on this client (see twenty_gql.dsl)."""
        from twenty_gql.dsl import TwentyDSL, load_schema

        async def send(query: str, variables: Any, operation_name: str | None) -> dict[str, Any]:
            return await self.execute(query, variables, operation_name, endpoint=endpoint)

        return TwentyDSL(load_schema(schema), send)

    def search(
        self,
        text: str,
        *,
        limit: int = 20,
        objects: Sequence[str] | None = None,
        exclude: Sequence[str] | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> AsyncIterator[SearchPage]:
        """Full-text search across objects, page by page (:mod:`twenty_gql.search`)."""
        return search_pages(
            self.execute, text, limit=limit, objects=objects, exclude=exclude, filter=filter
        )

    def paginate(
        self,
        method: Callable[..., Awaitable[object]],
        *,
        page_size: int | PageSizer | None = None,
        mode: PageMode = "cursor",
        filter: object = None,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        """Every node of a generated list operation; see :mod:`twenty_gql.pagination`.
        Pages are sized from the server's answers unless ``page_size`` fixes them."""
        return paginate(
            method,
            page_size=page_size or self.page_sizes,
            mode=mode,
            filter=filter,
            **kwargs,
        )

    def paginate_raw(
        self,
        query: str,
        variables: Mapping[str, Any] | None,
        connection_path: str | Sequence[str],
        *,
        page_size: int | PageSizer | None = None,
        mode: PageMode = "cursor",
        operation_name: str | None = None,
        retry: RetryPolicy | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every node (a dict) of a connection in a hand-written document run by ``execute``."""

        async def run(document: str, call: dict[str, Any]) -> dict[str, Any]:
            return await self.execute(document, call, operation_name, retry=retry)

        return paginate_raw(
            run,
            query,
            variables,
            connection_path,
            page_size=page_size or self.page_sizes,
            mode=mode,
        )

    async def object_names(self, name: str | ObjectNames) -> ObjectNames:
        """An object's singular and plural names as the workspace defines them.

        Read once from ``/metadata`` (not rate limited) and cached, so custom objects created
        after codegen, with any plural, work by their singular name.
        """
        if isinstance(name, ObjectNames):
            return name
        return (await self._object_metadata(name))[0]

    async def _object_metadata(self, name: str) -> tuple[ObjectNames, list[dict[str, Any]]]:
        if self._objects is None or name not in self._objects:
            nodes = await every_object(
                partial(self.execute, endpoint=METADATA_ENDPOINT),
                "WorkspaceObjects",
                "nameSingular namePlural fieldsList { name type isUnique }",
            )
            self._objects = {}
            for node in nodes:
                names = ObjectNames(node["nameSingular"], node["namePlural"])
                self._objects[names.singular] = (names, node["fieldsList"])
        found = self._objects.get(name)
        if found is None:
            known = ", ".join(sorted(self._objects)) or "none"
            raise ValueError(f"the workspace has no object named {name!r} (objects: {known})")
        return found

    async def list_all_objects(
        self, filter: ObjectFilter | None = None, *, page_size: int = METADATA_PAGE_SIZE
    ) -> list[ListObjectsObjectsEdgesNode]:
        """Every object of the workspace (with its ``fields_list``), following the cursor:
        ``metadata.list_objects`` answers one page, 10 objects unless ``paging`` asks more."""
        return await _every_metadata_node(self.metadata.list_objects, filter, page_size)

    async def list_all_fields(
        self, filter: FieldFilter | None = None, *, page_size: int = METADATA_PAGE_SIZE
    ) -> list[ListFieldsFieldsEdgesNode]:
        """Every field of the workspace (or of ``filter``'s), following the cursor:
        ``metadata.list_fields`` answers one page, 10 fields unless ``paging`` asks more."""
        return await _every_metadata_node(self.metadata.list_fields, filter, page_size)

    async def upsert_many(
        self,
        object_name: str | ObjectNames,
        rows: Iterable[Any] | AsyncIterable[Any],
        **options: Any,
    ) -> JobResult:
        """Upsert rows, one outcome per row (see :func:`twenty_gql.batch.upsert_many`)."""
        from twenty_gql.batch.dedupe import unique_keys_from_metadata
        from twenty_gql.batch.jobs import upsert_many

        if isinstance(object_name, ObjectNames):
            return await upsert_many(self, object_name, rows, **options)
        names, fields = await self._object_metadata(object_name)
        # Custom fields created with isUnique are upsert keys too; pass extra_keys to add more.
        options["extra_keys"] = (*unique_keys_from_metadata(fields), *options.get("extra_keys", ()))
        return await upsert_many(self, names, rows, **options)

    async def update_many(
        self,
        object_name: str | ObjectNames,
        filter: Mapping[str, Any],
        data: Mapping[str, Any],
        **options: Any,
    ) -> BulkResult:
        """Set ``data`` on every record ``filter`` matches, chunked to the server's limit."""
        from twenty_gql.batch.jobs import update_many

        names = await self.object_names(object_name)
        return await update_many(self, names, filter, data, **options)

    async def delete_many(
        self, object_name: str | ObjectNames, filter: Mapping[str, Any], **options: Any
    ) -> BulkResult:
        """Soft-delete every record ``filter`` matches."""
        from twenty_gql.batch.jobs import delete_many

        return await delete_many(self, await self.object_names(object_name), filter, **options)

    async def restore_many(
        self, object_name: str | ObjectNames, filter: Mapping[str, Any], **options: Any
    ) -> BulkResult:
        """Restore every soft-deleted record ``filter`` matches."""
        from twenty_gql.batch.jobs import restore_many

        return await restore_many(self, await self.object_names(object_name), filter, **options)

    async def destroy_many(
        self, object_name: str | ObjectNames, filter: Mapping[str, Any], **options: Any
    ) -> BulkResult:
        """Delete for good every record ``filter`` matches, soft-deleted or not."""
        from twenty_gql.batch.jobs import destroy_many

        return await destroy_many(self, await self.object_names(object_name), filter, **options)

    async def aclose(self) -> None:
        await self.runtime.close()
        if self._owns_budget:
            await self.budget.aclose()

    async def __aenter__(self) -> Twenty:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
