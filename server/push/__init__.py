"""Web push: the VAPID key pair, browsers' subscriptions, and the pushes sent after a sync."""

from server.push.views import bp

__all__ = ["bp"]
