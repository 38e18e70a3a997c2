"""PWA budgets in Debian's headless Chromium: `.venv/bin/python -m bench.run --only pwa`.

Builds the PWA into a temporary folder (as `npm run build` does for a release), serves it from
the real server with the demo register plus a 40-trainee course, and measures: the app shell's
compressed bytes and what a first load transfers; an offline cold start to that course's roster
with 4x CPU throttling; and, through the PWA's own store modules, the time to save one
attendance tap and to pull and then read back 2,000 trainees. bench/run.py writes the figures
into bench/RESULTS.md. A benchmark: it never passes or fails anything.
"""

from __future__ import annotations

import gzip
import os
import platform
import re
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, CDPSession, Page, Playwright, ViewportSize, expect, sync_playwright

from bench import workloads
from server import admin, create_app
from server.database import init_db
from server.extensions import db
from tests.e2e.phone import PHONE_VIEWPORT, Phone
from tests.live_server import serving

VIEWPORT: ViewportSize = {"width": PHONE_VIEWPORT["width"], "height": PHONE_VIEWPORT["height"]}
ROOT = Path(__file__).resolve().parents[1]
PWA_DIR = ROOT / "pwa"
COMMAND = ".venv/bin/python -m bench.run --only pwa"
HEADING = "## PWA budgets"
CHROMIUM = os.environ.get("FIELDROLL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking"]
SHELL_BUDGET_BYTES = 150 * 1024
ROSTER_BUDGET_MS = 1000.0
THROTTLE = 4
ROSTER_SIZE = workloads.TRAINEES  # 40
COLD_STARTS = 5
RELAUNCHES = 3
TAPS = 200
BIG_COURSE = 2000
PULL_PAGE = 500  # the PWA's pull_limit: one settled reply per page
READS = 5
# The store modules the measurements call, bundled from pwa/src as the app bundles them.
STORE_ENTRY = """
export { openStore } from './src/store/db.js';
export { settleReply } from './src/store/outbox.js';
export { strictWrite } from './src/store/db.js';
export { setMeta } from './src/store/meta.js';
export { markAttendance } from './src/ui/actions.js';
export { enrolledTrainees } from './src/ui/roster-data.js';
export { listRecords } from './src/store/queries.js';
export { derivedId, newId } from './src/sync/ids.js';
export { tick } from './src/sync/hlc.js';
"""
# Installed before any page script: notes when the roster's 40th row is in the DOM, then the next frame.
ROSTER_WATCH = """
(() => {
  const need = NEED;
  const observer = new MutationObserver(() => {
    if (window.__rosterShown || document.querySelectorAll('[data-testid="roster-row"]').length < need) return;
    window.__rosterShown = { dom: performance.now() };
    observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => { window.__rosterShown.frame = performance.now(); }, 0));
  });
  observer.observe(document, { childList: true, subtree: true });
})();
""".replace("NEED", str(ROSTER_SIZE))
CONTROLLED = "() => navigator.serviceWorker.controller !== null"  # the app is stored and serves itself
BUSY_LOOP = """() => {
  const t0 = performance.now();
  let x = 0;
  for (let i = 0; i < 5e6; i++) x += Math.sqrt(i);
  return [performance.now() - t0, x];
}"""


@dataclass(frozen=True)
class FirstLoad:
    """What a first visit transferred (headers and bodies as sent), by who asked: the page, then the service worker."""

    page: list[tuple[str, int]]  # path, bytes (CDP encodedDataLength), one per request
    worker: list[tuple[str, int]]  # the same for the precache the service worker fetched on install
    precached_files: int

    @property
    def total(self) -> int:
        return sum(n for _, n in self.page + self.worker)


@dataclass(frozen=True)
class ColdStart:
    """One offline cold start to the roster; times in ms from navigation start (performance.timeOrigin)."""

    shown_ms: float  # the 40th roster row in the DOM
    frame_ms: float  # the frame after it
    html_ms: float  # index.html answered (by the service worker)
    dom_ready_ms: float  # DOMContentLoaded ended
    from_worker: bool
    busy_loop_ms: float  # a fixed busy loop run in the page afterwards


