"""Operations built at run time with gql's DSL, checked against a pulled schema, run by us.

For what codegen cannot know in advance: an object added after the last ``generate``, a field
list read from configuration. ``twenty.dsl()`` is a :class:`gql.dsl.DSLSchema` over
``schema/core.graphql`` (what ``twenty-gql pull`` writes), so every name is checked while the
operation is built (``ds.Company.nmae`` raises ``AttributeError: Field nmae does not exist in
type Company.``) and every argument value is written as a literal of its schema type (quotes and
escapes included, no string pasting)::

    from gql.dsl import DSLQuery

    ds = twenty.dsl()
    fields = ["name", "employees"]                     # e.g. from a config file
    query = DSLQuery(
        ds.Query.companies(first=10).select(
            ds.CompanyConnection.edges.select(
                ds.CompanyEdge.node.select(*(getattr(ds.Company, f) for f in fields))
            )
        )
    )
    data = await ds.execute(query)

Why gql stays a dependency: its DSL is the part of gql that does something ``twenty.execute``
with a string cannot: names checked against the schema while building, and Python values written
as correctly typed and escaped GraphQL literals, for operations whose shape is only known at run
time. Its transports are not used (the runtime is faster: ``bench/bench_client.py`` measured the
typed client at 0.15x to 0.20x of gql's time per call); ``gql`` is imported only by ``dsl()``.

CONTRACT
- ``execute(*operations, variables=None, operation_name=None)`` validates the whole document
  with graphql-core's rules against the same schema before anything is sent: a document the
  schema refuses raises :class:`~twenty_gql.errors.BadInputError` listing each problem, and costs
  no call. A valid one goes through ``twenty.execute``: the client's budget, retries, typed
  errors, events (and spans when instrumented). gql's own transports are never used.
- Schemas are built once per file (and again only when the file changes): building the cloud
  workspace's SDL takes seconds, so a process should keep one ``ds``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from gql.dsl import DSLExecutable, DSLSchema, dsl_gql
from graphql import GraphQLSchema, build_schema, print_ast, validate

from twenty_gql.errors import BadInputError

__all__ = ["TwentyDSL", "load_schema"]

Send = Callable[[str, Mapping[str, Any] | None, str | None], Awaitable[dict[str, Any]]]


@lru_cache(maxsize=8)
def _built(path: Path, _mtime_ns: int, _size: int) -> GraphQLSchema:
    return build_schema(path.read_text(encoding="utf-8"), no_location=True)


def load_schema(path: str | Path) -> GraphQLSchema:
    """The schema in an SDL file, built once per version of the file."""
    resolved = Path(path).resolve()
    try:
        stat = resolved.stat()
    except FileNotFoundError:
        raise FileNotFoundError(
            f"no schema at {path}: run `twenty-gql pull` first, or pass the SDL file's path"
        ) from None
    return _built(resolved, stat.st_mtime_ns, stat.st_size)


class TwentyDSL(DSLSchema):
    """gql's ``DSLSchema`` whose operations run on a ``Twenty`` client (see the module)."""

    def __init__(self, schema: GraphQLSchema, send: Send) -> None:
        super().__init__(schema)
        self._send = send

    async def execute(
        self,
        *operations: DSLExecutable,
        variables: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
    ) -> dict[str, Any]:
        """Validate the operations as one document, send it, and return the answer's ``data``."""
        document = dsl_gql(*operations).document
        errors = validate(self._schema, document)
        if errors:
            problems = "; ".join(error.message for error in errors)
            raise BadInputError(
                f"the operation does not fit the schema: {problems}",
                operation_name=operation_name,
                code="GRAPHQL_VALIDATION_FAILED",
            )
        if operation_name is None and len(operations) == 1:
            operation_name = operations[0].name
        return await self._send(print_ast(document), variables, operation_name)
