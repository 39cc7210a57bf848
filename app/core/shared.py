"""Immutable collections that grow without being copied, for kind states that take one
small change per action from thousands of phones (a word cloud's burst: copying a
tuple of every entry and a dict of every author per word made a burst quadratic).

Both are values: what one holds never changes, they equal the plain tuple or dict with
the same content, and pydantic stores them as that plain list or dict (:func:`stored`),
so snapshots keep their shape.

- :class:`Log`, a tuple that appends in O(1): the entries live in a list shared with the
  logs grown from it, each seeing its own first ``n``; a log appended to when a longer
  one was already grown from it (a batch planned again from an older room) copies.
- :class:`Layered`, a dict that sets a key in O(√n): a dict never changed after it is
  made, and the keys set since, in a small dict copied on each change and folded into a
  new base when it grows past √n. Iterates in a plain dict's order (a key set again
  keeps its place, a new one goes last); taking a key away folds at once (rare: a
  withdrawn word), so the order stays a dict's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import fields
from typing import Any, Generic, TypeVar, overload

from pydantic import PlainSerializer, PlainValidator, TypeAdapter

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")

_GONE: Any = object()


class Log(Sequence[T]):
    __slots__ = ("_items", "_n")

    def __init__(self, items: list[T] | None = None, n: int | None = None) -> None:
        self._items: list[T] = items if items is not None else []
        self._n = len(self._items) if n is None else n

    def plus(self, item: T) -> Log[T]:
        """This log and ``item`` after it."""
        items = self._items
        if len(items) != self._n:  # a longer log was grown from this one: ours is a copy
            items = items[: self._n]
        items.append(item)
        return Log(items, self._n + 1)

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...
    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        if isinstance(index, slice):
            return tuple(self)[index]
        if index < 0:
            index += self._n
        if not 0 <= index < self._n:
            raise IndexError(index)
        return self._items[index]

    def __iter__(self) -> Iterator[T]:
        items = self._items
        return iter(items if len(items) == self._n else items[: self._n])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Log, tuple, list)):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Log({list(self)!r})"


class Layered(Mapping[K, V], Generic[K, V]):
    __slots__ = ("_base", "_len", "_top")

    def __init__(self, base: dict[K, V] | None = None) -> None:
        self._base: dict[K, V] = base if base is not None else {}
        self._top: dict[K, V] = {}  # set since the base was made
        self._len = len(self._base)

    @classmethod
    def _of(cls, base: dict[K, V], top: dict[K, V], length: int) -> Layered[K, V]:
        made = cls.__new__(cls)
        made._base, made._top, made._len = base, top, length
        return made

    def set(self, key: K, value: V) -> Layered[K, V]:
        """This mapping with ``key`` set to ``value``."""
        top = {**self._top, key: value}
        grown = self._len + (key not in self._base and key not in self._top)
        if len(top) * len(top) > grown:
            return Layered(self._folded(top))
        return Layered._of(self._base, top, grown)

    def without(self, key: K) -> Layered[K, V]:
        """This mapping without ``key`` (folded at once: a dict's order after a pop)."""
        folded = self._folded(self._top)
        folded.pop(key, None)
        return Layered(folded)

    def _folded(self, top: dict[K, V]) -> dict[K, V]:
        return {**self._base, **top}

    def __getitem__(self, key: K) -> V:
        top = self._top
        if key in top:
            return top[key]
        return self._base[key]

    @overload
    def get(self, key: K, /) -> V | None: ...
    @overload
    def get(self, key: K, /, default: V | T) -> V | T: ...
    def get(self, key: K, /, default: Any = None) -> Any:
        top = self._top
        if key in top:
            return top[key]
        return self._base.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._top or key in self._base

    def __len__(self) -> int:
        return self._len

    def _whole(self) -> dict[K, V]:
        """Every key in order, as one dict, folded once: a room's participants are read
        whole by many views after a change (the base is replaced, never changed; it is
        set before the top is emptied, so a reader in another thread, a snapshot being
        written, sees the same keys whichever it reads)."""
        if self._top:
            self._base = self._folded(self._top)
            self._top = {}
        return self._base

    def __iter__(self) -> Iterator[K]:
        return iter(self._whole())

    def __reversed__(self) -> Iterator[K]:
        """The keys last first, the newest without folding (a join's new key is found so)."""
        base = self._base
        yield from (key for key in reversed(self._top) if key not in base)
        yield from reversed(base)

    def items(self) -> Any:
        return self._whole().items()

    def values(self) -> Any:
        return self._whole().values()

    def as_dict(self) -> dict[K, V]:
        return self._folded(self._top) if self._top else dict(self._base)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Layered):
            return self.as_dict() == other.as_dict()
        if isinstance(other, dict):
            return self.as_dict() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Layered({self.as_dict()!r})"


def with_key(mapping: Mapping[K, V], key: K, value: V) -> Layered[K, V]:
    """``{**mapping, key: value}``, as a :class:`Layered` in O(√n) (a plain dict, as a
    room built by hand holds, is layered first)."""
    layered = mapping if isinstance(mapping, Layered) else Layered(dict(mapping))
    return layered.set(key, value)


def stored(
    plain: Any, shared: type[Log[Any]] | type[Layered[Any, Any]]
) -> tuple[PlainValidator, PlainSerializer]:
    """How pydantic reads and writes a field of ``shared`` kept as the type ``plain``."""
    adapter: TypeAdapter[Any] = TypeAdapter(plain)
    wrap: Callable[[Any], Any] = (lambda v: Log(list(v))) if shared is Log else Layered

    def read(value: Any) -> Any:
        return value if isinstance(value, shared) else wrap(adapter.validate_python(value))

    def write(value: Any) -> Any:
        return tuple(value) if isinstance(value, Log) else value.as_dict()

    return PlainValidator(read), PlainSerializer(write, return_type=plain)


def copier(cls: type[T], *changed: str) -> Callable[..., T]:
    """``copy(obj, *values)``: ``dataclasses.replace(obj, **dict(zip(changed, values)))``
    for a dataclass whose fields are all set by its ``__init__``, at a third of the cost
    (replace walks the class's fields and checks each at every call; a word in a burst
    copies the room's two dozen)."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    if not all(f.init for f in fields(cls)) or not set(changed) <= set(names):  # type: ignore[arg-type]
        raise TypeError(f"{cls.__name__}: every field set by __init__, and {changed} among them")
    args = ", ".join(f"{n}=_{n}" if n in changed else f"{n}=obj.{n}" for n in names)
    params = ", ".join(f"_{n}" for n in changed)
    namespace: dict[str, Any] = {"cls": cls}
    exec(f"def copy(obj, {params}):\n    return cls({args})\n", namespace)  # noqa: S102 (names from fields())
    made: Callable[..., T] = namespace["copy"]
    return made
