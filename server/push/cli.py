"""`fieldroll vapid`: make the VAPID key pair browsers subscribe with."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from server.push.keys import make_key_file, new_key_pair, private_key_text, public_key_text


@click.command("vapid")
@click.option("--force", is_flag=True,
              help="replace the key in the instance folder: every phone must then subscribe again")
@click.option("--env", "as_env", is_flag=True,
              help="print a new pair as FIELDROLL_VAPID_* lines for the environment; write no file")
@with_appcontext
def vapid(force: bool, as_env: bool) -> None:
    """Make the VAPID key pair for push notifications; print the public key on the last line.

    The private key goes to the instance folder (FIELDROLL_VAPID_KEY_FILE), readable by its
    owner only. An existing key is kept, since changing it stops every subscription.
    """
    config = current_app.config
    if as_env:
        pair = new_key_pair()
        click.echo(f"FIELDROLL_VAPID_PRIVATE_KEY={private_key_text(pair)}")
        click.echo(f"FIELDROLL_VAPID_PUBLIC_KEY={public_key_text(pair)}")
        return
    if config.get("VAPID_PRIVATE_KEY"):
        click.echo("FIELDROLL_VAPID_PRIVATE_KEY is set: the server uses that key, not a file", err=True)
    if not config.get("VAPID_KEY_FILE"):
        raise click.ClickException("FIELDROLL_VAPID_KEY_FILE is empty: say where to keep the key, or use --env")
    path = Path(config["VAPID_KEY_FILE"])
    pair, made = make_key_file(path, force)
    click.echo(f"{'made a new' if made else 'kept the'} VAPID key in {path}; public key:", err=True)
    click.echo(public_key_text(pair))
