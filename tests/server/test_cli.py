"""The `fieldroll` command: every command documented, users, enrolment codes, demo data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from server.extensions import db
from server.models import Course, OpLog, Trainee

FIELDROLL = str(Path(sys.executable).parent / "fieldroll")
OUR_COMMANDS = ["init-db", "demo", "user", "device", "enroll-code", "assign", "import-outbox", "vapid", "serve",
                "audit", "backup", "restore"]


def run_cli(*args: str, database_url: str = "sqlite://") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FIELDROLL_DATABASE_URL": database_url}
    return subprocess.run([FIELDROLL, *args], capture_output=True, text=True, env=env, timeout=120)


def test_every_command_is_documented_by_its_help() -> None:
    top = run_cli("--help")
    assert top.returncode == 0
    for command in OUR_COMMANDS:
        assert command in top.stdout
        helped = run_cli(command, "--help")
        assert helped.returncode == 0, helped.stderr
        assert len(helped.stdout.split("\n\n")[1].strip()) > 10  # a real sentence, not a stub
    for group, sub in (("user", "add"), ("user", "list"), ("device", "list"), ("device", "revoke")):
        assert run_cli(group, sub, "--help").returncode == 0


@pytest.fixture
def cli_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert run_cli("init-db", database_url=url).returncode == 0
    return url


def test_demo_loads_the_promised_data_and_prints_working_codes(cli_db: str) -> None:
    first = run_cli("demo", database_url=cli_db)
    again = run_cli("demo", database_url=cli_db)
    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    assert first.stdout.count("enrolment code:") == 6
    from tests.server.conftest import app_for

    app = app_for(cli_db)
    with app.app_context():
        assert db.session.query(Course).count() == 6
        assert db.session.query(Trainee).count() == 120
        demo_ops = db.session.query(OpLog).count()
        assert demo_ops > 600  # ran twice, applied once
        db.engine.dispose()


def test_user_add_list_and_enrolment_code(cli_db: str) -> None:
    run_cli("demo", database_url=cli_db)
    added = run_cli("user", "add", "hoa.banho", "--role", "coordinator", "--area", "LCI-BANHO",
                    database_url=cli_db)
    assert added.returncode == 0, added.stderr
    lines = run_cli("user", "list", database_url=cli_db).stdout.strip().splitlines()
    rows = {line.split("\t")[0]: line.split("\t") for line in lines}
    assert rows["hoa.banho"] == ["hoa.banho", "coordinator", "LCI-BANHO", "-"]
    assert all(len(r) == 4 for r in rows.values())
    assert rows["tuan.trainer"][3] != "-"  # assigned courses, comma-separated
    code = run_cli("enroll-code", "hoa.banho", database_url=cli_db)
    assert code.returncode == 0
    last = code.stdout.strip().splitlines()[-1]
    assert len(last) == 11 and last[5] == "-"
    linked = run_cli("enroll-code", "hoa.banho", "--link", "https://fieldroll.example/", database_url=cli_db)
    linked_code = linked.stdout.strip()
    assert linked_code != last and len(linked_code) == 11
    assert f"https://fieldroll.example/#/enrol/{linked_code}" in linked.stderr
    assert "▄" in linked.stderr or "█" in linked.stderr  # the QR code, drawn for a camera


def test_bad_cli_input_says_what_to_do_and_changes_nothing(cli_db: str) -> None:
    no_area = run_cli("user", "add", "x", "--role", "coordinator", database_url=cli_db)
    assert no_area.returncode != 0 and "needs --area" in no_area.stderr
    unknown = run_cli("enroll-code", "nobody", database_url=cli_db)
    assert unknown.returncode != 0 and "no user 'nobody'" in unknown.stderr
    assert run_cli("user", "list", database_url=cli_db).stdout.strip() == ""


def test_assign_gives_a_trainer_a_course(app: Flask) -> None:
    from server import admin
    from tests.server.protocol_client import server_op

    with app.app_context():
        admin.apply_as_server([
            server_op("area", "00000000-0000-4000-8000-000000000001", code="C", name="Xã", kind="commune"),
            server_op("program", "00000000-0000-4000-8000-000000000002", name="P"),
        ])
        admin.apply_as_server([server_op("course", "00000000-0000-4000-8000-000000000003",
                                         program_id="00000000-0000-4000-8000-000000000002",
                                         commune_id="00000000-0000-4000-8000-000000000001",
                                         title="K", trainer_ids=[])])
        admin.add_user("t", "trainer", None)
    result = app.test_cli_runner().invoke(args=["assign", "t", "00000000-0000-4000-8000-000000000003"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        course = db.session.get(Course, "00000000-0000-4000-8000-000000000003")
        assert course is not None and len(course.trainer_ids or []) == 1
