"""GET /: the app once it is built, else the status page; GET /status: the status page.

The status page shows that the server is up and loaded, so the URL the demo prints is
useful before anyone has built the PWA, and still reachable after.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, render_template_string
from flask.typing import ResponseReturnValue

from server import app_shell
from server.extensions import db
from server.models import Course, CourseSession, Device, Trainee

bp = Blueprint("home", __name__)

PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>FieldRoll</title>
<link rel="stylesheet" href="/status.css"></head><body>
<h1>FieldRoll</h1>
<p>Máy chủ đồng bộ đang chạy. <i>The sync server is running.</i></p>
<table>
<tr><td>Khoá học <i>Courses</i></td><td>{{ courses }}</td></tr>
<tr><td>Buổi học <i>Sessions</i></td><td>{{ sessions }}</td></tr>
<tr><td>Học viên <i>Trainees</i></td><td>{{ trainees }}</td></tr>
<tr><td>Thiết bị <i>Devices</i></td><td>{{ devices }}</td></tr>
</table>
{% if built %}<p><a href="/">Mở ứng dụng</a> · <i><a href="/">Open the app</a></i></p>
{% else %}<p>Ứng dụng chưa được build: chạy <code>npm run build --prefix pwa</code>.
<i>The app is not built yet: run <code>npm run build --prefix pwa</code>.</i></p>
{% endif %}<p>API: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> ·
docs/protocol.md</p>
</body></html>"""
# In a file of its own, not inline: the Content-Security-Policy allows only the server's own styles.
STYLE = """body{font:18px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
td{padding:.2rem 1rem .2rem 0}
"""


@bp.get("/")
def start() -> ResponseReturnValue:
    """Open the app when it is built; until then show the status page."""
    return app_shell.shell_file("index.html", app_shell.NO_CACHE) if app_shell.is_built() else status_page()


@bp.get("/status")
def status_page() -> ResponseReturnValue:
    """Show that the server is up, with how much it holds, and whether the app is built."""
    live = {name: db.session.query(model).filter_by(deleted=False).count()
            for name, model in (("courses", Course), ("sessions", CourseSession), ("trainees", Trainee))}
    return render_template_string(PAGE, devices=db.session.query(Device).count(), built=app_shell.is_built(),
                                  **live)


@bp.get("/status.css")
def status_style() -> ResponseReturnValue:
    """Serve the status page's style sheet."""
    return Response(STYLE, mimetype="text/css")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
