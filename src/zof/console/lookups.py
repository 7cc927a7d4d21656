"""Names the pages show in place of bare ids."""

from __future__ import annotations

from zof.console.session import Session
from zof.services import projects

# Lists and selects name at most this many projects; others show as their ids.
MAX_NAMED_PROJECTS = 100


async def project_names(session: Session) -> dict[str, str]:
    """Map project ids to names, newest projects first; empty without `projects:read`."""
    if not session.can("projects:read"):
        return {}
    page = await projects.list_projects(
        session.state.db,
        session.principal.organization_id,
        limit=MAX_NAMED_PROJECTS,
        after=None,
    )
    return {row["id"]: row["name"] for row in page.rows}
