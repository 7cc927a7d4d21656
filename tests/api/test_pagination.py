"""Cursor pagination: envelopes, ordering, cursor binding and tamper resistance."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.conftest import Api
from zof.core.clock import set_clock
from zof.core.cursors import Position
from zof.store.pagination import fetch_page
from zof.store.tables import projects

pytestmark = pytest.mark.usefixtures("backend")


async def create_projects(api: Api, count: int, key: str | None = None) -> list[str]:
    ids = []
    for index in range(count):
        response = await api.post("/v1/projects", {"name": f"project {index}"}, key=key)
        assert response.status_code == 201
        ids.append(response.json()["id"])
    return ids


async def walk(api: Api, limit: int | None = None, **params: str) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        query: dict[str, object] = dict(params)
        if limit is not None:
            query["limit"] = limit
        if cursor:
            query["starting_after"] = cursor
        response = await api.get("/v1/projects", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        seen += [item["id"] for item in body["data"]]
        if not body["has_more"]:
            assert body["next_cursor"] is None
            return seen
        cursor = body["next_cursor"]


async def test_default_page_holds_twenty(api: Api) -> None:
    await create_projects(api, 25)

    body = (await api.get("/v1/projects")).json()

    assert set(body) == {"object", "data", "has_more", "next_cursor"}
    assert body["object"] == "list"
    assert len(body["data"]) == 20
    assert body["has_more"] is True
    assert isinstance(body["next_cursor"], str)


@pytest.mark.parametrize("limit", ["0", "-1", "101", "abc", "1.5", "", "99999999999999999999"])
async def test_invalid_limit_is_400(api: Api, limit: str) -> None:
    response = await api.get("/v1/projects", params={"limit": limit})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter"
    assert error["param"] == "limit"


async def test_walk_returns_each_item_once_newest_first(api: Api) -> None:
    created = await create_projects(api, 7)

    seen = await walk(api, limit=3)

    assert seen == list(reversed(created))


async def test_items_sharing_a_timestamp_are_all_returned(api: Api) -> None:
    instant = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    set_clock(lambda: instant)
    try:
        created = await create_projects(api, 5)
    finally:
        set_clock(None)

    seen = await walk(api, limit=2)

    assert sorted(seen) == sorted(created)
    assert seen == sorted(created, reverse=True)


async def test_inserts_while_paging_cause_no_skips_or_repeats(api: Api) -> None:
    created = await create_projects(api, 6)
    first = (await api.get("/v1/projects", params={"limit": 2})).json()
    await create_projects(api, 3)

    rest: list[str] = [item["id"] for item in first["data"]]
    cursor = first["next_cursor"]
    while cursor:
        body = (await api.get("/v1/projects", params={"limit": 2, "starting_after": cursor})).json()
        rest += [item["id"] for item in body["data"]]
        cursor = body["next_cursor"]

    assert rest == list(reversed(created))


async def test_last_page_has_no_cursor(api: Api) -> None:
    await create_projects(api, 2)

    body = (await api.get("/v1/projects", params={"limit": 2})).json()

    assert body["has_more"] is False
    assert body["next_cursor"] is None


async def test_empty_list_has_no_cursor(api: Api) -> None:
    body = (await api.get("/v1/projects")).json()

    assert body == {"object": "list", "data": [], "has_more": False, "next_cursor": None}


async def test_cursor_with_other_filters_is_rejected(api: Api) -> None:
    await create_projects(api, 3)
    cursor = (await api.get("/v1/projects", params={"limit": 1})).json()["next_cursor"]

    response = await api.get(
        "/v1/projects",
        params={"limit": 1, "starting_after": cursor, "created_after": "2020-01-01"},
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"
    assert response.json()["error"]["param"] == "starting_after"


async def test_cursor_from_another_list_is_rejected(api: Api) -> None:
    for _ in range(2):
        await api.create_key("viewer")
    cursor = (await api.get("/v1/api-keys", params={"limit": 1})).json()["next_cursor"]

    response = await api.get("/v1/projects", params={"starting_after": cursor})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "AAAA", "=" * 10, "\u00e9t\u00e9", "A" * 513, "AQ", "a.b.c", "%00"],
)
async def test_garbage_cursor_is_400(api: Api, cursor: str) -> None:
    response = await api.get("/v1/projects", params={"starting_after": cursor})

    assert response.status_code == 400
    assert response.json()["error"]["param"] == "starting_after"


async def test_truncated_or_altered_cursor_is_400(api: Api) -> None:
    await create_projects(api, 3)
    cursor = (await api.get("/v1/projects", params={"limit": 1})).json()["next_cursor"]
    altered = [cursor[:-1] + ("A" if cursor[-1] != "A" else "B"), cursor[:-5], cursor[5:]]
    middle = len(cursor) // 2
    altered.append(cursor[:middle] + ("x" if cursor[middle] != "x" else "y") + cursor[middle + 1 :])

    for value in altered:
        response = await api.get("/v1/projects", params={"starting_after": value})
        assert response.status_code == 400, value
        assert response.json()["error"]["code"] == "invalid_cursor"


async def test_cursor_from_another_organization_is_rejected(api: Api) -> None:
    _, other_key = await api.bootstrap("Other")
    await create_projects(api, 3, key=other_key)
    cursor = (await api.get("/v1/projects", key=other_key, params={"limit": 1})).json()[
        "next_cursor"
    ]

    response = await api.get("/v1/projects", params={"starting_after": cursor})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


async def test_cursor_reveals_no_ids_or_filters(api: Api) -> None:
    created = await create_projects(api, 3)
    cursor = (
        await api.get("/v1/projects", params={"limit": 1, "created_after": "2020-01-01"})
    ).json()["next_cursor"]

    decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))

    for item_id in created:
        assert item_id.encode() not in decoded
        assert item_id[5:15].encode() not in decoded
    assert b"2020" not in decoded
    assert b"created_after" not in decoded


async def test_limit_may_change_between_pages(api: Api) -> None:
    created = await create_projects(api, 6)
    first = (await api.get("/v1/projects", params={"limit": 1})).json()

    second = (
        await api.get("/v1/projects", params={"limit": 4, "starting_after": first["next_cursor"]})
    ).json()

    assert [item["id"] for item in second["data"]] == list(reversed(created))[1:5]


async def test_page_query_seeks_the_index_at_any_depth(api: Api) -> None:
    await create_projects(api, 5)
    deep = Position(created_at=datetime(2026, 1, 1, tzinfo=UTC), id="proj_X")

    async with api.db.read() as conn:
        statements: list[tuple[str, object]] = []

        def capture(
            _conn: object, _cursor: object, statement: str, parameters: object, *_: object
        ) -> None:
            statements.append((statement, parameters))

        sa.event.listen(conn.sync_engine, "before_cursor_execute", capture)
        try:
            await fetch_page(
                conn, projects, [projects.c.organization_id == api.org_id], limit=10, after=deep
            )
        finally:
            sa.event.remove(conn.sync_engine, "before_cursor_execute", capture)
        sql, parameters = statements[-1]
        if conn.dialect.name == "sqlite":
            # SQLite's compiler always writes OFFSET; the keyset query must pass 0.
            assert isinstance(parameters, tuple)
            assert parameters[-1] == 0
            plan = (await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters)).all()
            text = " ".join(str(row[-1]) for row in plan)
            assert "USING INDEX ix_projects_organization_id_created_at_id" in text
            assert "TEMP B-TREE" not in text
        else:
            assert "OFFSET" not in sql.upper()
            await conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            compiled = (
                sa.select(projects)
                .where(
                    projects.c.organization_id == api.org_id,
                    sa.tuple_(projects.c.created_at, projects.c.id)
                    < sa.tuple_(sa.literal(deep.created_at), sa.literal(deep.id)),
                )
                .order_by(projects.c.created_at.desc(), projects.c.id.desc())
                .limit(11)
                .compile(conn.sync_engine, compile_kwargs={"literal_binds": True})
            )
            plan = (await conn.exec_driver_sql(f"EXPLAIN {compiled}")).all()
            text = " ".join(row[0] for row in plan)
            assert "ix_projects_organization_id_created_at_id" in text
            assert "Sort" not in text
