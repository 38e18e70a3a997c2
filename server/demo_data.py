"""Demo data: a realistic register for two mountain provinces, as wire ops.

Pure and deterministic: no Flask, no database, no I/O. `build_demo` returns upsert ops
in dependency order that pass `sync.ops.parse_op`, so the CLI (`fieldroll demo`) can feed
them through the normal apply path. Record ids and op ids are name-based (uuid5 in the
protocol namespace), so a second run produces the same ids and is a no-op on the server.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sync.hlc import Hlc, tick
from sync.ids import NAMESPACE, derived_id

NODE = "demo"
LOCAL_TZ = timezone(timedelta(hours=7))  # Vietnam, UTC+7
DAY_MS = 24 * 3600 * 1000
HLC_LEAD_MS = 3 * DAY_MS  # demo ops are stamped as if made a few days ago
TRAINEES_PER_COURSE = 20

# code: (name, settlement word, communes); commune code: (name, villages, ethnic weights, cooperatives)
PROVINCES = {
    "LCI": ("Lào Cai", "thôn", ("LCI-BANHO", "LCI-TAVAN")),
    "SLA": ("Sơn La", "bản", ("SLA-MUONGLAN", "SLA-CHIENGSON")),
}
COMMUNES: dict[str, tuple[str, tuple[str, ...], dict[str, int], tuple[str, ...]]] = {
    "LCI-BANHO": ("Bản Hồ", ("Bản Dền", "Tả Trung Hồ", "Hoàng Liên"),
                  {"Tày": 4, "Dao": 3, "H'Mông": 3, "Kinh": 1},
                  ("HTX Nông sản Bản Hồ", "HTX Dịch vụ homestay Bản Dền")),
    "LCI-TAVAN": ("Tả Van", ("Tả Van Dáy", "Giàng Tả Chải", "Séo Mý Tỷ"),
                  {"H'Mông": 6, "Dao": 3, "Kinh": 1},
                  ("HTX Thổ cẩm Tả Van", "HTX Du lịch cộng đồng Tả Van")),
    "SLA-MUONGLAN": ("Mường Lạn", ("Nà Khi", "Huổi Hịa", "Pá Sập"),
                     {"Thái": 6, "H'Mông": 3, "Kinh": 1},
                     ("HTX Nông nghiệp Mường Lạn",)),
    "SLA-CHIENGSON": ("Chiềng Sơn", ("Phiêng Cại", "Lóng Luông", "Tà Lại"),
                      {"Thái": 4, "H'Mông": 3, "Kinh": 2, "Dao": 1},
                      ("HTX Chè Chiềng Sơn", "HTX Mận hậu Chiềng Sơn", "HTX Bò sữa Chiềng Sơn")),
}

# ethnicity: (surnames, male middle names, male given names, female middles, female givens)
NAMES = {
    "H'Mông": ("Giàng Sùng Thào Vàng Lù Hạng Mùa Sình Lầu", "A",
               "Páo Chứ Sử Dế Tủa Lử Pó Chơ Súa Dình Sính Vư Chang Dua",
               "Thị", "Mai Mỷ Sông Dở Chở Mẩy Pà Lan Sua Dung Xúa Say Củ Dính"),
    "Thái": ("Lò Cầm Quàng Lường Tòng Hà Vì Điêu", "Văn",
             "Tiến Ơn Xuân Pâng Hặc Thanh Duy Khiêm Ích Chiến Thoong",
             "Thị", "Hương Ánh Xuyến Ún Pâng Hoa Thoa Lả Ỏn Kim Xiêm"),
    "Dao": ("Tẩn Triệu Lý Bàn Phàn Chảo", "Láo Văn",
            "Lở Phù Sành Chản Quẩy Tá Vần Dùn Kiềm",
            "Thị Tả", "Mẩy Xé Mây Chài Sử Phẩy Nhàn Dủ"),
    "Tày": ("Hoàng Nông Ma Lương Đinh La Hà", "Văn Đức",
            "Quang Thắng Bình Cường Chiến Lực Hưng",
            "Thị", "Thu Hoa Huyền Thơm Nga Hạnh Lụa"),
    "Kinh": ("Nguyễn Trần Lê Phạm Vũ Đỗ Bùi", "Văn Đức Minh",
             "Hùng Dũng Nam Long Tuấn Khánh Hải",
             "Thị Thu Ngọc", "Lan Hằng Hương Mai Trang Linh Yến"),
}

PROGRAMS = {"DEA": "Bình dân học vụ số", "LIVE": "Bán hàng qua livestream"}

# Thông tư 02/2025/TT-BGDĐT: 6 domains of the national digital competence framework.
CHECKLISTS: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "DEA": ("Kỹ năng số cơ bản theo Thông tư 02/2025/TT-BGDĐT", [
        ("data", "Tìm kiếm thông tin trên Internet (giá nông sản, thời tiết)",
         "Search the web for information (crop prices, weather)"),
        ("data", "Nhận biết tin giả, kiểm tra nguồn tin", "Tell fake news from reliable sources"),
        ("communication", "Nhắn tin, gọi video qua Zalo", "Message and video-call on Zalo"),
        ("communication", "Nộp hồ sơ dịch vụ công trực tuyến",
         "Submit an online public-service application"),
        ("content", "Chụp ảnh, quay video và chia sẻ", "Take photos and videos and share them"),
        ("content", "Điền biểu mẫu, soạn văn bản trên điện thoại",
         "Fill in a form and write a note on the phone"),
        ("safety", "Nhận biết cuộc gọi, tin nhắn lừa đảo", "Spot an online scam call or message"),
        ("safety", "Không chia sẻ mã OTP, bảo vệ thông tin cá nhân",
         "Never share an OTP; protect personal data"),
        ("safety", "Đặt mật khẩu mạnh, bật xác thực hai lớp", "Set a strong password and two-step sign-in"),
        ("problem_solving", "Cài đặt và đăng nhập ứng dụng VNeID", "Install and sign in to VNeID"),
        ("problem_solving", "Thanh toán bằng mã QR", "Pay by QR code"),
        ("ai", "Hỏi trợ lý AI bằng giọng nói tiếng Việt", "Ask an AI assistant by voice in Vietnamese"),
    ]),
    "LIVE": ("Kỹ năng bán hàng trực tuyến", [
        ("communication", "Mở gian hàng trên sàn thương mại điện tử", "Open an e-commerce booth"),
        ("content", "Chụp ảnh và đăng sản phẩm", "Photograph and post a product"),
        ("content", "Viết mô tả sản phẩm: giá, nguồn gốc", "Write a product description: price, origin"),
        ("content", "Livestream bán hàng", "Run a livestream sale"),
        ("communication", "Trả lời khách, chốt đơn qua tin nhắn",
         "Answer customers and confirm orders by chat"),
        ("safety", "Ký hợp đồng điện tử", "Sign a contract electronically"),
        ("problem_solving", "Nhận và trả tiền bằng mã QR", "Receive and pay by QR code"),
        ("ai", "Dùng AI viết bài giới thiệu sản phẩm", "Use AI to draft a product post"),
    ]),
}

# code, commune, program, session days relative to today. The two courses with a session
# today (0 and 2) go to different trainers when there are two (see _trainers_for).
COURSES: tuple[tuple[str, str, str, tuple[int, ...]], ...] = (
    ("BH-BDHVS-1", "LCI-BANHO", "DEA", (-14, -7, 0, 7)),
    ("TV-BDHVS-1", "LCI-TAVAN", "DEA", (-12, -5, 2)),
    ("TV-LIVE-1", "LCI-TAVAN", "LIVE", (-10, -3, 0)),
    ("ML-BDHVS-1", "SLA-MUONGLAN", "DEA", (-9, -2, 5, 12)),
    ("CS-BDHVS-1", "SLA-CHIENGSON", "DEA", (-12, -5, 2)),
    ("CS-LIVE-1", "SLA-CHIENGSON", "LIVE", (-9, -2, 5, 12)),
)
START_TIMES = ("08:00", "13:30", "19:00")
PHONE_PREFIXES = ("096", "097", "098", "091", "094", "090", "093")
STATUS_WEIGHTS = {"present": 80, "late": 8, "absent": 8, "excused": 4}
EXCUSES = ("Ốm", "Đi làm nương", "Đưa con đi khám bệnh", "Có việc gia đình")
SKILL_NOTES = ("Chưa làm được", "Cần luyện thêm", "Làm được khi có hướng dẫn", "Tự làm thành thạo")


@dataclass(frozen=True)
class DemoData:
    ops: list[dict[str, Any]]
    area_ids: dict[str, str]
    course_ids_by_trainer: dict[str, list[str]]


def stable_id(kind: str, key: str) -> str:
    """Return the id of a demo record, the same on every run."""
    return str(uuid.uuid5(NAMESPACE, f"demo:{kind}:{key}"))


def local_today(now_ms: int) -> date:
    """Return today's date in Vietnam (UTC+7)."""
    return datetime.fromtimestamp(now_ms / 1000, tz=LOCAL_TZ).date()