@dataclass(frozen=True)
class StoreFigures:
    """The PWA's store code at one CPU throttling rate; times in ms."""

    rate: int
    taps_ms: list[float]
    pull_pages_ms: list[float]
    course_reads_ms: list[float]
    sorts_ms: list[float]
    all_trainees_reads_ms: list[float]
    busy_loop_ms: float


@dataclass
class PwaBudgets:
    """Everything one run measured: what `section` and `targets` turn into Markdown."""

    build_shell_kb: float
    shell_files: dict[str, int]  # file: gzip -9 bytes
    first_load: FirstLoad
    server_sent: list[tuple[str, int]]  # body bytes per request during the first load, as the server sent them
    cold: list[ColdStart]
    cold_unthrottled: list[ColdStart]
    cold_relaunched: list[ColdStart]
    store: list[StoreFigures]
    chromium: str
    started: datetime
    wall_s: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)  # load average (1 min) when the run started and ended

    @property
    def shell_bytes(self) -> int:
        return sum(self.shell_files.values())


def run() -> PwaBudgets:
    """Build, serve and measure; about two minutes on two shared cores."""
    started, load_before, t0 = datetime.now(UTC), os.getloadavg()[0], time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fieldroll-pwa-bench-") as tmp_dir:
        tmp = Path(tmp_dir)
        dist = tmp / "dist"
        build_kb = build_pwa(dist)
        shell = shell_files(dist)
        store_js = bundle_store(tmp)
        with register(tmp, dist) as (url, code, trainer, counter), sync_playwright() as pw:
            profile = tmp / "profile"
            context = _launch(pw, profile)
            try:
                chromium = context.browser.version if context.browser else _chromium_version()
                first, phone = first_load(context, url, trainer)
                server_sent = list(counter.sent)
                roster_url = ready_at_roster(phone, code)
                phone.go_offline()
                cold_unthrottled = [cold_start(context, roster_url, 1) for _ in range(2)]
                cold = [cold_start(context, roster_url, THROTTLE) for _ in range(COLD_STARTS)]
                store = [store_figures(context, url, store_js, rate) for rate in (1, THROTTLE)]
            finally:
                context.close()
            relaunched = [relaunched_cold_start(pw, profile, roster_url) for _ in range(RELAUNCHES)]
    result = PwaBudgets(build_kb, shell, first, server_sent, cold, cold_unthrottled, relaunched, store, chromium,
                        started)
    result.wall_s = time.perf_counter() - t0
    result.load = (load_before, os.getloadavg()[0])
    return result


def _launch(pw: Playwright, profile: Path) -> BrowserContext:
    """Chromium on a profile on disk (the app's caches and IndexedDB as a phone keeps them), dressed as the phone."""
    context = pw.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport=VIEWPORT,
        timezone_id="Asia/Ho_Chi_Minh", locale="vi-VN", service_workers="allow")
    context.add_init_script(ROSTER_WATCH)
    return context


def build_pwa(out: Path) -> float:
    """Build into `out` and return the build's own "app shell N KB gzip" figure."""
    env = {**os.environ, "FIELDROLL_PWA_OUT": str(out), "FIELDROLL_APP_VERSION": "bench"}
    done = subprocess.run(["npm", "run", "build", "--silent"], cwd=PWA_DIR, env=env, check=True,
                          capture_output=True, text=True, timeout=180)
    found = re.search(r"app shell ([\d.]+) KB gzip", done.stdout)
    if found is None:
        raise RuntimeError(f"the build did not report its app shell: {done.stdout[-500:]}")
    return float(found.group(1))


def shell_files(dist: Path) -> dict[str, int]:
    """The app shell as the build defines it, measured again: gzip -9 bytes of each file.

    The page, the service worker, the manifest, the stylesheet and the app bundle with the
    chunks it imports statically (not those loaded by import(), which load only when used).
    """
    html = (dist / "index.html").read_text()
    names = ["index.html", "sw.js", "manifest.webmanifest", *re.findall(r'"/(assets/[^"]+\.css)"', html)]
    stack = re.findall(r'"/(assets/[^"]+\.js)"', html)
    while stack:
        name = stack.pop()
        if name in names:
            continue
        names.append(name)
        text = (dist / name).read_text()
        stack += [f"assets/{n}" for n in re.findall(r'(?:from|import)\s*"\./([^"]+\.js)"', text)]
    return {name: len(gzip.compress((dist / name).read_bytes(), compresslevel=9, mtime=0)) for name in names}


