"""The `fieldroll` command: thin wrappers over plain functions in `server.admin`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from server import admin, audit_api, backup
from server.errors import ApiError
from server.outbox_files.importer import import_outbox
from server.push.cli import vapid

T = TypeVar("T")


def main() -> None:
    """Run the `fieldroll` command line."""
    from server import create_app

    group = FlaskGroup(create_app=lambda: create_app(), add_default_commands=True,
                       help="FieldRoll: offline-first training register (server administration).")
    group(prog_name="fieldroll")


def _admin(call: Callable[[], T]) -> T:
    """Run an admin function; show its error as a plain message, not a traceback."""
    try:
        return call()
    except (admin.AdminError, ApiError, backup.BackupError) as err:
        raise click.ClickException(str(err)) from err


@click.group("user")
def user_group() -> None:
    """Add and list the people who use FieldRoll."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(list(admin.ROLES)), required=True,
              help="trainer: records courses; coordinator: sees an area; admin: everything.")
@click.option("--area", "area_code", default=None,
              help="Area code or id the user is scoped to (required for coordinators).")
@with_appcontext
def user_add(name: str, role: str, area_code: str | None) -> None:
    """Add a user NAME with a role and an area scope."""
    user = _admin(lambda: admin.add_user(name, role, area_code))
    click.echo(f"added {user.role} {user.name} ({user.id})")


@user_group.command("list")
@with_appcontext
def user_list() -> None:
    """List users, one a line, tab-separated: name, role, scope, assigned courses."""
    for line in admin.user_lines():
        click.echo("\t".join(line))


@click.group("device")
def device_group() -> None:
    """List enrolled devices and revoke a lost or stolen one."""


@device_group.command("list")
@with_appcontext
def device_list() -> None:
    """List devices, one a line, tab-separated: id, owner, last sync, app version, state."""
    for line in admin.device_lines():
        click.echo("\t".join(line))


@device_group.command("revoke")
@click.argument("device_id")
@with_appcontext
def device_revoke(device_id: str) -> None:
    """Revoke DEVICE_ID: it is refused from now on and told to wipe its local copy."""
    _admin(lambda: admin.revoke_device(device_id))
    click.echo(f"revoked {device_id}")


LINK_HELP = "also print the enrolment link for the app served at URL, and its QR code for a phone's camera"


@click.command("enroll-code")
@click.argument("user")
@click.option("--link", "app_url", metavar="URL", help=LINK_HELP)
@with_appcontext
def enroll_code(user: str, app_url: str | None) -> None:
    """Print a one-time device enrolment code for USER (name or id), alone on the last line."""
    code = _admin(lambda: admin.enrolment_code_for(user))
    days = current_app.config["ENROLMENT_CODE_TTL_S"] / 86400
    click.echo(f"one-time enrolment code for {user} (valid {days:g} days):", err=True)
    if app_url:
        link = admin.enrolment_link(app_url, code)
        click.echo(admin.qr_for_terminal(link), err=True)
        click.echo(link, err=True)
    click.echo(code)


@click.command("assign")
@click.argument("trainer")
@click.argument("course_id")
@with_appcontext
def assign(trainer: str, course_id: str) -> None:
    """Assign TRAINER (name or id) to train the course COURSE_ID."""
    _admin(lambda: admin.assign_trainer(trainer, course_id))
    click.echo(f"{trainer} now trains course {course_id}")


@click.command("demo")
@click.option("--link", "app_url", metavar="URL", help="also print each code's enrolment link for the app at URL")
@with_appcontext
def demo(app_url: str | None) -> None:
    """Load demo data (2 provinces, 4 communes, 6 courses, 120 trainees) and demo users.

    Safe to run twice: the demo's records have fixed ids and apply once.
    """
    for name, role, code in admin.load_demo():
        link = f"  {admin.enrolment_link(app_url, code)}" if app_url else ""
        click.echo(f"{role:<12}{name:<28}enrolment code: {code}{link}")


@click.command("import-outbox")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_outbox_file(file: Path) -> None:
    """Apply a trainer's saved outbox FILE as if their phone had synced; safe to run twice.

    Prints each rejected op with its reason, then the count of each ack status.
    """
    imported = _admin(lambda: import_outbox(file.read_bytes(), admin.SERVER_ADMIN))
    saved = datetime.fromtimestamp(imported.created_at_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")
    click.echo(f"file from device {imported.device_id} (app {imported.app_version or '?'}), saved {saved}")
    for ack in imported.acks:
        if ack.status == "rejected":
            click.echo(f"rejected {ack.op_id}: {ack.reason}")
    click.echo(", ".join(f"{count} {status}" for status, count in imported.counts().items()))


@click.command("audit")
@click.option("--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]), default=None,
              help="Only entries at or after this UTC date or time, e.g. 2026-12-01 or 2026-12-01T08:00.")
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True, help="At most this many entries.")
@with_appcontext
def audit(since: datetime | None, limit: int) -> None:
    """Print the audit log, newest first, tab-separated: time, action, actor, device, subject, target, details.

    Enrolments, revocations, passkeys, imports and downloads of personal data; changes to
    records are in the op log. Entries hold ids and counts, never names or phone numbers.
    """
    for entry in audit_api.entries(None, since.replace(tzinfo=UTC) if since else None, limit):
        click.echo("\t".join(audit_api.entry_line(entry)))


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Write the whole database to FILE (gzip'd JSON lines), as of one moment, while the server runs.

    The file restores into SQLite or PostgreSQL alike with `fieldroll restore`.
    """
    summary = _admin(lambda: backup.backup(file))
    click.echo(f"backed up {summary.rows} rows of {summary.tables} tables (schema {summary.revision}) to {file}")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file: Path) -> None:
    """Load a backup FILE into this database, which must be new and empty (`fieldroll init-db`).

    All or nothing: a damaged file, another schema revision or a database that already
    holds data is refused and nothing changes.
    """
    summary = _admin(lambda: backup.restore(file))
    click.echo(f"restored {summary.rows} rows of {summary.tables} tables (schema {summary.revision}) from {file}")


@click.command("serve")
@click.option("--port", default=None, help="Port to listen on (default: $PORT or 8000).")
def serve(port: str | None) -> None:
    """Serve FieldRoll under gunicorn with the shipped config/gunicorn.conf.py."""
    conf = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "config", "gunicorn.conf.py")
    if port:
        os.environ["PORT"] = port
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    os.execv(gunicorn, [gunicorn, "-c", conf, "server:create_app()"])


def init_app(app: Flask) -> None:
    for command in (user_group, device_group, enroll_code, assign, demo, import_outbox_file, audit,
                    backup_command, restore_command, serve):
        app.cli.add_command(command)
    app.cli.add_command(vapid)
