"""The error catalog: every `error.code` the API can return, with its status and type.

Services raise `ZofError` with a code from `CATALOG`; the HTTP layer turns it into the
error envelope. `docs/errors.md` is generated from this table, and a test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorSpec:
    status: int
    type: str
    description: str


INVALID = "invalid_request_error"

CATALOG: dict[str, ErrorSpec] = {
    # 400
    "invalid_parameter": ErrorSpec(
        400, INVALID, "A query parameter, header or body field has an invalid value."
    ),
    "unknown_parameter": ErrorSpec(
        400, INVALID, "The request has a query parameter or body field the route does not take."
    ),
    "missing_parameter": ErrorSpec(
        400, INVALID, "A required query parameter or body field is missing."
    ),
    "invalid_json": ErrorSpec(400, INVALID, "The body is not valid JSON, or not valid UTF-8."),
    "invalid_cursor": ErrorSpec(
        400,
        INVALID,
        "`starting_after` is not a cursor this organization and these filters produced.",
    ),
    "invalid_time_range": ErrorSpec(
        400, INVALID, "The lower bound of a time range is not before the upper bound."
    ),
    "invalid_idempotency_key": ErrorSpec(
        400,
        INVALID,
        "`Idempotency-Key` is empty, longer than 255 characters, or not printable ASCII.",
    ),
    "malformed_xml": ErrorSpec(
        400, INVALID, "An uploaded XML file is not well-formed; the message gives the line."
    ),
    "not_a_test_report": ErrorSpec(
        400, INVALID, "An uploaded file is well-formed but is not a test report."
    ),
    "dtd_not_allowed": ErrorSpec(
        400, INVALID, "An uploaded XML file declares a DTD or entities, which are never processed."
    ),
    "unsupported_format": ErrorSpec(
        400, INVALID, "An uploaded file is a test report in a format zof does not read yet."
    ),
    "nesting_too_deep": ErrorSpec(
        400, INVALID, "An uploaded file nests elements deeper than zof accepts."
    ),
    "invalid_gzip": ErrorSpec(
        400, INVALID, "A body sent with `Content-Encoding: gzip` is not a valid gzip stream."
    ),
    "value_too_large": ErrorSpec(
        400,
        INVALID,
        "An uploaded file holds a single text or attribute value longer than zof accepts.",
    ),
    "invalid_header": ErrorSpec(400, INVALID, "A request header is malformed or too long."),
    # 401, 403
    "authentication_required": ErrorSpec(
        401, "authentication_error", "The request has no `Authorization: Bearer` header."
    ),
    "invalid_api_key": ErrorSpec(
        401, "authentication_error", "The API key is malformed, unknown, revoked or expired."
    ),
    "permission_denied": ErrorSpec(
        403,
        "permission_error",
        "The API key's role or permission list lacks the permission the route needs.",
    ),
    # 404, 405
    "resource_not_found": ErrorSpec(
        404, "not_found_error", "No resource with this id exists in the key's organization."
    ),
    "route_not_found": ErrorSpec(404, "not_found_error", "No route matches the path."),
    "method_not_allowed": ErrorSpec(
        405,
        INVALID,
        "The route exists but does not take this method; `Allow` lists the ones it takes.",
    ),
    # 409
    "idempotency_key_in_use": ErrorSpec(
        409,
        "conflict_error",
        "A request with the same `Idempotency-Key` is still running; retry after `Retry-After`.",
    ),
    "run_not_cancelable": ErrorSpec(
        409, "conflict_error", "The run is in a terminal status and cannot be canceled."
    ),
    "run_not_completable": ErrorSpec(
        409, "conflict_error", "The run is in a terminal status and cannot be completed again."
    ),
    "run_not_accepting_results": ErrorSpec(
        409, "conflict_error", "The run is in a terminal status and takes no more results."
    ),
    "report_not_ready": ErrorSpec(
        409, "conflict_error", "The report has no content yet because it is not `ready`."
    ),
    "api_key_revoked": ErrorSpec(409, "conflict_error", "The API key is already revoked."),
    # 413, 414, 415, 422, 431
    "query_too_long": ErrorSpec(
        414, INVALID, "The query string is longer than 8 KiB; send fewer or shorter parameters."
    ),
    "headers_too_large": ErrorSpec(
        431, INVALID, "The request headers are larger than 16 KiB in total."
    ),
    "body_too_large": ErrorSpec(
        413, INVALID, "The body, or its decompressed form, is larger than the configured limit."
    ),
    "decompressed_too_large": ErrorSpec(
        413, INVALID, "A gzip body inflates to more than the configured upload limit."
    ),
    "unsupported_media_type": ErrorSpec(
        415, INVALID, "The `Content-Type` or `Content-Encoding` is not one the route takes."
    ),
    "idempotency_key_reused": ErrorSpec(
        422, INVALID, "The `Idempotency-Key` was used before with another method, path or body."
    ),
    # 429
    "rate_limited": ErrorSpec(
        429, "rate_limit_error", "Too many requests; wait `Retry-After` seconds."
    ),
    # 5xx
    "internal_error": ErrorSpec(
        500, "api_error", "An unexpected error; the request id finds the details in the server log."
    ),
    "database_busy": ErrorSpec(
        503, "api_error", "The database is busy with other writes; retry after `Retry-After`."
    ),
    "database_unavailable": ErrorSpec(
        503, "api_error", "The database cannot be reached; retry after `Retry-After`."
    ),
}


class ZofError(Exception):
    """An error with a catalog code, raised anywhere below the HTTP layer."""

    def __init__(
        self,
        code: str,
        message: str,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        if code not in CATALOG:
            raise ValueError(f"Error code {code!r} is not in the catalog.")
        super().__init__(message)
        self.code = code
        self.message = message
        self.param = param
        self.headers = headers or {}

    @property
    def spec(self) -> ErrorSpec:
        return CATALOG[self.code]


def not_found(kind: str, resource_id: str, param: str = "id") -> ZofError:
    """Build the 404 for a missing id; another organization's id gets the very same error."""
    return ZofError("resource_not_found", f"No {kind} with id {resource_id!r} exists.", param)