def bundle_store(tmp: Path) -> str:
    """Bundle the PWA's own store modules with the PWA's esbuild, to call them from a page."""
    out = tmp / "store-bench.js"
    subprocess.run([str(PWA_DIR / "node_modules" / ".bin" / "esbuild"), "--bundle", "--format=iife",
                    "--global-name=FieldRollStore", "--target=chrome100", "--log-level=warning",
                    f"--outfile={out}"], cwd=PWA_DIR, input=STORE_ENTRY, text=True, check=True, timeout=60)
    return out.read_text()


class BodyCounter:
    """WSGI middleware: the body bytes the server sent, per request path, as a check on the browser's count."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.sent: list[tuple[str, int]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        body = self.app(environ, start_response)
        path = environ.get("PATH_INFO", "")
        sent = 0
        try:
            for chunk in body:
                sent += len(chunk)
                yield chunk
        finally:
            self.sent.append((path, sent))
            getattr(body, "close", lambda: None)()


@contextmanager
def register(tmp: Path, dist: Path) -> Iterator[tuple[str, str, str, BodyCounter]]:
    """The real server on a SQLite file with the demo register and a 40-trainee course.

    Yields its URL, an enrolment code and the trainer's name, and what counts the bytes it sends.
    """
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'fieldroll.sqlite'}", "PWA_DIST_DIR": str(dist)})
    trainer = "pwa.trainer"
    with app.app_context():
        init_db()
        admin.load_demo()
        workloads.seed_course("pwa", trainer, int(time.time() * 1000), trainees=ROSTER_SIZE)
        code = admin.enrolment_code_for(trainer)
    counter = BodyCounter(app.wsgi_app)
    app.wsgi_app = counter  # type: ignore[method-assign]
    try:
        with serving(app) as url:
            yield url, code, trainer, counter
    finally:
        with app.app_context():
            db.engine.dispose()


def first_load(context: BrowserContext, url: str, trainer: str) -> tuple[FirstLoad, Phone]:
    """Open the app once on a fresh profile; count what crossed the wire until the app is stored."""
    page = context.pages[0] if context.pages else context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    urls: dict[str, str] = {}
    page_bytes: dict[str, int] = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: page_bytes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
    worker_requests: list[Any] = []
    context.on("requestfinished", lambda r: worker_requests.append(r) if r.service_worker else None)
    page.goto(url)
    page.wait_for_function(CONTROLLED, timeout=60_000)
    precached = page.evaluate("""async () => {
      let n = 0;
      for (const name of await caches.keys()) n += (await (await caches.open(name)).keys()).length;
      return n;
    }""")
    page.wait_for_load_state("networkidle")
    cdp.detach()
    by_page = [(_path(urls.get(rid, rid), url), size) for rid, size in page_bytes.items()]
    by_worker = [(_path(r.url, url), _transferred(r)) for r in worker_requests]
    return FirstLoad(by_page, by_worker, precached), Phone(context, page, url, trainer)


def _path(full: str, base: str) -> str:
    return full.removeprefix(base) or "/"


def _transferred(request: Any) -> int:
    sizes = request.sizes()
    return int(sizes["responseHeadersSize"]) + int(sizes["responseBodySize"])


def ready_at_roster(phone: Phone, code: str) -> str:
    """Enrol, get ready for offline, open today's first session; return the roster's URL."""
    phone.enrol(code)
    # As Phone.get_ready does, with the wait as a function: the app's Content-Security-Policy forbids eval.
    phone.page.get_by_test_id("get-ready").click()
    expect(phone.page.get_by_test_id("ready-card")).to_have_attribute("data-ready", "true", timeout=30_000)
    phone.page.wait_for_function(CONTROLLED, timeout=30_000)
    phone.open_first_session_today()
    rows = phone.page.get_by_test_id("roster-row")
    rows.nth(ROSTER_SIZE - 1).wait_for()
    if rows.count() != ROSTER_SIZE:
        raise RuntimeError(f"the roster shows {rows.count()} trainees, not {ROSTER_SIZE}")
    return phone.page.url


def cold_start(context: BrowserContext, roster_url: str, rate: int) -> ColdStart:
    """Close every page, then open the roster in a new one (the app from its icon), offline."""
    for page in list(context.pages):
        page.close()
    page = context.new_page()
    cdp = _throttled(context, page, rate)
    page.goto(roster_url, wait_until="commit")
    page.wait_for_function("() => window.__rosterShown && window.__rosterShown.frame !== undefined", timeout=60_000)
    shown = page.evaluate("""async () => {
      const nav = performance.getEntriesByType('navigation')[0];
      return { ...window.__rosterShown, html: nav.responseEnd, ready: nav.domContentLoadedEventEnd,
               worker: navigator.serviceWorker.controller !== null,
               offline: await fetch('/api/v1/sync', { cache: 'no-store' }).then(() => false, () => true) };
    }""")
    busy = page.evaluate(BUSY_LOOP)[0]  # shows the throttling held across the navigation
    cdp.detach()
    if not shown["offline"]:
        raise RuntimeError(f"the cold start was meant to be offline: {shown}")
    return ColdStart(shown["dom"], shown["frame"], shown["html"], shown["ready"], shown["worker"], busy)


def relaunched_cold_start(pw: Playwright, profile: Path, roster_url: str) -> ColdStart:
    """Start the browser again on the phone's profile, offline, and open the roster with CPU throttling."""
    context = _launch(pw, profile)
    try:
        context.set_offline(True)
        return cold_start(context, roster_url, THROTTLE)
    finally:
        context.close()


