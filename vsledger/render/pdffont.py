"""The font a PDF's Chinese is set in, embedded so that every reader shows it.

reportlab embeds TrueType outlines only, and the usual Chinese fonts of Linux (Noto Sans/Serif
CJK, Source Han) are OpenType with PostScript (CFF) outlines. So fontTools cuts the font down to
the characters the page uses and, for CFF, redraws those glyphs as TrueType curves (the same
shapes to well under a printer's dot): both kinds embed, as a subset of a few dozen kilobytes.
A font whose licence forbids embedding (OS/2 fsType) is refused, as reportlab would. Without any
usable Chinese font the caller falls back to reportlab's STSong-Light, named but not embedded:
the reader's own font draws it, or boxes where it has none.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import logging
import os
import shutil
import struct
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

FALLBACK = "STSong-Light"
"""reportlab's built-in CID font: named in the PDF, drawn by the reader's own Chinese font."""

# Files tried first, in this order, where the platform keeps its fonts: Song/Ming faces first (a
# certificate is customarily set in 宋体), then the common sans faces. Names are compared in lower case.
PREFERRED = (
    "simsun.ttc", "simsun.ttf", "songti.ttc", "notoserifcjk-regular.ttc", "notoserifcjksc-regular.otf",
    "sourcehanserifsc-regular.otf", "sourcehanserif-regular.ttc", "uming.ttc",
    "msyh.ttc", "msyh.ttf", "simhei.ttf", "pingfang.ttc", "stheiti light.ttc", "hiragino sans gb.ttc",
    "notosanscjk-regular.ttc", "notosanscjksc-regular.otf", "sourcehansanssc-regular.otf", "sourcehansans-regular.ttc",
    "notosanssc-regular.ttf", "notosanssc-regular.otf", "wqy-zenhei.ttc", "wqy-microhei.ttc", "ukai.ttc",
    "droidsansfallbackfull.ttf", "arial unicode.ttf",
)  # fmt: skip
FONT_SUFFIXES = (".ttf", ".ttc", ".otf", ".otc")
_SERIAL = itertools.count(1)
MAX_TRIED = 24
"""Candidates opened before giving up: a desktop may list hundreds of faces with Chinese."""
_SIMPLIFIED_MARKS = (" sc", "sc-", "sc ", "cn", "gb", "简")
"""Words in a face's name that mark the simplified-Chinese face of a collection (Noto CJK's SC, UMingCN)."""


class FontRefused(Exception):
    """A font file that cannot be embedded: `code` is a problem code of the message catalogue."""

    def __init__(self, code: str, **args: Any) -> None:
        super().__init__(code)
        self.code, self.args_ = code, args


@dataclass(frozen=True)
class FontFile:
    """One face of a font file that draws the page's Chinese and may be embedded."""

    path: Path
    index: int
    """The face in a collection (.ttc); -1 in a single-font file."""
    name: str
    cff: bool
    """PostScript outlines, redrawn as TrueType when embedded."""
    chars: frozenset[int]

    def lacks(self, text: str) -> str:
        """The characters of `text` this face has no glyph for (drawn as boxes), each once."""
        missing = dict.fromkeys(c for c in text if not c.isspace() and ord(c) not in self.chars)
        return "".join(missing)


def open_font(path: Path, needed: str) -> FontFile:
    """The face of `path` to embed: the simplified-Chinese one of a collection, covering `needed`.

    Raises FontRefused: font-missing, font-unreadable, font-no-chinese, font-not-embeddable."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    if not path.is_file():
        raise FontRefused("font-missing", path=str(path))
    lacking = needed
    forbidden = False
    try:
        with path.open("rb") as stream:
            collection = stream.read(4) == b"ttcf"
        faces = TTCollection(str(path), lazy=True).fonts if collection else [TTFont(str(path), lazy=True)]
        for index in sorted(range(len(faces)), key=lambda i: not _simplified(faces[i])):
            face = faces[index]
            if "glyf" not in face and "CFF " not in face and "CFF2" not in face:
                continue  # bitmaps or colour glyphs only
            cmap = face.getBestCmap() or {}
            missing = "".join(c for c in needed if not c.isspace() and ord(c) not in cmap)
            if missing:
                lacking = min(lacking, missing, key=len)
            elif "OS/2" in face and (face["OS/2"].fsType & 0x000F == 0x0002 or face["OS/2"].fsType & 0x0300):
                forbidden = True  # restricted licence, or no subsetting / bitmaps only: reportlab refuses it too
            else:
                name = face["name"].getDebugName(4) or face["name"].getDebugName(1) or path.stem
                return FontFile(path, index if collection else -1, name, "glyf" not in face, frozenset(cmap))
    except (TTLibError, OSError, ValueError, KeyError, IndexError, AssertionError, struct.error):
        raise FontRefused("font-unreadable", path=str(path)) from None
    if forbidden:
        raise FontRefused("font-not-embeddable", path=str(path))
    raise FontRefused("font-no-chinese", path=str(path), chars=_sample(lacking))


def _sample(chars: str) -> str:
    """A few of `chars`, for a message."""
    unique = "".join(dict.fromkeys(c for c in chars if not c.isspace()))
    return unique if len(unique) <= 12 else unique[:12] + "…"


def _simplified(face: Any) -> bool:
    name = f" {face['name'].getDebugName(4) or ''} ".lower()
    return any(mark in name for mark in _SIMPLIFIED_MARKS)


@cache
def system_font(needed: str) -> FontFile | None:
    """The first font on this machine that draws `needed` and may be embedded: the PREFERRED
    files in the platform's font folders, then what fontconfig lists for Chinese; None if none."""
    for path in _candidates()[:MAX_TRIED]:
        try:
            return open_font(path, needed)
        except FontRefused:
            continue
    return None


