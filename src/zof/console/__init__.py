"""The web console: server-rendered pages at `/console` over the same services as the API."""

from zof.console.routes import mount, router

__all__ = ["mount", "router"]
