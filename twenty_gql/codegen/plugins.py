"""ariadne-codegen plugins applied to every target (listed in ``codegen.toml``).

Imported by ariadne-codegen from its ``plugins`` setting, only while generating.
"""

from __future__ import annotations

from ariadne_codegen.plugins.base import Plugin

__all__ = ["TypedLazyInitPlugin"]

_UNTYPED_TO_TYPED = {
    "def __getattr__(name):": "def __getattr__(name: str) -> object:",
    "def __dir__():": "def __dir__() -> list[str]:",
}


class TypedLazyInitPlugin(Plugin):
    """Annotate the module ``__getattr__``/``__dir__`` that ``lazy_imports`` writes into
    ``__init__.py``, which ariadne-codegen leaves untyped (``mypy --strict`` rejects them)."""

    def generate_init_code(self, generated_code: str) -> str:
        for untyped, typed in _UNTYPED_TO_TYPED.items():
            generated_code = generated_code.replace(untyped, typed)
        return generated_code