def _throttled(context: BrowserContext, page: Page, rate: int) -> CDPSession:
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
    return cdp


def store_figures(context: BrowserContext, url: str, store_js: str, rate: int) -> StoreFigures:
    """Taps and a 2,000-trainee pull and read through the PWA's store code, on fresh databases."""
    for page in list(context.pages):
        page.close()
    page = context.new_page()
    page.goto(url)
    cdp = _throttled(context, page, rate)
    page.evaluate(f"() => {{ {store_js}; window.FieldRollStore = FieldRollStore; }}")
    busy = page.evaluate(BUSY_LOOP)[0]
    page.evaluate(FRESH_PHONE_SCRIPT)
    taps = page.evaluate(TAP_SCRIPT, {"taps": TAPS, "db": f"fieldroll-bench-taps-{rate}"})
    big = page.evaluate(PULL_SCRIPT, {"trainees": BIG_COURSE, "page": PULL_PAGE, "reads": READS,
                                      "db": f"fieldroll-bench-pull-{rate}"})
    cdp.detach()
    page.close()
    return StoreFigures(rate, taps, big["pages"], big["course"], big["sort"], big["all"], busy)


# A fresh, enrolled phone database for one measurement, defined once on the page.
FRESH_PHONE_SCRIPT = """() => {
  const S = window.FieldRollStore;
  S.freshPhone = async (name) => {
    await new Promise((done) => { const r = indexedDB.deleteDatabase(name); r.onsuccess = r.onerror = done; });
    const db = await S.openStore(name);
    const node = S.newId();
    const tx = S.strictWrite(db, ['meta']);
    await S.setMeta(tx, 'enrolment', { device_id: node, token: 'bench', user: { id: S.newId(), role: 'trainer' } });
    await tx.done;
    return { db, node };
  };
}"""

