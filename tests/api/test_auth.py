"""Authentication, roles, permissions and tenant isolation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import Api
from zof.core.clock import set_clock
from zof.store.tables import api_keys, projects

pytestmark = pytest.mark.usefixtures("backend")


async def test_missing_authorization_is_401(api: Api) -> None:
    response = await api.client.get("/v1/projects")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    error = response.json()["error"]
    assert error["code"] == "authentication_required"
    assert error["type"] == "authentication_error"


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer zof_sk_short",
        "Bearer zof_sk_01M91A6WDDKVWKSJ78BSN5AKJE" + "a" * 43,
        "Bearer " + "x" * 600,
    ],
)
async def test_malformed_or_unknown_key_is_401(api: Api, authorization: str) -> None:
    response = await api.client.get("/v1/projects", headers={"Authorization": authorization})

    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "invalid_api_key"
    assert error["message"] == "The API key is invalid, revoked or expired."


async def test_wrong_secret_for_existing_key_gets_same_answer(api: Api) -> None:
    tampered = api.key[:-4] + ("AAAA" if not api.key.endswith("AAAA") else "BBBB")
    unknown = api.key[:7] + "0" * 26 + api.key[33:]

    first = await api.client.get("/v1/projects", headers={"Authorization": f"Bearer {tampered}"})
    second = await api.client.get("/v1/projects", headers={"Authorization": f"Bearer {unknown}"})

    assert first.status_code == second.status_code == 401
    first_error, second_error = first.json()["error"], second.json()["error"]
    first_error.pop("request_id")
    second_error.pop("request_id")
    assert first_error == second_error


async def test_revoked_key_is_401(api: Api) -> None:
    secret = await api.create_key("viewer")
    key_id = "key_" + secret[7:33]
    revoke = await api.client.delete(f"/v1/api-keys/{key_id}", headers=api.headers())
    assert revoke.status_code == 200
    assert revoke.json()["revoked_at"] is not None

    response = await api.get("/v1/projects", key=secret)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


async def test_expired_key_is_401(api: Api) -> None:
    expires = datetime.now(UTC) + timedelta(hours=1)
    response = await api.post(
        "/v1/api-keys",
        {"name": "short-lived", "role": "viewer", "expires_at": expires.isoformat()},
    )
    assert response.status_code == 201
    secret = response.json()["secret"]
    assert (await api.get("/v1/projects", key=secret)).status_code == 200

    set_clock(lambda: expires + timedelta(seconds=1))
    try:
        response = await api.get("/v1/projects", key=secret)
    finally:
        set_clock(None)

    assert response.status_code == 401


async def test_key_secret_is_stored_only_as_hash(api: Api) -> None:
    response = await api.post("/v1/api-keys", {"name": "ci", "role": "engineer"})
    secret = response.json()["secret"]

    async with api.db.read() as conn:
        rows = (await conn.execute(sa.select(api_keys))).mappings().all()
    stored = " ".join(str(value) for row in rows for value in row.values())
    assert secret not in stored
    assert secret[33:] not in stored


async def test_secret_is_shown_only_at_creation(api: Api) -> None:
    created = await api.post("/v1/api-keys", {"name": "ci", "role": "engineer"})
    listed = await api.get("/v1/api-keys")

    assert "secret" in created.json()
    assert all("secret" not in item for item in listed.json()["data"])
    assert created.json()["prefix"] == created.json()["secret"][:15]


@pytest.mark.parametrize(
    ("role", "method", "path", "permission"),
    [
        ("viewer", "POST", "/v1/projects", "projects:write"),
        ("engineer", "POST", "/v1/projects", "projects:write"),
        ("qa_lead", "GET", "/v1/api-keys", "api_keys:manage"),
        ("viewer", "POST", "/v1/api-keys", "api_keys:manage"),
    ],
)
async def test_role_without_permission_is_403(
    api: Api, role: str, method: str, path: str, permission: str
) -> None:
    secret = await api.create_key(role)

    response = await api.client.request(
        method, path, json={"name": "x", "role": "viewer"}, headers=api.headers(secret)
    )

    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "permission_denied"
    assert error["type"] == "permission_error"
    assert permission in error["message"]


async def test_narrowed_permissions_limit_the_role(api: Api) -> None:
    secret = await api.create_key("qa_lead", permissions=["projects:read"])

    assert (await api.get("/v1/projects", key=secret)).status_code == 200
    denied = await api.post("/v1/projects", {"name": "web"}, key=secret)
    assert denied.status_code == 403
    assert "projects:write" in denied.json()["error"]["message"]


async def test_permission_outside_role_is_rejected(api: Api) -> None:
    response = await api.post(
        "/v1/api-keys", {"name": "x", "role": "viewer", "permissions": ["projects:write"]}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_parameter"
    assert response.json()["error"]["param"] == "permissions.0"


async def test_unknown_role_is_rejected_with_allowed_values(api: Api) -> None:
    response = await api.post("/v1/api-keys", {"name": "x", "role": "owner"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter"
    assert error["param"] == "role"
    for role in ("admin", "qa_lead", "engineer", "viewer"):
        assert role in error["message"]
    async with api.db.read() as conn:
        count = (await conn.execute(sa.select(sa.func.count()).select_from(api_keys))).scalar()
    assert count == 1


async def test_other_organizations_project_is_404_like_missing(api: Api) -> None:
    _, other_key = await api.bootstrap("Other")
    created = await api.post("/v1/projects", {"name": "secret"}, key=other_key)
    foreign_id = created.json()["id"]
    missing_id = foreign_id[:-1] + ("A" if foreign_id[-1] != "A" else "B")

    foreign = await api.get(f"/v1/projects/{foreign_id}")
    missing = await api.get(f"/v1/projects/{missing_id}")

    assert foreign.status_code == missing.status_code == 404
    foreign_error = foreign.json()["error"]
    missing_error = missing.json()["error"]
    assert foreign_error["code"] == missing_error["code"] == "resource_not_found"
    assert foreign_error["message"].replace(foreign_id, "ID") == missing_error["message"].replace(
        missing_id, "ID"
    )
    assert foreign_error["type"] == missing_error["type"]
    assert foreign_error["param"] == missing_error["param"]


async def test_other_organization_cannot_change_a_project(api: Api) -> None:
    _, other_key = await api.bootstrap("Other")
    created = await api.post("/v1/projects", {"name": "mine"})
    project_id = created.json()["id"]

    response = await api.client.patch(
        f"/v1/projects/{project_id}", json={"name": "stolen"}, headers=api.headers(other_key)
    )

    assert response.status_code == 404
    async with api.db.read() as conn:
        name = (
            await conn.execute(sa.select(projects.c.name).where(projects.c.id == project_id))
        ).scalar()
    assert name == "mine"


async def test_other_organization_cannot_revoke_a_key(api: Api) -> None:
    _, other_key = await api.bootstrap("Other")
    secret = await api.create_key("viewer")
    key_id = "key_" + secret[7:33]

    response = await api.client.delete(f"/v1/api-keys/{key_id}", headers=api.headers(other_key))

    assert response.status_code == 404
    assert (await api.get("/v1/projects", key=secret)).status_code == 200


async def test_lists_never_show_another_organization(api: Api) -> None:
    _, other_key = await api.bootstrap("Other")
    await api.post("/v1/projects", {"name": "ours"})
    await api.post("/v1/projects", {"name": "theirs"}, key=other_key)

    ours = await api.get("/v1/projects")
    theirs = await api.get("/v1/projects", key=other_key)
    keys = await api.get("/v1/api-keys")

    assert [p["name"] for p in ours.json()["data"]] == ["ours"]
    assert [p["name"] for p in theirs.json()["data"]] == ["theirs"]
    assert len(keys.json()["data"]) == 1


async def test_key_revoked_between_pages_gets_401(api: Api) -> None:
    secret = await api.create_key("viewer")
    for index in range(3):
        await api.post("/v1/projects", {"name": f"p{index}"})
    first = await api.get("/v1/projects", key=secret, params={"limit": 1})
    assert first.status_code == 200
    await api.client.delete(f"/v1/api-keys/key_{secret[7:33]}", headers=api.headers())

    second = await api.get(
        "/v1/projects",
        key=secret,
        params={"limit": 1, "starting_after": first.json()["next_cursor"]},
    )

    assert second.status_code == 401


async def test_revoking_twice_is_409(api: Api) -> None:
    secret = await api.create_key("viewer")
    key_id = f"key_{secret[7:33]}"
    await api.client.delete(f"/v1/api-keys/{key_id}", headers=api.headers())

    again = await api.client.delete(f"/v1/api-keys/{key_id}", headers=api.headers())

    assert again.status_code == 409
    assert again.json()["error"]["code"] == "api_key_revoked"
