"""``/metadata``: list, create, update and delete objects and fields.

The schema is the subset of Twenty's metadata schema in ``data/metadata.graphql`` (same shapes).
Reading goes through ``MetadataView``; changes through ``MetadataChanges``, each in one
transaction that also restores the metadata if the change fails. Every change bumps the
workspace's metadata version, so ``/graphql`` serves it on the next request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    build_schema,
    execute,
    parse,
    validate,
)

from .errors import SandboxError
from .metadata import WorkspaceMetadata
from .metadata_changes import MetadataChanges, validation_failed
from .metadata_view import MetadataView, matches, page
from .workspace import Workspace

__all__ = ["MetadataApi"]


@cache
def _schema_sdl() -> str:
    return resources.files("twenty_gql.sandbox").joinpath("data/metadata.graphql").read_text()


class MetadataApi:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.view = MetadataView(lambda: workspace.meta)
        self.changes = MetadataChanges(workspace)
        self.schema: GraphQLSchema = build_schema(_schema_sdl())
        self._wire()

    @property
    def meta(self) -> WorkspaceMetadata:
        return self.workspace.meta

    def handle(self, body: dict[str, Any], *, read_only: bool) -> tuple[int, dict[str, Any]]:
        query = body.get("query")
        if not isinstance(query, str):
            return 400, {"errors": [{"message": "Must provide query string."}]}
        try:
            document = parse(query)
        except GraphQLError as error:
            return 200, {"errors": [dict(error.formatted)]}
        errors = validate(self.schema, document)
        if errors:
            return 200, {"errors": [dict(e.formatted) for e in errors]}
        is_mutation = any(
            isinstance(d, OperationDefinitionNode) and d.operation == OperationType.MUTATION
            for d in document.definitions
        )
        if is_mutation and read_only:
            denied = SandboxError(
                "This API key is read-only: metadata changes are not allowed.",
                "FORBIDDEN",
                "PERMISSION_DENIED",
            )
            return 200, {"data": None, "errors": [denied.payload]}
        result = execute(
            self.schema,
            document,
            variable_values=body.get("variables"),
            operation_name=body.get("operationName"),
        )
        assert isinstance(result, ExecutionResult)
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [dict(e.formatted) for e in result.errors]
        return 200, payload

    # -- resolvers --------------------------------------------------------------------------

    def _wire(self) -> None:
        query = self.schema.query_type
        mutation = self.schema.mutation_type
        assert query is not None and mutation is not None
        view = self.view
        changes = self.changes
        resolvers: dict[str, Callable[..., Any]] = {
            "objects": self._objects,
            "object": self._get_object,
            "fields": self._fields,
            "field": self._get_field,
            "currentWorkspace": lambda _root, _info: view.current_workspace(),
        }
        for name, fn in resolvers.items():
            if name in query.fields:
                query.fields[name].resolve = fn
        mutations: dict[str, Callable[[dict[str, Any]], Any]] = {
            "createOneObject": lambda i: view.object(changes.create_object(i)),
            "updateOneObject": lambda i: view.object(changes.update_object(i)),
            "deleteOneObject": lambda i: view.object(changes.delete_object(i)),
            "createOneField": lambda i: view.field(*changes.create_field(i)),
            "updateOneField": lambda i: view.field(*changes.update_field(i)),
            "deleteOneField": lambda i: view.field(*changes.delete_field(i), detached=True),
        }
        for name, change in mutations.items():
            if name in mutation.fields:
                mutation.fields[name].resolve = self._all_or_nothing(change, name)

    def _all_or_nothing(self, change: Callable[..., Any], name: str) -> Callable[..., Any]:
        """Run a metadata change in one transaction; on failure restore the metadata too."""
        action = re.sub(r"([A-Z])", r" \1", name).lower().replace("one ", "")

        def run(_root: Any, _info: Any, input: dict[str, Any]) -> Any:
            snapshot = self.meta.to_json()
            try:
                with self.workspace.store.transaction():
                    return change(input)
            except SandboxError:
                self.workspace.meta = WorkspaceMetadata.from_json(snapshot)
                raise
            except (TypeError, ValueError) as error:  # the records schema would not build
                self.workspace.meta = WorkspaceMetadata.from_json(snapshot)
                raise validation_failed(
                    f"{action.replace('create ', 'creating ')}",
                    "objectMetadata" if "object" in name.lower() else "fieldMetadata",
                    "INVALID_SCHEMA",
                    name,
                    f"The change would make an invalid records schema: {error}",
                ) from None

        return run

    def _objects(self, _: Any, __: Any, paging: Any = None, filter: Any = None) -> Any:
        nodes = [self.view.object(o) for o in self.meta.objects.values()]
        return page([n for n in nodes if matches(n, filter)], paging)

    def _get_object(self, _: Any, __: Any, id: str) -> Any:
        obj = self.meta.by_id(id)
        if obj is None:
            raise SandboxError("Object does not exist", "NOT_FOUND")
        return self.view.object(obj)

    def _fields(self, _: Any, __: Any, paging: Any = None, filter: Any = None) -> Any:
        nodes = [self.view.field(o, f) for o in self.meta.objects.values() for f in o.fields]
        return page([n for n in nodes if matches(n, filter)], paging)

    def _get_field(self, _: Any, __: Any, id: str) -> Any:
        found = self.meta.field_by_id(id)
        if found is None:
            raise SandboxError("Field does not exist", "NOT_FOUND")
        return self.view.field(*found)
