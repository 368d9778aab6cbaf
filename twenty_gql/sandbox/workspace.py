"""One workspace: its store, metadata, records schema (rebuilt on a metadata change) and keys."""

from __future__ import annotations

from graphql import GraphQLSchema

from twenty_gql.profiles import ServerProfile

from .auth import KeyRing
from .metadata import WorkspaceMetadata, load_standard_metadata
from .records import Records
from .resolvers import wire_schema
from .schema_builder import build_records_schema
from .seed import seed_demo
from .store import Store
from .unique_keys import unique_index_sql

__all__ = ["Workspace"]

_META_KEY = "metadata"


class Workspace:
    def __init__(self, store: Store, profile: ServerProfile, *, seed: str = "demo") -> None:
        if seed not in ("demo", "empty"):
            raise ValueError(f"unknown seed {seed!r} (known: demo, empty)")
        self.store = store
        self.profile = profile
        self.keys = KeyRing(store)
        saved = store.get_meta(_META_KEY)
        fresh = saved is None
        self.meta = (
            load_standard_metadata() if saved is None else WorkspaceMetadata.from_json(saved)
        )
        self._schema: tuple[int, GraphQLSchema] | None = None
        self.sync_tables()
        if fresh:
            store.set_meta(_META_KEY, self.meta.to_json())
            if seed == "demo":
                seed_demo(self.records, self.meta)

    @property
    def records(self) -> Records:
        return Records(self.store, self.meta, self.profile)

    def sync_tables(self) -> None:
        for obj in self.meta.objects.values():
            self.store.ensure_table(obj.nameSingular)
            for statement in unique_index_sql(obj):
                self.store.scalar(statement)

    def schema(self) -> GraphQLSchema:
        """The records schema of the current metadata version (built once per version)."""
        if self._schema is None or self._schema[0] != self.meta.version:
            schema = wire_schema(build_records_schema(self.meta), self.meta)
            self._schema = (self.meta.version, schema)
        return self._schema[1]

    @property
    def schema_version(self) -> int:
        return self.meta.version

    def metadata_changed(self) -> None:
        """Check the new schema builds, then persist the metadata under a new version so
        ``/graphql`` serves it on the next request. Raises (changing nothing) if it does not
        build, for example when a new object's type name collides with a built-in type."""
        schema = wire_schema(build_records_schema(self.meta, self.meta.version + 1), self.meta)
        self.meta.version += 1
        self._schema = (self.meta.version, schema)
        self.sync_tables()
        self.store.set_meta(_META_KEY, self.meta.to_json())
