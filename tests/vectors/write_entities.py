"""Regenerate tests/vectors/entities.json from sync.entities: `python tests/vectors/write_entities.py`."""

from __future__ import annotations

import json
from pathlib import Path

from sync.entities import ENTITIES, to_plain

PATH = Path(__file__).with_name("entities.json")


def entities_plain() -> dict[str, object]:
    """Return every entity's spec as the JSON the vectors hold."""
    return {name: to_plain(spec) for name, spec in sorted(ENTITIES.items())}


def main() -> None:
    """Write the file, formatted the same way every time so diffs stay small."""
    PATH.write_text(json.dumps(entities_plain(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