TAP_SCRIPT = """async ({ taps, db: name }) => {
  const S = window.FieldRollStore;
  const { db } = await S.freshPhone(name);
  // What the roster's buttons call, with the screen refresh and the sync nudge left out.
  const services = { db, changed() {}, scheduler: { afterTap() {} } };
  const sessionId = S.newId();
  const statuses = ['present', 'late', 'absent', 'excused'];
  const times = [];
  for (let i = 0; i < taps; i++) {
    const t0 = performance.now();
    await S.markAttendance(services, sessionId, S.newId(), statuses[i % 4]);
    times.push(performance.now() - t0);
  }
  db.close();
  await new Promise((done) => { const r = indexedDB.deleteDatabase(name); r.onsuccess = r.onerror = done; });
  return times;
}"""

PULL_SCRIPT = """async ({ trainees, page, reads, db: name }) => {
  const S = window.FieldRollStore;
  const { db, node } = await S.freshPhone(name);
  const surnames = ['Giàng', 'Sùng', 'Thào', 'Vàng', 'Lò', 'Cầm', 'Quàng', 'Tẩn', 'Triệu', 'Hoàng', 'Nông', 'Nguyễn'];
  const middles = ['A', 'Thị', 'Văn', 'Láo', 'Thị Tả', 'Đức'];
  const givens = ['Páo', 'Chứ', 'Mai', 'Mỷ', 'Tiến', 'Ơn', 'Hương', 'Ánh', 'Lở', 'Phù', 'Quang', 'Thu', 'Hùng', 'Lan'];
  const courseId = S.newId();
  const communeId = S.newId();
  const hlc = S.tick(null, Date.now() - 60000, 'server');
  const changes = [];
  for (let i = 0; i < trainees; i++) {
    const id = S.newId();
    const fields = { full_name: `${surnames[i % 12]} ${middles[(i >> 2) % 6]} ${givens[(i * 7) % 14]}`,
      commune_id: communeId, gender: i % 3 ? 'female' : 'male', birth_year: 1960 + (i % 46),
      ethnicity: "H'Mông", village: 'Thôn Bản Dền', consent: true };
    changes.push({ entity: 'trainee', id, rev: 1, hlc, deleted: false, fields });
    const enrol = { course_id: courseId, trainee_id: id };
    const enrolId = S.derivedId('enrollment', enrol);
    changes.push({ entity: 'enrollment', id: enrolId, rev: 1, hlc, deleted: false, fields: enrol });
  }
  const pages = [];
  for (let i = 0; i < changes.length; i += page) {
    const reply = { acks: [], changes: changes.slice(i, i + page), cursor: `bench-${i}`, server_hlc: hlc };
    const t0 = performance.now();
    await S.settleReply(db, node, [], reply, Date.now());
    pages.push(performance.now() - t0);
  }
  const course = [];
  const sort = [];
  const all = [];
  for (let i = 0; i < reads; i++) {
    let t0 = performance.now();
    const shown = await S.enrolledTrainees(db, courseId);
    course.push(performance.now() - t0);
    if (shown.length !== trainees) throw new Error(`read ${shown.length} trainees back, not ${trainees}`);
    // The share of the read that is the by-name sort enrolledTrainees ends with, on rows out of order.
    const mixed = shown.slice().sort((a, b) => (a.id < b.id ? -1 : 1));
    t0 = performance.now();
    mixed.sort((a, b) => a.fields.full_name.localeCompare(b.fields.full_name, 'vi'));
    sort.push(performance.now() - t0);
    t0 = performance.now();
    await S.listRecords(db, 'trainee');
    all.push(performance.now() - t0);
  }
  db.close();
  await new Promise((done) => { const r = indexedDB.deleteDatabase(name); r.onsuccess = r.onerror = done; });
  return { pages, course, sort, all };
}"""


def _chromium_version() -> str:
    done = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip() or "unknown"


def section(result: PwaBudgets) -> list[str]:
    """The "## PWA budgets" section of RESULTS.md, as lines."""
    lines = [HEADING, "",
             f"Measured on {result.started:%Y-%m-%d %H:%M} UTC in {result.wall_s:.0f} s by `{COMMAND}` (rerun it alone "
             "from the repository root; it rewrites only this section). " + _machine_line(result), "",
             "| budget | measured | target | met? |", "| --- | --- | --- | --- |", *_budget_rows(result), ""]
    lines += _shell_lines(result)
    lines += _cold_lines(result)
    lines += _store_lines(result)
    return lines


