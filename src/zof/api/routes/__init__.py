"""Every router of the API; `create_app` mounts them in this order."""

from __future__ import annotations

from fastapi import APIRouter

from zof.api.routes import api_keys, projects, reports, results, runs, schedules


def all_routers() -> list[APIRouter]:
    return [
        projects.router,
        api_keys.router,
        runs.router,
        results.router,
        reports.router,
        schedules.router,
    ]
