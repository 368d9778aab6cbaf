"""The built-in settings of ``twenty-gql generate``, under every target of a ``codegen.toml``.

A user's ``codegen.toml`` only needs its targets (see :data:`MINIMAL_CONFIG`); its
``[defaults]`` and each ``[targets.<name>]`` override these, key by key, in that order, except:

* ``scalars`` merge per scalar: a ``[defaults.scalars.UUID]`` replaces the built-in ``UUID``
  entry only;
* ``plugins`` replaces the built-in list whole;
* ``kind`` (``"core"`` for the records API ``/graphql``, ``"metadata"`` for ``/metadata``) adds
  the plugins of that API after the list. When a target does not set it, a target whose
  ``schema_path`` names a file ``metadata.graphql`` (as ``twenty-gql pull`` writes it) is
  ``"metadata"`` and any other is ``"core"``.

The generated package's base class comes from the template shipped in this package, so the
built-ins work from an installed ``twenty-gql`` in any project.
"""

from __future__ import annotations

import copy
from pathlib import Path, PurePosixPath
from typing import Any, Literal

__all__ = [
    "BASE_CLIENT_TEMPLATE",
    "BUILTIN_SETTINGS",
    "KINDS",
    "KIND_PLUGINS",
    "MINIMAL_CONFIG",
    "NUMBER_SCALAR",
    "Kind",
    "default_kind",
    "resolve_settings",
]

Kind = Literal["core", "metadata"]
KINDS: tuple[Kind, ...] = ("core", "metadata")

BASE_CLIENT_TEMPLATE = (
    Path(__file__).resolve().parent / "templates" / "generated_base_client.py.tmpl"
)
"""The shim copied into each generated package: our runtime's ``BaseClient`` with the package's
own ``UnsetType``."""

_PLUGINS = "twenty_gql.codegen.plugins."
NUMBER_SCALAR = "_Number"
"""The scalar ``plugins.NumberFieldsPlugin`` gives the ``Int`` fields of records (NUMBER fields).
Its name starts with ``_``, which no type Twenty derives from an object name can."""

BUILTIN_SETTINGS: dict[str, Any] = {
    "target_package_path": ".",
    "async_client": True,
    "include_all_inputs": False,
    "include_all_enums": False,
    "convert_to_snake_case": True,
    "multipart_uploads": False,
    "include_comments": "stable",
    # A nullable field the server leaves out reads as None instead of failing validation.
    "default_optional_fields_to_none": True,
    # Import time: build models on first use, import result modules on first use.
    "defer_model_build": True,
    "lazy_imports": True,
    "use_alias_generator": True,
    "plugins": [
        _PLUGINS + "TypedLazyInitPlugin",
        _PLUGINS + "PlainArgumentNamesPlugin",
        _PLUGINS + "ValidateFromBytesPlugin",
        _PLUGINS + "ExactJsonInputsPlugin",
        _PLUGINS + "OpenEnumsPlugin",
    ],
    "base_client_name": "GeneratedBaseClient",
    "base_client_module_name": "base_client",
    "base_client_file_path": str(BASE_CLIENT_TEMPLATE),
    "scalars": {
        "UUID": {"type": "uuid.UUID", "serialize": "twenty_gql.scalars.serialize_uuid"},
        "DateTime": {
            "type": "twenty_gql.scalars.DateTime",
            "serialize": "twenty_gql.scalars.serialize_datetime",
        },
        "Date": {
            "type": "twenty_gql.scalars.Date",
            "serialize": "twenty_gql.scalars.serialize_date",
        },
        "BigFloat": {
            "type": "decimal.Decimal",
            "serialize": "twenty_gql.scalars.serialize_big_float",
        },
        # Twenty's NUMBER fields hold doubles: see twenty_gql/scalars.py for why int | float.
        "BigInt": {"type": "twenty_gql.scalars.Number"},
        NUMBER_SCALAR: {"type": "twenty_gql.scalars.Number"},
        "Position": {"type": "float"},
        "Cursor": {"type": "str"},
        "ConnectionCursor": {"type": "str"},
        "TSVector": {"type": "str"},
        "JSON": {"type": "typing.Any"},
        "RawJSON": {"type": "typing.Any"},
        "JSONObject": {"type": "typing.Any"},
    },
}
"""ariadne-codegen's own settings (``[tool.ariadne-codegen]`` keys), shared by every target."""

KIND_PLUGINS: dict[Kind, tuple[str, ...]] = {
    # The metadata API uses ID for more than record ids, so only core gets its IDs as UUIDs.
    "core": (
        _PLUGINS + "IdFieldsAsUuidPlugin",
        _PLUGINS + "NumberFieldsPlugin",
        _PLUGINS + "ActorEitherNullabilityPlugin",
    ),
    "metadata": (),
}
"""Plugins appended to a target's ``plugins`` by its ``kind``."""

MINIMAL_CONFIG = """\
[targets.core]
schema_path = "schema/core.graphql"
queries_path = "queries/core"
target_package_path = "."
target_package_name = "my_twenty"
client_name = "CoreClient"
"""
"""The smallest useful ``codegen.toml``: the records API of the workspace ``twenty-gql pull``
and ``twenty-gql scaffold`` wrote, generated into the package ``my_twenty``."""


def default_kind(schema_path: str) -> Kind:
    """``"metadata"`` for a schema file named ``metadata.graphql``, else ``"core"``."""
    return (
        "metadata" if PurePosixPath(schema_path.replace("\\", "/")).stem == "metadata" else "core"
    )


def resolve_settings(
    user_defaults: dict[str, Any], section: dict[str, Any]
) -> tuple[dict[str, Any], Kind]:
    """A target's ariadne-codegen settings and its kind: built-ins, then the user's
    ``[defaults]``, then the target's own keys (``kind`` is not an ariadne-codegen setting and
    is left out). Raises ``ValueError`` for a ``kind`` other than ``"core"``/``"metadata"``."""
    settings: dict[str, Any] = {}
    scalars: dict[str, Any] = {}
    for layer in (BUILTIN_SETTINGS, user_defaults, section):
        settings.update(copy.deepcopy(layer))
        scalars.update(copy.deepcopy(layer.get("scalars", {})))
    settings["scalars"] = scalars
    raw_kind = settings.pop("kind", None)
    kind = default_kind(str(settings.get("schema_path", ""))) if raw_kind is None else None
    for known in KINDS:
        if raw_kind == known:
            kind = known
    if kind is None:
        raise ValueError(f"kind must be one of {', '.join(map(repr, KINDS))} (got {raw_kind!r})")
    plugins = list(settings.get("plugins", []))
    settings["plugins"] = plugins + [p for p in KIND_PLUGINS[kind] if p not in plugins]
    return settings, kind
