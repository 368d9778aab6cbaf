"""A connection read out of a large answer body a few records at a time.

``json.loads`` of a 20,000-record page builds every record at once: about six times the body in
Python objects (measured: a 21 MB page took 120 MB more). :class:`StreamedConnection` walks the
body instead: it decodes the keys on the way to the connection, each small value whole
(``pageInfo``, ``totalCount``, ``errors``) and the ``edges`` one edge at a time with the
standard decoder's ``raw_decode``, so only the body and the records of one chunk are alive.

Why not ijson: one more (compiled) dependency for what ``json.JSONDecoder.raw_decode`` already
does once the walk reaches an edge; the walk itself is a few lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from twenty_gql.errors import ProtocolError, error_from_answer

__all__ = ["StreamedConnection"]

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class StreamedConnection:
    """The connection at ``path`` (under ``data``) of an answer body; iterate :meth:`chunks`,
    then read :attr:`fields` (``pageInfo``, ...). Raises the answer's error if it has any."""

    def __init__(self, body: bytes, path: Sequence[str], *, chunk_size: int = 500) -> None:
        self._text = body.decode("utf-8")
        self._path = ["data", *path]
        self._chunk_size = chunk_size
        self._at = 0
        self.fields: dict[str, Any] = {}
        """The connection's other fields (``pageInfo``, ``totalCount``), once walked."""
        self.found = False
        """Whether the connection was in the answer (not null)."""

    def chunks(self) -> Iterator[list[Any]]:
        """The nodes of the edges, ``chunk_size`` at a time (may be empty at the end)."""
        errors: list[Any] | None = None
        for key in self._keys():
            if key == "data":
                yield from self._walk(1)
            elif key == "errors":
                errors = self._value()
            else:
                self._value()
        self._text = ""
        if errors:
            error = error_from_answer(200, {"data": None, "errors": errors}, "")
            raise error if error is not None else ProtocolError("an answer with errors")

    # -- the walk ----------------------------------------------------------------------------

    def _walk(self, depth: int) -> Iterator[list[Any]]:
        """Inside the value of ``path[depth - 1]``: descend to the connection."""
        if self._peek() != "{":
            self._value()  # null (or anything else): no connection
            return
        if depth == len(self._path):
            yield from self._connection()
            return
        for key in self._keys():
            if key == self._path[depth]:
                yield from self._walk(depth + 1)
            else:
                self._value()

    def _connection(self) -> Iterator[list[Any]]:
        self.found = True
        for key in self._keys():
            if key != "edges" or self._peek() != "[":
                self.fields[key] = self._value()
                continue
            self._at += 1
            chunk: list[Any] = []
            if self._peek() == "]":
                self._at += 1
                continue
            while True:
                edge = self._value()
                chunk.append(edge.get("node") if isinstance(edge, dict) else None)
                if len(chunk) >= self._chunk_size:
                    yield chunk
                    chunk = []
                separator = self._peek()
                self._at += 1
                if separator == "]":
                    break
                if separator != ",":
                    raise self._malformed()
            if chunk:
                yield chunk

    # -- tokens ------------------------------------------------------------------------------

    def _peek(self) -> str:
        match = _SPACE.match(self._text, self._at)
        assert match is not None
        self._at = match.end()
        return self._text[self._at : self._at + 1]

    def _value(self) -> Any:
        self._peek()
        try:
            value, self._at = _DECODER.raw_decode(self._text, self._at)
        except json.JSONDecodeError:
            raise self._malformed() from None
        return value

    def _keys(self) -> Iterator[str]:
        """The keys of the object starting here; the caller consumes each key's value."""
        if self._peek() != "{":
            raise self._malformed()
        self._at += 1
        if self._peek() == "}":
            self._at += 1
            return
        while True:
            key = self._value()
            if not isinstance(key, str) or self._peek() != ":":
                raise self._malformed()
            self._at += 1
            yield key
            separator = self._peek()
            self._at += 1
            if separator == "}":
                return
            if separator != ",":
                raise self._malformed()

    def _malformed(self) -> ProtocolError:
        return ProtocolError(f"the answer is not valid JSON (at character {self._at})")
