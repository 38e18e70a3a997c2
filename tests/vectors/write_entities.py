"""Regenerate the entity table's JSON copies from sync.entities: `python tests/vectors/write_entities.py`.

One copy is a test vector; the other ships in the PWA, which validates ops with it.
"""

from __future__ import annotations

import json
from pathlib import Path

from sync.entities import ENTITIES, to_plain

PATH = Path(__file__).with_name("entities.json")
PWA_PATH = Path(__file__).resolve().parents[2] / "pwa" / "src" / "sync" / "entities.json"


def entities_plain() -> dict[str, object]:
    """Return every entity's spec as the JSON the vectors hold."""
    return {name: to_plain(spec) for name, spec in sorted(ENTITIES.items())}


def main() -> None:
    """Write both files, formatted the same way every time so diffs stay small."""
    text = json.dumps(entities_plain(), indent=1, ensure_ascii=False) + "\n"
    for path in (PATH, PWA_PATH):
        path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
