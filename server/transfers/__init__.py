"""Imports of trainee lists (CSV, XLSX) and exports of rosters, figures and attendance sheets."""

from server.transfers.views import bp

__all__ = ["bp"]