def checklist_items(program: str) -> list[dict[str, str]]:
    """Return the items of a program's demo checklist, version 1."""
    return [
        {"code": f"{program}-{n:02d}", "label_vi": vi, "label_en": en, "domain": domain}
        for n, (domain, vi, en) in enumerate(CHECKLISTS[program][1], start=1)
    ]


def build_demo(trainer_ids: Sequence[str], now_ms: int, seed: int = 7) -> DemoData:
    """Build the demo register as upsert ops in dependency order."""
    rng = random.Random(seed)
    records: list[tuple[str, str, dict[str, Any]]] = []
    area_ids: dict[str, str] = {}

    def add(entity: str, record_id: str | None, fields: dict[str, Any]) -> str:
        rid = record_id or derived_id(entity, fields)
        assert rid is not None
        records.append((entity, rid, fields))
        return rid

    def add_area(code: str, name: str, kind: str, parent: str | None) -> None:
        area_ids[code] = add("area", stable_id("area", code),
                             {"code": code, "name": name, "kind": kind, "parent_id": parent})

    for code, (name, _, _) in PROVINCES.items():
        add_area(code, name, "province", None)
    for code, (_, _, communes) in PROVINCES.items():
        for commune in communes:
            add_area(commune, COMMUNES[commune][0], "commune", area_ids[code])
    for _, word, communes in PROVINCES.values():
        for commune in communes:
            for n, village in enumerate(COMMUNES[commune][1], start=1):
                add_area(f"{commune}-{n:02d}", f"{word.capitalize()} {village}", "village", area_ids[commune])

    program_ids = {key: add("program", stable_id("program", key), {"name": name})
                   for key, name in PROGRAMS.items()}
    checklist_ids = {
        key: add("checklist", stable_id("checklist", f"{key}:1"),
                 {"program_id": program_ids[key], "version": 1,
                  "title": f"{CHECKLISTS[key][0]} — phiên bản 1", "items": checklist_items(key)})
        for key in PROGRAMS
    }

    today = local_today(now_ms)
    by_trainer: dict[str, list[str]] = {t: [] for t in trainer_ids}
    course_ids: list[str] = []
    sessions: list[list[tuple[str, bool]]] = []  # per course: (session id, is past)
    for i, (code, commune, program, plan) in enumerate(COURSES):
        trainers = _trainers_for(i, trainer_ids)
        course_id = add("course", stable_id("course", code), {
            "program_id": program_ids[program], "commune_id": area_ids[commune],
            "title": f"{PROGRAMS[program]} — xã {COMMUNES[commune][0]}, khóa 1",
            "trainer_ids": trainers, "checklist_id": checklist_ids[program],
            "start_date": (today + timedelta(days=plan[0])).isoformat(),
            "end_date": (today + timedelta(days=plan[-1])).isoformat(),
        })
        course_ids.append(course_id)
        for trainer in trainers:
            by_trainer[trainer].append(course_id)
        sessions.append([])
    for i, (code, commune, _, plan) in enumerate(COURSES):
        province_word = PROVINCES[commune[:3]][1]
        village = COMMUNES[commune][1][i % len(COMMUNES[commune][1])]
        start_time = START_TIMES[i % len(START_TIMES)]
        for n, offset in enumerate(plan, start=1):
            sid = add("session", stable_id("session", f"{code}:{n}"), {
                "course_id": course_ids[i], "date": (today + timedelta(days=offset)).isoformat(),
                "start_time": start_time, "place": f"Nhà văn hóa {province_word} {village}",
            })
            sessions[i].append((sid, offset < 0))

    roster: list[tuple[int, str]] = []  # (course index, trainee id)
    used_names: set[str] = set()
    for i, (_, commune, program, _) in enumerate(COURSES):
        for _ in range(TRAINEES_PER_COURSE):
            key = f"{len(roster) + 1:03d}"
            fields = _trainee(rng, commune, program, used_names)
            fields["commune_id"] = area_ids[commune]
            roster.append((i, add("trainee", stable_id("trainee", key), fields)))
    for i, trainee in roster:
        add("enrollment", None, {"course_id": course_ids[i], "trainee_id": trainee})

    came: set[tuple[int, str]] = set()
    for i, trainee in roster:
        for session_id, past in sessions[i]:
            if not past:
                continue
            status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
            fields = {"session_id": session_id, "trainee_id": trainee, "status": status}
            if status == "excused":
                fields["note"] = rng.choice(EXCUSES)
            add("attendance", None, fields)
            if status in ("present", "late"):
                came.add((i, trainee))
    for i, trainee in roster:
        if (i, trainee) not in came:
            continue
        items = checklist_items(COURSES[i][2])
        for item in sorted(rng.sample(items, rng.randint(2, 5)), key=lambda it: it["code"]):
            level = rng.choices(range(4), weights=(1, 3, 4, 3))[0]
            fields = {"course_id": course_ids[i], "trainee_id": trainee,
                      "skill_code": item["code"], "level": level}
            if rng.random() < 0.15:
                fields["note"] = SKILL_NOTES[level]
            add("skill_check", None, fields)

    return DemoData(_to_ops(records, now_ms), area_ids, by_trainer)


