"""The figures a province reports (server/dashboard/figures.py) as tables: totals, skills, each breakdown."""

from __future__ import annotations

from typing import Any

from server.transfers.tables import Table

BREAKDOWNS = ("commune", "gender", "ethnicity", "age_group")
WORDS = {
    "vi": {"totals": "Tổng hợp", "skills": "Kỹ năng", "commune": "Theo xã", "gender": "Theo giới tính",
           "ethnicity": "Theo dân tộc", "age_group": "Theo nhóm tuổi", "figure": "Chỉ tiêu", "value": "Giá trị",
           "courses": "Số lớp", "sessions": "Số buổi", "trainees_reached": "Số người được đào tạo",
           "person_times": "Số lượt người", "attendance_rate": "Tỷ lệ chuyên cần",
           "completion_rate": "Tỷ lệ hoàn thành", "code": "Mã", "label": "Kỹ năng",
           "assessed": "Số người được đánh giá",
           "attained": "Số người đạt", "rate": "Tỷ lệ đạt", "group": "Nhóm", "key": "Mã nhóm",
           "female": "Nữ", "male": "Nam", "other": "Khác", "unknown": "Chưa rõ",
           "filter": "Phạm vi", "from": "Từ ngày", "to": "Đến ngày"},
    "en": {"totals": "Totals", "skills": "Skills", "commune": "By commune", "gender": "By gender",
           "ethnicity": "By ethnicity", "age_group": "By age group", "figure": "Figure", "value": "Value",
           "courses": "Courses", "sessions": "Sessions", "trainees_reached": "Trainees reached",
           "person_times": "Person-times", "attendance_rate": "Attendance rate", "completion_rate": "Completion rate",
           "code": "Code", "label": "Skill", "assessed": "Assessed", "attained": "Attained", "rate": "Rate",
           "group": "Group", "key": "Group key", "female": "Female", "male": "Male", "other": "Other",
           "unknown": "Unknown", "filter": "Scope", "from": "From", "to": "To"},
}
GROUP_FIGURES = ("trainees_reached", "person_times", "attendance_rate", "completion_rate")


def figures_tables(found: dict[str, Any], lang: str, scope: str, date_from: str | None,
                   date_to: str | None) -> list[Table]:
    """Lay the figures out as one table of totals, one of skills and one per breakdown (rates 0..1)."""
    w = WORDS.get(lang, WORDS["vi"])
    totals = found["totals"]
    rows: list[list[Any]] = [[w["filter"], scope], [w["from"], date_from or ""], [w["to"], date_to or ""]]
    rows += [[w[name], totals.get(name)] for name in ("courses", "sessions", *GROUP_FIGURES)]
    tables = [Table(w["totals"], [w["figure"], w["value"]], rows, frozen_columns=1)]
    label_key = "label_en" if lang == "en" else "label_vi"
    tables.append(Table(w["skills"], [w["code"], w["label"], w["assessed"], w["attained"], w["rate"]],
                        [[s["code"], s.get(label_key) or s["code"], s["assessed"], s["attained"], s["rate"]]
                         for s in found["skills"]], frozen_columns=2))
    for name in BREAKDOWNS:
        groups = found["by"].get(name, [])
        headers = [w["group"], *(w[f] for f in GROUP_FIGURES)]
        body = [[_group_label(name, g, w), *(g.get(f) for f in GROUP_FIGURES)] for g in groups]
        tables.append(Table(w[name], headers, body, frozen_columns=1))
    return tables


def _group_label(breakdown: str, group: dict[str, Any], w: dict[str, str]) -> str:
    label = str(group.get("label") or group.get("key") or "")
    if breakdown == "gender" or label == "unknown":
        return w.get(label, label)
    return label
