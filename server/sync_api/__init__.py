"""POST /api/v1/sync: push ops and pull changes in one round trip."""

from server.sync_api.views import bp

__all__ = ["bp"]
