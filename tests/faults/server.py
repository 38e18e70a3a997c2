"""The real server under gunicorn with the shipped config, which a test can kill with SIGKILL and start again."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"
START_TIMEOUT_S = 120  # gunicorn has taken 15 s and more to boot while test suites shared the 2 CPUs
STOP_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


class Gunicorn:
    """`gunicorn -c config/gunicorn.conf.py "server:create_app()"` on loopback, in a process group of its own."""

    def __init__(self, database_url: str, pwa_dist: Path, instance_dir: Path, workers: int = 2) -> None:
        self.database_url = database_url
        self.port = free_port()
        self.log_path = instance_dir / "gunicorn.log"
        self.env = {**os.environ, "FIELDROLL_DATABASE_URL": database_url, "FIELDROLL_BIND": f"{LOOPBACK}:{self.port}",
                    "FIELDROLL_PWA_DIST_DIR": str(pwa_dist), "FIELDROLL_INSTANCE_DIR": str(instance_dir),
                    "FIELDROLL_SECRET_KEY": "test", "WEB_CONCURRENCY": str(workers),
                    "FIELDROLL_LOG_LEVEL": "warning"}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        command = [gunicorn, "-c", "config/gunicorn.conf.py", "server:create_app()"]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=log,
                                         start_new_session=True)
        self._wait_until_serving()

    def kill(self) -> None:
        """SIGKILL the master and every worker at once, as a power cut or the OOM killer would."""
        if self.proc is None:
            return
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(STOP_TIMEOUT_S)
        self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()
        self.proc = None

    def _wait_until_serving(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_path.read_text()[-2000:]}")
            conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=5)
            try:
                conn.request("GET", "/manifest.webmanifest")
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
            finally:
                conn.close()
        raise RuntimeError("gunicorn did not start in time")
