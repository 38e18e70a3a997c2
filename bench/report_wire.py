"""The wire-cost sections of bench/RESULTS.md: FieldRoll's own figures, side by side with PouchDB, and the cut."""

from __future__ import annotations

from bench.cut_resume import CutRow
from bench.peer_cost import DAY_SYNC, PeerResult, PeerRow
from bench.wire_cost import DAY, LINKS, SIDE_BY_SIDE, WireRow


def wire_section(rows: list[WireRow]) -> list[str]:
    lines = ["## Wire cost of a sync (FieldRoll)", "",
             "Real gunicorn (shipped `config/gunicorn.conf.py`) on a fresh SQLite file; a client that syncs like "
             "the PWA (ops named by the device's op key and sent compact, without the op and record ids the "
             "server works out (docs/protocol.md §5); chunks of at most 400 ops and 160 KB of JSON, request "
             "bodies gzipped from 1 KB, "
             "`Accept-Encoding: gzip`, `pull_limit` 500, repeated until the outbox is empty and `more` is false, "
             "one keep-alive connection per sync) through `bench/link_proxy.py`. The 2G link adds 300 ms each "
             "way, 50 kbit/s each way, and one round trip per new TCP connection. Bytes are HTTP bytes on the "
             "wire (headers and bodies as sent, compressed where compressed); TCP/IP overhead and TLS are not "
             "counted. Workloads come from `bench/workloads.py` with seed 1: a day is 40 trainees x 2 sessions of "
             "attendance + 40 x 12 skill checks = 560 ops; a week offline is 5 such days = 2,800 ops. \"Push 100 "
             "records\" is the first 100 taps of a day (each a different record), \"push 1,000\" the first 1,000 "
             "of a day on a 72-trainee course, and \"pull 1,000\" is a second phone of that trainer getting ready: "
             "those 1,000 records plus the rest of the trainer's scope (the course, its 10 sessions, 72 trainees "
             "and enrolments, and the areas, programs and checklists they refer to). Each push comes from a "
             "device that got ready first (not measured); its answer carries the records back with their "
             "revisions.", "",
             "\"Re-sent\" counts requests the client had to send again because gunicorn closed the idle "
             "keep-alive connection (`keepalive` in the shipped config) while the previous answer was still "
             "crossing the slow link; their bytes are included.", "",
             "| link | scenario | ops pushed | records pulled | HTTP requests | of which re-sent | bytes up | "
             "bytes down | wall |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {r.link} | {r.scenario} | {r.ops:,} | {r.pulled:,} | {r.requests} | {r.resent} | "
              f"{kb(r.bytes_up)} | {kb(r.bytes_down)} | {r.wall_s:.2f} s |" for r in rows]
    return [*lines, ""]


