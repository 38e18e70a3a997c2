"""bench/RESULTS.md as sections: each benchmark rewrites its own sections and target rows, keeping the rest."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
TARGETS_HEADING = "## DESIGN §7 targets"
TARGETS_TABLE = ["| target | measured | met? |", "| --- | --- | --- |"]


def section(text: str, heading: str) -> list[str]:
    """The lines of the section whose heading starts with `heading`, up to the next `## `; [] if none.

    The heading `# ` is the file's title and what follows it up to the first `## `.
    """
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(heading)), None)
    if start is None:
        return []
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start:end]


def replace_section(text: str, heading: str, new: list[str]) -> str:
    """Put `new` in place of the section `heading`, or just before the targets when there is none."""
    lines = text.splitlines()
    old = section(text, heading)
    if old:
        at = lines.index(old[0])
        lines[at:at + len(old)] = new
    elif heading == "# ":
        lines[0:0] = new
    else:
        at = next((i for i, line in enumerate(lines) if line.startswith(TARGETS_HEADING)), len(lines))
        lines[at:at] = [*new, ""] if new and new[-1] else new
    return "\n".join(lines).rstrip("\n") + "\n"


def replace_targets(text: str, rows: list[str]) -> str:
    """Put each target row in the targets table in place of the row for the same target, or at its end."""
    text = text if section(text, TARGETS_HEADING) else text.rstrip("\n") + f"\n\n{TARGETS_HEADING}\n\n" + \
        "\n".join(TARGETS_TABLE) + "\n"
    lines = text.splitlines()
    for row in rows:
        first = row.split(" | ")[0]
        at = next((i for i, line in enumerate(lines) if line.startswith("|") and line.split(" | ")[0] == first), None)
        if at is None:
            table = section("\n".join(lines), TARGETS_HEADING)
            start = lines.index(table[0])
            at = max(i for i in range(start, start + len(table)) if lines[i].startswith("|")) + 1
            lines.insert(at, row)
        else:
            lines[at] = row
    return "\n".join(lines).rstrip("\n") + "\n"


def update(sections: list[tuple[str, list[str]]], targets: list[str], path: Path = RESULTS) -> None:
    """Rewrite these sections and target rows of RESULTS.md, keeping everything else."""
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    for heading, lines in sections:
        text = replace_section(text, heading, lines)
    path.write_text(replace_targets(text, targets))
