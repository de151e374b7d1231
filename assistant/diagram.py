"""Each model's cycle drawn as a clean diagram: numbered steps around a circle, clockwise from the top, with
arrows between them and the cycle's name in the middle. The printed guide shows these cycles as figures that
the text export lost; here they are generated from the section tree (how many steps the guide has) and the
task file's short step labels, so an edit of either redraws them.

PNG via Pillow, with Thai shaped by libraqm (bundled with Pillow's wheels; without it, tone marks stack on
vowels wrongly, so we refuse to draw rather than draw wrong) in a Thai font from Debian's fonts-thai-tlwg:
Laksaman first (TLWG's TH Sarabun, the government's document font). No Thai font, no diagram: `cycle_png`
returns None and the channels say so in Thai (messages.CYCLE_NO_FONT).
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

FONT_DIRS = (Path("/usr/share/fonts/truetype/tlwg"), Path("/usr/share/fonts/opentype/tlwg"))
FONT_FILES = ("Laksaman.ttf", "Garuda.ttf", "Loma.ttf", "Waree.ttf", "Norasi.ttf")
BOLD_FILES = ("Laksaman-Bold.ttf", "Garuda-Bold.ttf", "Loma-Bold.ttf", "Waree-Bold.ttf", "Norasi-Bold.ttf")

SIZE = 1200  # square canvas, px
BLUE, INK, PALE, WHITE = (29, 78, 216), (17, 24, 39), (239, 246, 255), (255, 255, 255)


@lru_cache(maxsize=4)
def thai_font(bold: bool = False) -> Path | None:
    """A Thai font file: TLWG's by name, else whatever fontconfig offers for Thai."""
    for folder in FONT_DIRS:
        for name in BOLD_FILES if bold else FONT_FILES:
            if (folder / name).is_file():
                return folder / name
    if shutil.which("fc-match"):
        try:
            out = subprocess.run(["fc-match", "-f", "%{file}", ":lang=th" + (":bold" if bold else "")],
                                 capture_output=True, text=True, timeout=5).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
        if out and "dejavu" not in out.lower() and Path(out).is_file():
            return Path(out)
    return None


def _font(size: int, bold: bool = False):
    from PIL import ImageFont, features

    path = thai_font(bold) or thai_font(False)
    if path is None or not features.check("raqm"):
        return None
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)


def _wrap(text: str, font, width: float, max_lines: int = 3) -> list[str]:
    """Lines no wider than `width`, broken between newmm words (Thai has no spaces to break at)."""
    from pythainlp.tokenize import word_tokenize

    lines, line = [], ""
    for word in word_tokenize(text, engine="newmm", keep_whitespace=True):
        if line and font.getlength(line + word) > width:
            lines.append(line.strip())
            line = word.lstrip()
        else:
            line += word
    if line.strip():
        lines.append(line.strip())
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + ["".join(lines[max_lines - 1 :])]
    return lines


def _text_block(draw, lines: list[str], font, centre: tuple[float, float], fill, spacing: float = 1.25) -> None:
    height = font.size * spacing
    top = centre[1] - height * len(lines) / 2 + height / 2
    for i, line in enumerate(lines):
        draw.text((centre[0], top + i * height), line, font=font, fill=fill, anchor="mm")


def cycle_image(title: str, labels: list[str]):
    """The cycle as a PIL image, or None when no Thai font (or no text shaping) is available."""
    from PIL import Image, ImageDraw

    n = len(labels)
    label_font, number_font, title_font = _font(30), _font(30, bold=True), _font(40, bold=True)
    if label_font is None or n == 0:
        return None
    image = Image.new("RGB", (SIZE, SIZE), WHITE)
    draw = ImageDraw.Draw(image)
    cx = cy = SIZE / 2
    box_h = 150.0 if n <= 6 else 128.0
    radius = SIZE * 0.38
    box_w = min(330.0, 2 * math.pi * radius / n * 0.88)
    radius = min(radius, SIZE / 2 - box_w / 2 - 12, SIZE / 2 - box_h / 2 - 36)  # boxes stay on the canvas
    angles = [-90 + 360 * i / n for i in range(n)]  # clockwise from the top (Pillow's angles go clockwise)

    # the arrows first, so the boxes sit on top of them
    ring = (cx - radius, cy - radius, cx + radius, cy + radius)
    gap = math.degrees((box_w * 0.72) / radius) if n > 4 else 24
    for a in angles:
        start, end = a + gap / 2, a + 360 / n - gap / 2
        draw.arc(ring, start, end, fill=BLUE, width=6)
        t = math.radians(end)
        tip = (cx + radius * math.cos(t), cy + radius * math.sin(t))
        tangent = (-math.sin(t), math.cos(t))  # clockwise direction
        normal = (math.cos(t), math.sin(t))
        base = (tip[0] - 26 * tangent[0], tip[1] - 26 * tangent[1])
        draw.polygon([tip, (base[0] + 13 * normal[0], base[1] + 13 * normal[1]),
                      (base[0] - 13 * normal[0], base[1] - 13 * normal[1])], fill=BLUE)

    for i, (a, label) in enumerate(zip(angles, labels, strict=True), start=1):
        t = math.radians(a)
        x, y = cx + radius * math.cos(t), cy + radius * math.sin(t)
        draw.rounded_rectangle((x - box_w / 2, y - box_h / 2, x + box_w / 2, y + box_h / 2), radius=22,
                               fill=PALE, outline=BLUE, width=4)
        bubble = 26  # the step's number, on the box's top edge, above the label
        top = y - box_h / 2
        draw.ellipse((x - bubble, top - bubble, x + bubble, top + bubble), fill=BLUE, outline=WHITE, width=3)
        draw.text((x, top), str(i), font=number_font, fill=WHITE, anchor="mm")
        _text_block(draw, _wrap(label, label_font, box_w - 28, max_lines=2), label_font, (x, y + 12), INK)

    _text_block(draw, _wrap(title, title_font, radius * 1.15, max_lines=4), title_font, (cx, cy), BLUE)
    return image


@lru_cache(maxsize=8)
def _png(title: str, labels: tuple[str, ...]) -> bytes | None:
    image = cycle_image(title, list(labels))
    if image is None:
        return None
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def cycle_png(title: str, labels: list[str]) -> bytes | None:
    """PNG bytes of the cycle (cached: the same labels draw the same picture), or None without a Thai font."""
    return _png(title, tuple(labels))


def step_labels(sections: dict, model: str, labels: dict[int, str]) -> list[str]:
    """One label per step the guide has: the task file's short label, else the step's own title."""
    from assistant import ids

    steps = [sections[sid] for sid in sections[ids.steps_id(model)].children]
    return [labels.get(s.step) or s.title.split(" ", 1)[-1].rstrip("…") for s in steps]
