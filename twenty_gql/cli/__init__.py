"""``twenty-gql``: the command line. Thin: parse, call the library, print.

Each subcommand lives in its own module with a ``register(app)`` function; add yours to
``_COMMAND_MODULES`` (kept in the order ``--help`` lists them).
"""

from __future__ import annotations

import importlib

import typer

_COMMAND_MODULES: tuple[str, ...] = (
    "pull",
    "scaffold",
    "generate",
    "import_",
    "export",
    "copy",
    "sandbox",
    "demo",
    "webhooks",
)

app = typer.Typer(
    name="twenty-gql",
    help="Typed async GraphQL client tooling for the Twenty CRM.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    # A callback keeps `twenty-gql <command>` a command group even while only one is registered.
    pass


for _module_name in _COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_module_name}").register(app)


def main() -> None:
    app()
