"""Post-processing of FastAPI's OpenAPI document so it describes what the API really does."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from zof.api.schemas import ErrorEnvelope

_ERROR_STATUSES = {
    "400": "Invalid request: see `error.code` and `error.param`.",
    "401": "Missing, malformed, unknown, revoked or expired API key.",
    "403": "The API key lacks the permission this route needs.",
    "404": "No such resource in the key's organization, or no such route.",
    "429": "Rate limit exceeded; wait `Retry-After` seconds.",
    "500": "Unexpected error; quote the request id.",
    "503": "The database is busy or unreachable; retry after `Retry-After`.",
}
_WRITE_STATUSES = {
    "409": "Conflict: a state conflict or an idempotency key still in use.",
    "413": "The body is larger than the configured limit.",
    "415": "The content type is not one this route takes.",
    "422": "The idempotency key was used with a different request.",
}
_RATE_HEADERS = {
    "X-RateLimit-Limit": "Requests per minute allowed for this API key.",
    "X-RateLimit-Remaining": "Requests left in the current bucket.",
    "X-RateLimit-Reset": "Unix time in seconds when the bucket is full again.",
    "X-Request-Id": "The request's id, also in logs and error bodies.",
}


def build(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title="zof API",
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["ErrorEnvelope"] = ErrorEnvelope.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    for name, definition in schemas["ErrorEnvelope"].pop("$defs", {}).items():
        schemas[name] = definition
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}

    error_ref = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}
    headers = {
        name: {"description": text, "schema": {"type": "string"}}
        for name, text in _RATE_HEADERS.items()
    }
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            operation["security"] = [{"bearer": []}]
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            statuses = dict(_ERROR_STATUSES)
            if method in {"post", "patch"}:
                statuses.update(_WRITE_STATUSES)
                operation.setdefault("parameters", []).append(
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "description": "1 to 255 printable ASCII characters; a repeat of the "
                        "same request within 24 hours replays the first answer.",
                        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                    }
                )
            for status, description in statuses.items():
                responses.setdefault(status, {"description": description, "content": error_ref})
            for response in responses.values():
                response.setdefault("headers", {}).update(headers)
    app.openapi_schema = schema
    return schema
