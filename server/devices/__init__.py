"""Devices: one-time enrolment codes, long-lived device tokens, revocation."""

from server.devices.views import bp

__all__ = ["bp"]
