"""A test's identity: the key that groups its results across runs."""

from __future__ import annotations

import hashlib

# ASCII unit separator. XML 1.0 cannot carry it, so names from JUnit files never
# contain it and ("a", "b c") and ("a b", "c") never hash the same input.
# NOTE: a JSON upload can carry it, so ingest should replace it in names before hashing.
_SEPARATOR = "\x1f"


def test_key(project_id: str, suite: str | None, classname: str | None, name: str) -> str:
    """Return the hex SHA-256 of a test's project, suite, class name and name.

    A missing suite or class name hashes like an empty one. Ingest stores this value in
    `results.test_key`, and reports group by it.
    """
    parts = [project_id, suite or "", classname or "", name]
    return hashlib.sha256(_SEPARATOR.join(parts).encode()).hexdigest()


# The name starts with "test", so pytest would collect it from any test module that
# imports it.
test_key.__test__ = False  # type: ignore[attr-defined]
