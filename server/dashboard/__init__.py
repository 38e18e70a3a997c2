"""The coordinator's dashboard: rosters, figures, field health and duplicate trainees (docs/dashboard.md)."""

from server.dashboard.views import bp

__all__ = ["bp"]
