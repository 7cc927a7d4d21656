"""The description of one API call, shared by the clients and the resources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._params import new_idempotency_key
from ._uploads import UploadBody


@dataclass
class RequestSpec:
    """One logical API call, which the retry loop may send several times.

    `path` is relative to `/v1`. POST and PATCH get an idempotency key when the caller
    gives none, so every attempt of one call carries the same key.
    """

    method: str
    path: str
    params: Mapping[str, Any] | None = None
    json: Any = None
    upload: UploadBody | None = None
    idempotency_key: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.method in ("POST", "PATCH") and self.idempotency_key is None:
            self.idempotency_key = new_idempotency_key()