def _candidates() -> list[Path]:
    found: dict[str, Path] = {}
    for directory in _font_dirs():
        for folder, _dirs, names in os.walk(directory):
            for name in names:
                if name.lower() in PREFERRED:
                    found.setdefault(name.lower(), Path(folder) / name)
    ordered = [found[name] for name in PREFERRED if name in found]
    for path in _fontconfig_chinese():
        if path not in ordered:
            ordered.append(path)
    return ordered


def _font_dirs() -> list[Path]:
    home = Path.home()
    if sys.platform == "win32":
        windows = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
        dirs = [windows / "Fonts", local / "Microsoft" / "Windows" / "Fonts"]
    elif sys.platform == "darwin":
        dirs = [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library" / "Fonts"]
    else:
        data = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
        dirs = [data / "fonts", home / ".fonts", Path("/usr/local/share/fonts"), Path("/usr/share/fonts")]
    return [d for d in dirs if d.is_dir()]


def _fontconfig_chinese() -> list[Path]:
    """Every font file fontconfig knows with Chinese in it (Linux, BSD; macOS with Homebrew's)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        listed = subprocess.run([fc_list, "-f", "%{file}\n", ":lang=zh-cn"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    paths = dict.fromkeys(Path(line) for line in listed.stdout.splitlines() if line.lower().endswith(FONT_SUFFIXES))
    return sorted(paths, key=lambda p: p.suffix.lower() == ".otf")  # TrueType outlines first: nothing to redraw


@contextmanager
def registered(font: FontFile, text: str) -> Iterator[str]:
    """The name under which reportlab draws `text` in `font`, for the length of one document: the face
    cut to `text`'s characters (CFF redrawn as TrueType), registered, then forgotten."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    chars = "".join(sorted(set(text)))
    digest = hashlib.sha256(f"{font.path}\0{font.index}\0{chars}".encode()).hexdigest()[:6].upper()
    tag = f"{digest}{next(_SERIAL)}"  # two documents drawn at once never share (nor forget) each other's
    # reportlab shares one face among all fonts of one PostScript name: each subset gets its own
    embedded = TTFont(f"VSL-{tag}", io.BytesIO(subset_bytes(font, chars, suffix=f"-{tag}")))
    pdfmetrics.registerFont(embedded)
    try:
        yield embedded.fontName
    finally:  # reportlab has no unregister: a long-running server would keep every certificate's subset
        getattr(pdfmetrics, "_fonts", {}).pop(embedded.fontName, None)
        getattr(pdfmetrics, "_dynFaceNames", {}).pop(embedded.face.name, None)


def subset_bytes(font: FontFile, text: str, suffix: str = "") -> bytes:
    """A TrueType font file with only the glyphs of `text` (and .notdef); `suffix` added to its PostScript name."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # "table X not subset; dropped" is not the user's business
    face = TTFont(str(font.path), fontNumber=font.index, lazy=True)
    options = subset.Options()
    options.layout_features = []  # horizontal text, no shaping: reportlab draws characters one glyph each
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.drop_tables += ["BASE", "VORG", "vhea", "vmtx", "STAT", "MVAR", "HVAR", "VVAR"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(dict.fromkeys(text)))
    subsetter.subset(face)
    if font.cff:
        _cff_to_glyf(face)
    names = face["name"]
    postscript = names.getDebugName(6) or font.path.stem.replace(" ", "")
    names.removeNames(nameID=6)
    names.setName(f"{postscript[: 63 - len(suffix)]}{suffix}", 6, 3, 1, 0x409)
    out = io.BytesIO()
    face.save(out)
    return out.getvalue()


def _cff_to_glyf(face: Any) -> None:
    """PostScript cubic outlines redrawn as TrueType quadratics (fontTools' otf2ttf recipe)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    glyph_order = face.getGlyphOrder()
    glyphs = face.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))  # 1 unit of 1000 to the em
        glyf.glyphs[name] = pen.glyph()
    face["loca"] = newTable("loca")
    face["glyf"] = glyf
    for tag in ("CFF ", "CFF2", "fvar", "gvar", "avar"):
        if tag in face:
            del face[tag]
    maxp = face["maxp"]
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
        "maxSizeOfInstructions", "maxComponentElements",
    ):  # fmt: skip
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    maxp.maxComponentDepth = 0
    face["head"].indexToLocFormat = 0
    face["head"].glyphDataFormat = 0
    post = face["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    post.glyphOrder = None
    face.sfntVersion = "\x00\x01\x00\x00"
