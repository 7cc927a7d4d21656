"""Prefixed, opaque identifiers such as `run_01JD...`."""

from __future__ import annotations

import os
import time

# Crockford's base32 alphabet: no I, L, O or U, so ids survive being read aloud or retyped.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

PREFIXES = frozenset(
    {"org", "proj", "key", "run", "res", "rpt", "rsch", "wh", "evt", "req", "upl", "job"}
)


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    """Return a new id: the prefix, then 48 bits of milliseconds and 80 random bits.

    The time part makes ids of one prefix sort roughly by creation, which keeps
    B-tree inserts local; the random part makes them unguessable.
    """
    if prefix not in PREFIXES:
        raise ValueError(f"Unknown id prefix {prefix!r}.")
    millis = time.time_ns() // 1_000_000
    randomness = int.from_bytes(os.urandom(10), "big")
    return f"{prefix}_{_encode(millis, 10)}{_encode(randomness, 16)}"


def has_prefix(value: str, prefix: str) -> bool:
    """Tell whether `value` looks like an id of the given kind."""
    head, _, tail = value.partition("_")
    return head == prefix and len(tail) == 26 and all(c in _ALPHABET for c in tail)