def targets(result: PwaBudgets) -> list[str]:
    """Rows for the DESIGN §7 targets table: | target | measured | met? |."""
    shown = [c.shown_ms for c in result.cold]
    return [f"| app shell < {SHELL_BUDGET_BYTES // 1024} KB | {_kb(result.shell_bytes)} gzip | "
            f"{_shell_verdict(result)} |",
            f"| offline roster < 1 s (40 trainees, 4x CPU throttling) | median {_ms(statistics.median(shown))}, "
            f"worst {_ms(max(shown))} | {_roster_verdict(shown)} |"]


def _budget_rows(r: PwaBudgets) -> list[str]:
    shown, again = [c.shown_ms for c in r.cold], [c.shown_ms for c in r.cold_relaunched]
    return [f"| app shell, compressed (gzip -9) | {_kb(r.shell_bytes)} ({len(r.shell_files)} files; the build says "
            f"{r.build_shell_kb:.1f} KB) | < {SHELL_BUDGET_BYTES // 1024} KB | {_shell_verdict(r)} |",
            f"| offline cold start to a rendered {ROSTER_SIZE}-trainee roster, {THROTTLE}x CPU throttling "
            f"({len(shown)} runs) | median {_ms(statistics.median(shown))}, worst {_ms(max(shown))} | "
            f"< {_ms(ROSTER_BUDGET_MS)} | {_roster_verdict(shown)} |",
            f"| the same with Chromium itself started again, offline ({len(again)} runs) | median "
            f"{_ms(statistics.median(again))}, worst {_ms(max(again))} | < {_ms(ROSTER_BUDGET_MS)} | "
            f"{_roster_verdict(again)} |",
            f"| a first visit, everything it downloads (page and precache) | {_kb(r.first_load.total)} counted by "
            f"Chromium (headers included); {_kb(sum(n for _, n in r.server_sent))} of bodies sent by the server | "
            "none set | |"]


def _shell_verdict(r: PwaBudgets) -> str:
    if r.shell_bytes < SHELL_BUDGET_BYTES:
        return f"yes ({_kb(SHELL_BUDGET_BYTES - r.shell_bytes)} to spare)"
    return f"no: {_kb(r.shell_bytes - SHELL_BUDGET_BYTES)} over"


def _roster_verdict(shown: list[float]) -> str:
    median, worst = statistics.median(shown), max(shown)
    if worst < ROSTER_BUDGET_MS:
        return "yes, every run"
    if median < ROSTER_BUDGET_MS:
        return f"median yes; worst no: {_ms(worst - ROSTER_BUDGET_MS)} over"
    return f"no: the median is {_ms(median - ROSTER_BUDGET_MS)} over ({median / ROSTER_BUDGET_MS:.1f}x the budget)"


def _machine_line(r: PwaBudgets) -> str:
    cores = len(os.sched_getaffinity(0))
    line = (f"Chromium {r.chromium} (Debian, headless) through Playwright, on {_cpu_model()}, "
            f"{os.cpu_count()} cores (`nproc`: {cores}), {platform.platform()}. "
            f"Load average (1 min) {r.load[0]:.1f} when it started and {r.load[1]:.1f} when it ended")
    if max(r.load) <= cores * 0.75:
        return line + "."
    line += (": other work was sharing the cores, so the times below are slower, and more spread out, than on an "
             "idle machine (the busy-loop figures show by how much).")
    if max(r.load) > cores:
        line += (f" With more runnable work than cores, the verdicts on times say more about the machine than about "
                 f"the app: rerun `{COMMAND}` on an idle machine before acting on them.")
    return line