def side_by_side_section(wire: list[WireRow], peer: PeerResult) -> list[str]:
    if peer.error is not None:
        return ["## Side by side with CouchDB replication (PouchDB)", "",
                f"Not measured in this run: `{peer.error[:500]}`.", ""]
    v = peer.versions
    lines = ["## Side by side with CouchDB replication (PouchDB)", "",
             f"PouchDB {v['pouchdb']} (Node.js, in-memory adapter) replicating to pouchdb-server "
             f"{v['pouchdb-server']} (the full server from npm, run `--in-memory`; inside it PouchDB "
             f"{v['pouchdb-core in the server']}), installed by `npm ci` from "
             "`bench/peer/package-lock.json` into `bench/peer/node_modules` (ignored by git). "
             "`bench/peer/replicate.mjs` drives it; the same proxy and link as above count the wire. Each "
             "scenario moves the same records as FieldRoll's 2G run: one document per attendance or skill check "
             "(or course, session, trainee, enrolment for the pull), `_id` = FieldRoll's record id, the same "
             "fields plus `entity`; an edit changes the same field of the same 10 docs. Each scenario has its own "
             "database, made beforehand as an admin would (one per trainer, so no filtered replication); each "
             "replication opens new connections as a later sync on a phone would. PouchDB's defaults: "
             "`batch_size` 100, request bodies uncompressed; pouchdb-server gzips answers over 1 KB "
             "(`compression` middleware) as the client accepts gzip. Rows are \"FieldRoll / PouchDB\"; "
             "the ratio is PouchDB's figure over FieldRoll's.", ""]
    for link in LINKS:
        lines += [f"### {link}", "",
                  "| scenario | records | HTTP requests | bytes up | bytes down | wall |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        lines += [_pair_line(f, p) for f, p in _pairs(wire, peer.rows, link)]
        lines += [""]
    lines += _peer_requests(peer.rows)
    first, *others = LINKS
    lines += _summary(_pairs(wire, peer.rows, first), {link: _pairs(wire, peer.rows, link) for link in others})
    return lines


def cut_section(cuts: list[CutRow]) -> list[str]:
    lines = ["## A sync cut halfway, then resumed (2G)", "",
             "A trainer's day (560 records) pushed through the 2G proxy, which resets the connection once, when "
             "the byte halfway through what an uncut push of the same day moved in that direction (measured in "
             "this run, above) crosses it: mid-request cuts the upload, mid-response the download. A request "
             "reset before any answer is sent again at once on a new connection (by both clients, as browsers "
             "do); a lost answer fails the sync, and the client syncs again until done: FieldRoll re-sends the "
             "unacknowledged chunk (its ops are idempotent: ones already applied are acked `duplicate`); PouchDB "
             "restarts `replicate.to` from its last checkpoint and asks `_revs_diff` which docs the server still "
             "lacks. \"Extra\" is the cut sync plus "
             "its resume minus the uncut push (the two days differ only in their ids, so a few hundred bytes "
             "either way are noise). A phone notices a dead link by a timeout; here the reset is seen "
             "at once, so wall times leave that wait out.", "",
             "| system | cut | cut in request # | syncs | HTTP requests | bytes up | bytes down | wall | "
             "records sent | sent twice | of those, already applied | extra requests | extra up | extra down |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for c in cuts:
        applied = f"{c.already_applied:,}" if c.already_applied >= 0 else "not re-sent"
        lines.append(f"| {c.system} | {c.cut} at byte {c.cut_at_bytes:,} | {c.cut_in_request} | {c.syncs} | "
                     f"{c.requests} | {kb(c.bytes_up)} | {kb(c.bytes_down)} | {c.wall_s:.1f} s | "
                     f"{c.records_sent:,} | {c.records_sent - c.records:,} | {applied} | {c.extra_requests:+d} | "
                     f"{_signed_kb(c.extra_up)} | {_signed_kb(c.extra_down)} |")
    lines += ["", "For PouchDB, \"not re-sent\": docs whose `_bulk_docs` answer was lost are found on the server by "
              "`_revs_diff` on resume and not sent again, so only the docs of a cut upload are sent twice.", ""]
    lines += _cut_summary(cuts)
    return lines


def _cut_summary(cuts: list[CutRow]) -> list[str]:
    fieldroll = [c for c in cuts if c.system == "FieldRoll"]
    pouch = [c for c in cuts if c.system == "PouchDB"]
    if not fieldroll or not pouch:
        return []
    worst = max(fieldroll, key=lambda c: c.extra_up + c.extra_down)
    twice = worst.records_sent - worst.records
    theirs = "; ".join(f"cut {c.cut}, it sent {c.records_sent - c.records:,} docs twice and "
                       f"{kb(c.extra_up + c.extra_down)} more" for c in pouch)
    least_total = min(c.bytes_up + c.bytes_down for c in pouch) / max(c.bytes_up + c.bytes_down for c in fieldroll)
    return [f"**What the cut costs.** FieldRoll never loses progress before the cut chunk and never applies an op "
            f"twice, but it re-sends the whole chunk: at worst, cut {worst.cut}, {twice:,} ops and "
            f"{kb(worst.extra_up + worst.extra_down)} more than the uncut push. PouchDB checkpoints every "
            f"100 docs and asks `_revs_diff` again on resume: {theirs}. Yet a cut-and-resumed PouchDB day still moves "
            f"{least_total:.1f}x or more the bytes of FieldRoll's cut-and-resumed day. Smaller chunks on a slow "
            "link would shrink FieldRoll's loss in proportion, at the price of more round trips.", ""]


def _pairs(wire: list[WireRow], peer: list[PeerRow], link: str) -> list[tuple[WireRow, PeerRow]]:
    mine = {r.scenario: r for r in wire if r.link == link}
    theirs = {r.scenario: r for r in peer if r.link == link}
    pairs = [(mine[s], theirs[s]) for s in SIDE_BY_SIDE if s in mine and s in theirs]
    if DAY in mine and DAY_SYNC in theirs:
        pairs.insert(1, (mine[DAY], theirs[DAY_SYNC]))
    return pairs


def _pair_line(f: WireRow, p: PeerRow) -> str:
    records = f.ops or f.pulled
    shown = f"{records:,}" if records == p.records else f"{records:,} / {p.records:,}"
    c = p.run.counts
    return (f"| {p.scenario} | {shown} | {f.requests} / {c.requests} ({_ratio(c.requests, f.requests)}) | "
            f"{kb(f.bytes_up)} / {kb(c.bytes_up)} ({_ratio(c.bytes_up, f.bytes_up)}) | "
            f"{kb(f.bytes_down)} / {kb(c.bytes_down)} ({_ratio(c.bytes_down, f.bytes_down)}) | "
            f"{f.wall_s:.1f} s / {p.run.wall_s:.1f} s ({_ratio(p.run.wall_s, f.wall_s)}) |")


def _peer_requests(peer: list[PeerRow]) -> list[str]:
    """Where PouchDB's requests went on the first link: one column per scenario."""
    link = next(iter(LINKS))
    rows = [r for r in peer if r.link == link]
    endpoints = list(dict.fromkeys(k for r in rows for k in r.run.requests_by_endpoint))
    lines = [f"PouchDB's requests on {link}, by method and path under the database:", "",
             "| request | " + " | ".join(r.scenario for r in rows) + " |",
             "| --- |" + " ---: |" * len(rows)]
    lines += [f"| `{e}` | " + " | ".join(str(r.run.requests_by_endpoint.get(e, 0)) for r in rows) + " |"
              for e in endpoints]
    lines += ["| of all these, sent again after a reset (the server closed an idle keep-alive connection) | "
              + " | ".join(str(r.run.resent) for r in rows) + " |"]
    return [*lines, "", "A request reset before any answer is sent again once on a new connection, as browsers "
            "do and as FieldRoll's client does; the table above counts it once, the proxy's figures twice.", ""]


def _summary(pairs: list[tuple[WireRow, PeerRow]], others: dict[str, list[tuple[WireRow, PeerRow]]]) -> list[str]:
    """Who wins on each measure and by how much (from the 2G pairs), then why (from how the protocols work)."""
    if not pairs:
        return []
    walls = []
    for link, link_pairs in others.items():
        faster = [p.scenario for f, p in link_pairs if p.run.wall_s < f.wall_s]
        slower = [p.scenario for f, p in link_pairs if p.run.wall_s >= f.wall_s]
        walls.append(f"on {link}, where neither counts, PouchDB finishes sooner on {len(faster)} of "
                     f"{len(link_pairs)} scenarios" + (f" (not on: {'; '.join(slower)})" if slower else ""))
    measures = {"HTTP requests": [(p.run.counts.requests, f.requests) for f, p in pairs],
                "bytes up": [(p.run.counts.bytes_up, f.bytes_up) for f, p in pairs],
                "bytes down": [(p.run.counts.bytes_down, f.bytes_down) for f, p in pairs],
                "wall time": [(p.run.wall_s, f.wall_s) for f, p in pairs]}
    said = []
    for name, values in measures.items():
        ratios = [theirs / mine if mine else float("inf") for theirs, mine in values]
        losses = [pairs[i][1].scenario for i, r in enumerate(ratios) if r < 1]
        text = f"{name} {min(ratios):.1f}x to {max(ratios):.1f}x FieldRoll's"
        said.append(text + (f" (FieldRoll sends more on: {'; '.join(losses)})" if losses else ""))
    return ["**What the numbers say.** On the 2G link PouchDB needs, scenario by scenario: " + "; ".join(said) + ".",
            "",
            "- Requests: PouchDB replicates in batches of 100 docs, and each batch is four round trips: "
            "`_revs_diff` (which of these revisions does the server lack?), `_bulk_docs`, then a read and a write "
            "of the checkpoint (`_local`), after two `GET` of the database to start. A pull is `_changes`, "
            "`_bulk_get` and the checkpoint per batch. FieldRoll sends one `POST /api/v1/sync` per chunk of up to "
            "400 ops (160 KB of JSON), and that one request both pushes and pulls.",
            "- Bytes up: PouchDB's request bodies are uncompressed JSON, each doc's id and revision go up twice "
            "(in `_revs_diff`, then in `_bulk_docs` with its `_revisions`), and a pull uploads the id and "
            "revision of every doc it wants (`_bulk_get`). FieldRoll gzips each chunk, in which the same session, "
            "trainee and course ids recur, sends no id the server can work out (compact ops), and a pull uploads "
            "only its cursor.",
            "- Bytes down are closest on pushes: pouchdb-server gzips its answers too, and FieldRoll's answer "
            "acknowledges every op (without its id, by position, for compact ops) and also sends every pushed "
            "record back in full in `changes` (that is how the device learns each record's revision for a later "
            "edit's `base_rev`). Answering the pushing device with revisions only is where FieldRoll's push could "
            "still shrink.",
            "- Wall time on 2G follows round trips and bytes: every request costs at least a 600 ms round trip. "
            + _sentence("; ".join(walls)) + ". There the servers' own speed shows: pouchdb-server keeps "
            "everything in memory, while FieldRoll commits every chunk to SQLite, and FieldRoll's per-op server "
            "cost is the known throughput problem (see the throughput section); loopback walls also move with "
            "whatever else runs on the machine (load average above).", ""]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def kb(n: int) -> str:
    return f"{n / 1024:,.1f} KB"


def _signed_kb(n: int) -> str:
    shown = round(n / 1024, 1)
    return f"{'+' if shown >= 0 else '-'}{abs(shown):,.1f} KB"


def _ratio(theirs: float, mine: float) -> str:
    return f"{theirs / mine:.1f}x" if mine else "n/a"
