"""POST /api/v1/outbox-files: a trainer's saved outbox, brought in by a coordinator."""

from server.outbox_files.views import bp

__all__ = ["bp"]