def _shell_lines(r: PwaBudgets) -> list[str]:
    fl = r.first_load
    page_total, worker_total = sum(n for _, n in fl.page), sum(n for _, n in fl.worker)
    lines = ["### App shell", "",
             f"The build (`npm run build`, into a temporary folder) reports \"app shell {r.build_shell_kb:.1f} KB "
             "gzip\": the page, the service worker, the manifest, the stylesheet and the app bundle with the chunks "
             "it imports statically. Measured again from the built files (static imports followed from "
             "`index.html`):", "", "| file | gzip -9 |", "| --- | ---: |"]
    lines += [f"| `{name}` | {_kb(size)} |" for name, size in r.shell_files.items()]
    lines += [f"| **app shell** | **{_kb(r.shell_bytes)}** |", "",
              f"A first visit on a fresh profile, counted with CDP (`Network.loadingFinished` encodedDataLength, "
              f"headers included) for the page and with Playwright's network events (from CDP on the worker) for "
              f"the service worker: the page's own {len(fl.page)} requests moved {_kb(page_total)}; the service "
              f"worker then fetched {len(fl.worker)} files for its precache ({fl.precached_files} entries stored), "
              f"{_kb(worker_total)}; {_kb(fl.total)} in all. The service worker's fetches:", "",
              "| path | bytes |", "| --- | ---: |"]
    lines += [f"| `{path}` | {size:,} |" for path, size in sorted(fl.worker, key=lambda x: -x[1])]
    lines += ["", "Files with a revision in the precache list (the page, the manifest, the icons) are fetched again "
              "with `cache: 'reload'`; hashed bundles the page already loaded come from the HTTP cache (0 bytes); "
              "chunks loaded only on use (the QR decoder, the WebAuthn glue) are fetched by the worker alone. The "
              "page's own requests: " + ", ".join(f"`{path}` {size:,}" for path, size in fl.page) + " bytes.", "",
              f"The server's own count over the same first visit (bodies only, as sent, without headers): "
              f"{len(r.server_sent)} answers, {_kb(sum(n for _, n in r.server_sent))}. For the service worker "
              f"script, `/sw.js`, the server sent {_sent(r.server_sent, '/sw.js'):,} bytes of body while Chromium "
              f"counted {_sent(fl.page + fl.worker, '/sw.js'):,} bytes, its headers: the worker script's own "
              "download is missing from the browser's count, so the server's count is the one to read for what a "
              "first visit costs.", ""]
    return lines


def _cold_lines(r: PwaBudgets) -> list[str]:
    lines = ["### Offline cold start to the roster", "",
             f"The phone (a persistent profile on disk, 360x740) enrols, gets ready for offline and opens today's "
             f"session of a course with {ROSTER_SIZE} enrolled trainees (made by `bench/workloads.py`). Then the "
             "context goes offline, every page is closed, and a new page opens the roster's URL: the service "
             f"worker answers it from its precache and the roster reads IndexedDB. CPU throttling "
             "(`Emulation.setCPUThrottlingRate`) is set on the new page before it navigates; it slows the page's "
             "main thread only, not the service worker or IndexedDB's own threads. Times are `performance.now()` "
             f"in the page, from navigation start: a MutationObserver installed before any script notes the "
             f"{ROSTER_SIZE}th roster row in the DOM, then the frame after it. In the runs marked \"page\" the browser "
             "stays up (its service worker may still be running), as when the app is closed and opened again from "
             "its icon; in those marked \"browser\" Chromium itself is started again on the same profile, offline, "
             "as after the phone killed it (the service worker and IndexedDB start from disk). The last column is a "
             "fixed busy loop run in the page once the roster is up: it shows the throttling held across the "
             "navigation.", "",
             "| CPU | started again | run | `index.html` answered | DOMContentLoaded | 40th row in the DOM | "
             "next frame | busy loop afterwards |", "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    groups = ((f"{THROTTLE}x", "page", r.cold), ("1x", "page", r.cold_unthrottled),
              (f"{THROTTLE}x", "browser", r.cold_relaunched))
    for cpu, what, runs in groups:
        lines += [f"| {cpu} | {what} | {n} | {_ms(c.html_ms)} | {_ms(c.dom_ready_ms)} | {_ms(c.shown_ms)} | "
                  f"{_ms(c.frame_ms)} | {_ms(c.busy_loop_ms)} |" for n, c in enumerate(runs, 1)]
    lines += [""]
    for cpu, what, runs in groups:
        shown = [c.shown_ms for c in runs]
        lines += [f"- {cpu} CPU, {what} started again: median {_ms(statistics.median(shown))}, best {_ms(min(shown))}, "
                  f"worst {_ms(max(shown))} to the 40th row."]
    slow = r.cold
    ready = statistics.median(c.dom_ready_ms for c in slow)
    rest = statistics.median(c.shown_ms - c.dom_ready_ms for c in slow)
    lines += [f"- Where the time goes at {THROTTLE}x (page started again, medians): {_ms(ready)} until "
              "DOMContentLoaded (the module scripts, from the precache, parsed and run on the throttled main "
              f"thread), then {_ms(rest)} until the {ROSTER_SIZE}th row (opening IndexedDB, the home frame's reads, "
              "the roster's reads: the session, the course, the enrolments and one `get` per trainee, then the "
              "render)."]
    everyone = r.cold + r.cold_unthrottled + r.cold_relaunched
    lines += ["- " + ("Every run was answered by the service worker (the page was under its control)."
                      if all(c.from_worker for c in everyone) else
                      "Some runs were NOT under the service worker's control: the figures above are not cold starts "
                      "from the app's precache."), ""]
    return lines


