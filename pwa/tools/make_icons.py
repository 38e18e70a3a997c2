"""Draw the app icons (a white tick on a green card) as PNGs, with the standard library only.

Run once after changing the design: python3 pwa/tools/make_icons.py
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

GREEN = (11, 110, 79)
WHITE = (255, 255, 255)
ICONS = Path(__file__).resolve().parent.parent / "public" / "icons"


def _distance_to_segment(px: float, py: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return ((px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2) ** 0.5


def _pixel(x: float, y: float, maskable: bool) -> tuple[int, int, int, int]:
    """Colour at (x, y) in a unit square: a rounded green card with a tick."""
    margin = 0.0 if maskable else 0.04
    radius = 0.0 if maskable else 0.2
    inside_x = min(max(x, margin + radius), 1 - margin - radius)
    inside_y = min(max(y, margin + radius), 1 - margin - radius)
    if ((x - inside_x) ** 2 + (y - inside_y) ** 2) ** 0.5 > radius + 1e-9 or not (margin <= x <= 1 - margin):
        return (0, 0, 0, 0)
    scale = 0.7 if maskable else 1.0  # keep the tick in a maskable icon's safe zone
    cx, cy = 0.5 + (x - 0.5) / scale, 0.5 + (y - 0.5) / scale
    tick = min(_distance_to_segment(cx, cy, (0.27, 0.52), (0.43, 0.68)),
               _distance_to_segment(cx, cy, (0.43, 0.68), (0.74, 0.34)))
    return (*WHITE, 255) if tick < 0.065 else (*GREEN, 255)


def write_png(path: Path, size: int, maskable: bool) -> None:
    rows = b"".join(
        b"\x00" + b"".join(bytes(_pixel((i + 0.5) / size, (j + 0.5) / size, maskable)) for i in range(size))
        for j in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9))
                     + chunk(b"IEND", b""))


if __name__ == "__main__":
    ICONS.mkdir(parents=True, exist_ok=True)
    write_png(ICONS / "icon-192.png", 192, maskable=False)
    write_png(ICONS / "icon-512.png", 512, maskable=False)
    write_png(ICONS / "icon-maskable-512.png", 512, maskable=True)