def _trainers_for(i: int, trainer_ids: Sequence[str]) -> list[str]:
    """Deal trainers round-robin: even courses take one, odd courses a team of two."""
    n = len(trainer_ids)
    if n == 0:
        return []
    first = i // 2 * 3 + (i % 2)  # slots used by the courses before this one
    count = 2 if i % 2 else 1
    return list(dict.fromkeys(trainer_ids[(first + k) % n] for k in range(count)))


def _trainee(rng: random.Random, commune: str, program: str, used: set[str]) -> dict[str, Any]:
    _, villages, ethnic_weights, cooperatives = COMMUNES[commune]
    ethnicity = rng.choices(list(ethnic_weights), weights=list(ethnic_weights.values()))[0]
    gender = "female" if rng.random() < 0.58 else "male"
    surnames, m_mid, m_given, f_mid, f_given = (part.split() for part in NAMES[ethnicity])
    middles, givens = (f_mid, f_given) if gender == "female" else (m_mid, m_given)
    full_name = ""
    while not full_name or full_name in used:
        full_name = f"{rng.choice(surnames)} {rng.choice(middles)} {rng.choice(givens)}"
    used.add(full_name)
    young = program == "LIVE"
    birth_year = int(rng.triangular(1975 if young else 1955, 2006, 1995 if young else 1982))
    fields: dict[str, Any] = {
        "full_name": full_name, "gender": gender, "birth_year": birth_year,
        "ethnicity": ethnicity, "consent": True,
        "village": f"{PROVINCES[commune[:3]][1].capitalize()} {rng.choice(villages)}",
    }
    if rng.random() < (0.7 if young else 0.3):
        fields["cooperative"] = rng.choice(cooperatives)
    if rng.random() < 0.4:
        fields["phone"] = rng.choice(PHONE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(7))
    return fields


def _to_ops(records: list[tuple[str, str, dict[str, Any]]], now_ms: int) -> list[dict[str, Any]]:
    """Stamp records as upsert ops with strictly increasing HLCs and stable op ids."""
    base = now_ms - HLC_LEAD_MS
    last: Hlc | None = None
    ops = []
    for n, (entity, rid, fields) in enumerate(records):
        last = tick(last, base + n, NODE)
        ops.append({
            "op_id": str(uuid.uuid5(NAMESPACE, f"demo-op:{entity}:{rid}")),
            "entity": entity, "id": rid, "hlc": str(last), "kind": "upsert", "fields": fields,
        })
    return ops