def _store_lines(r: PwaBudgets) -> list[str]:
    by = {s.rate: s for s in r.store}
    rates = sorted(by)
    head = " | ".join("no throttling" if rate == 1 else f"{rate}x CPU throttling" for rate in rates)
    lines = ["### IndexedDB through the PWA's own code", "",
             "The store modules (`src/store/*`, `src/ui/actions.js`, `src/ui/roster-data.js`) are bundled from "
             "`pwa/src` with the PWA's esbuild and called in a page of the app, on fresh databases on disk "
             "(transactions as the app makes them: `durability: 'strict'`). A tap is `markAttendance` as the roster's "
             f"buttons call it (one strict transaction: the op into the outbox and the view), {TAPS} taps in a row, "
             f"each a different trainee. The pull is {BIG_COURSE:,} trainees and their {BIG_COURSE:,} enrolments "
             f"in one course, written by `settleReply` as replies of {PULL_PAGE} changes (the PWA's `pull_limit`). "
             f"The read is `enrolledTrainees` (what the course and roster screens call: the enrolments, each "
             f"trainee, sorted by name), {READS} times.", "",
             f"| | {head} |", "| --- |" + " ---: |" * len(rates)]
    rows: list[tuple[str, Callable[[StoreFigures], str]]] = [
        ("save one tap, p50", lambda s: _ms(_pct(s.taps_ms, 50), 1)),
        ("save one tap, p95", lambda s: _ms(_pct(s.taps_ms, 95), 1)),
        ("save one tap, worst", lambda s: _ms(max(s.taps_ms), 1)),
        (f"pull {BIG_COURSE:,} trainees + enrolments: all replies", lambda s: _ms(sum(s.pull_pages_ms))),
        (f"pull: one reply of {PULL_PAGE} changes, median", lambda s: _ms(statistics.median(s.pull_pages_ms))),
        (f"load {BIG_COURSE:,} trainees as the course screen does, median",
         lambda s: _ms(statistics.median(s.course_reads_ms))),
        ("the same, worst", lambda s: _ms(max(s.course_reads_ms))),
        ("of which the by-name sort (`localeCompare(…, 'vi')`), median", lambda s: _ms(statistics.median(s.sorts_ms))),
        (f"all {BIG_COURSE:,} trainees in one `getAll` (`listRecords`), median",
         lambda s: _ms(statistics.median(s.all_trainees_reads_ms))),
        ("a fixed busy loop (shows the throttling)", lambda s: _ms(s.busy_loop_ms)),
    ]
    lines += [f"| {name} | " + " | ".join(fn(by[rate]) for rate in rates) + " |" for name, fn in rows]
    lines += [""]
    return lines


def _sent(rows: list[tuple[str, int]], path: str) -> int:
    return sum(n for p, n in rows if p == path)


def _pct(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _kb(n: float) -> str:
    return f"{n / 1024:,.1f} KB"


def _ms(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f} ms"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
