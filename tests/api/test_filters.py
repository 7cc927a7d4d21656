"""Time parameters, half-open ranges, unknown parameters and enum values."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import Api
from zof.core.clock import set_clock

pytestmark = pytest.mark.usefixtures("backend")

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


async def create_at(api: Api, instant: datetime, name: str) -> str:
    set_clock(lambda: instant)
    try:
        response = await api.post("/v1/projects", {"name": name})
    finally:
        set_clock(None)
    assert response.status_code == 201
    return str(response.json()["id"])


async def names(api: Api, **params: str) -> list[str]:
    response = await api.get("/v1/projects", params=params)
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["data"]]


@pytest.mark.parametrize(
    "value",
    [
        "2026-12-01T12:00:00Z",
        "2026-12-01T12:00:00.000Z",
        "2026-12-01T14:00:00+02:00",
        "2026-12-01T07:00:00-05:00",
        "2026-12-01t12:00:00z",
    ],
)
async def test_same_instant_in_any_offset_gives_same_result(api: Api, value: str) -> None:
    await create_at(api, NOON.replace(hour=11), "before")
    await create_at(api, NOON, "at")
    await create_at(api, NOON.replace(hour=13), "after")

    assert await names(api, created_after=value) == ["after", "at"]
    assert await names(api, created_before=value) == ["before"]


async def test_plain_date_means_midnight_utc(api: Api) -> None:
    await create_at(api, datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC), "late")
    await create_at(api, datetime(2026, 12, 1, 0, 0, tzinfo=UTC), "midnight")

    assert await names(api, created_after="2026-12-01") == ["midnight"]
    assert await names(api, created_before="2026-12-01") == ["late"]


async def test_range_is_half_open(api: Api) -> None:
    await create_at(api, NOON, "lower")
    await create_at(api, NOON.replace(hour=14), "upper")

    result = await names(
        api, created_after="2026-12-01T12:00:00Z", created_before="2026-12-01T14:00:00Z"
    )

    assert result == ["lower"]


async def test_output_timestamps_are_utc_with_z(api: Api) -> None:
    await create_at(api, datetime(2026, 12, 1, 12, 0, 0, 123000, tzinfo=UTC), "p")

    item = (await api.get("/v1/projects")).json()["data"][0]

    assert item["created_at"] == "2026-12-01T12:00:00.123Z"


@pytest.mark.parametrize(
    "value",
    [
        "2026-12-01T12:00:00",
        "2026-12-01 12:00",
        "yesterday",
        "2026-13-01",
        "2026-12-01T25:00:00Z",
        "1700000000",
        "2026-12-01T12:00:00+2",
        "",
    ],
)
async def test_invalid_time_is_400_naming_parameter(api: Api, value: str) -> None:
    response = await api.get("/v1/projects", params={"created_after": value})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter"
    assert error["param"] == "created_after"


async def test_time_without_offset_says_so(api: Api) -> None:
    response = await api.get("/v1/projects", params={"created_before": "2026-12-01T12:00:00"})

    assert "offset" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("lower", "upper"),
    [("2026-12-02", "2026-12-01"), ("2026-12-01T00:00:00Z", "2026-12-01T02:00:00+02:00")],
)
async def test_inverted_or_empty_range_is_400_naming_later(
    api: Api, lower: str, upper: str
) -> None:
    response = await api.get(
        "/v1/projects", params={"created_after": lower, "created_before": upper}
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_time_range"
    assert error["param"] == "created_before"


async def test_unknown_query_parameter_is_400(api: Api) -> None:
    response = await api.get("/v1/projects", params={"projct_id": "x"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unknown_parameter"
    assert error["param"] == "projct_id"
    assert "created_after" in error["message"]


async def test_repeated_query_parameter_is_400(api: Api) -> None:
    response = await api.get("/v1/projects?limit=1&limit=2")

    assert response.status_code == 400
    assert response.json()["error"]["param"] == "limit"


async def test_unknown_enum_value_lists_allowed_values(api: Api) -> None:
    response = await api.get("/v1/api-keys", params={"role": "owner"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter"
    assert error["param"] == "role"
    for role in ("admin", "qa_lead", "engineer", "viewer"):
        assert role in error["message"]


async def test_enum_filter_selects_matching_items(api: Api) -> None:
    await api.create_key("viewer")
    await api.create_key("engineer")

    response = await api.get("/v1/api-keys", params={"role": "viewer"})

    assert [item["role"] for item in response.json()["data"]] == ["viewer"]


async def test_unknown_body_field_is_400(api: Api) -> None:
    response = await api.post("/v1/projects", {"name": "x", "colour": "red"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unknown_parameter"
    assert error["param"] == "colour"
    assert (await api.get("/v1/projects")).json()["data"] == []


async def test_missing_body_field_is_400(api: Api) -> None:
    response = await api.post("/v1/projects", {"description": "no name"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "missing_parameter"
    assert response.json()["error"]["param"] == "name"
    assert (await api.get("/v1/projects")).json()["data"] == []


async def test_invalid_json_body_is_400(api: Api) -> None:
    response = await api.client.post(
        "/v1/projects",
        content=b'{"name": ',
        headers=api.headers(**{"Content-Type": "application/json"}),
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"
    assert (await api.get("/v1/projects")).json()["data"] == []


async def test_non_json_content_type_is_415(api: Api) -> None:
    response = await api.client.post(
        "/v1/projects", content=b"name=x", headers=api.headers(**{"Content-Type": "text/plain"})
    )

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert response.json()["error"]["param"] == "Content-Type"
    assert (await api.get("/v1/projects")).json()["data"] == []


@pytest.mark.parametrize(
    ("path", "body", "param"),
    [
        ("/v1/projects", {"name": "we\u0000b"}, "name"),
        ("/v1/projects", {"name": "web", "description": "\u0000"}, "description"),
        ("/v1/api-keys", {"name": "k\u0000", "role": "viewer"}, "name"),
    ],
)
async def test_nul_character_in_body_is_400(
    api: Api, path: str, body: dict[str, str], param: str
) -> None:
    response = await api.post(path, body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_parameter"
    assert response.json()["error"]["param"] == param
    assert (await api.get("/v1/projects")).json()["data"] == []
