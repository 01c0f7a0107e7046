"""`vsledger certificate`: the PDF's text read back, numbered from the register, numbers masked unless asked."""

from __future__ import annotations

import shutil
import string
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from conftest import Result
from test_hours import ROSTER, ledger_files
from vsledger.render.certificate import template_text
from vsledger.render.pdffont import system_font

NUMBER = "11010519491231002X"


def ledger(workspace: Callable[..., Path]) -> Path:
    roster = ROSTER.replace(
        "{id: V0001, name: 张三, employment: staff, registered_on: 2020-01-01}",
        '{id: V0001, name: 张三, employment: staff, registered_on: 2020-01-01, registration_no: "35080200012345"}',
    )
    return workspace(ledger_files(roster, **{"ledgers/u1/personal.yaml": f'- {{id: V0001, id_number: "{NUMBER}"}}\n'}), base=False)


def text_of(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def test_certificate_shows_what_the_guidance_requires(workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path) -> None:
    root = ledger(workspace)
    out = tmp_path / "证明.pdf"
    args = (
        "certificate",
        "--unit",
        "u1",
        "--volunteer",
        "V0001",
        "--out",
        str(out),
        "--signer",
        "王主任",
        "--handler",
        "李干事",
        "--contact",
        "0597-1234567",
    )
    result = cli(root, *args)
    assert result.exit_code == 0, result.stderr
    assert "u1-2024-0001" in result.stdout
    text = text_of(out)
    for expected in (
        "志愿服务记录证明", "证明编号:u1-2024-0001", "志愿者姓名:张三", "证件类型:居民身份证", "110105********002X",
        "志愿者编号:35080200012345", "服务时间段:2021-12-31 至 2024-06-01", "累计志愿服务时长:13.00 小时(共 3 次活动)",
        "2022-05-05  义诊  社区  3.00 小时", "出具单位:测试单位", "负责人:王主任", "经办人:李干事", "联系方式:0597-1234567", "出具日期:2024 年 6 月 1 日",
    ):  # fmt: skip
        assert expected in text, expected
    assert NUMBER not in text
    register = (root / "ledgers/u1/certificates.yaml").read_text(encoding="utf-8")
    assert register == "- {number: u1-2024-0001, volunteer: V0001, issued_on: 2024-06-01, from: 2021-12-31, to: 2024-06-01, hours: 13}\n"
    assert NUMBER not in register
    second = cli(
        root,
        "certificate",
        "--unit",
        "u1",
        "--volunteer",
        "V0002",
        "--from",
        "2022-01-01",
        "--to",
        "2022-12-31",
        "--out",
        str(tmp_path / "2.pdf"),
        "--unmask",
    )
    assert second.exit_code == 0
    assert "u1-2024-0002" in second.stdout and "累计志愿服务时长:5.25 小时" in text_of(tmp_path / "2.pdf")
    assert register in (root / "ledgers/u1/certificates.yaml").read_text(encoding="utf-8")  # the register only grows
    # No ID number on file: a blank on the paper to fill in by hand, and a word to the clerk, not to the volunteer
    assert "证件号码:____" in text_of(tmp_path / "2.pdf") and "personal.yaml" not in text_of(tmp_path / "2.pdf")
    assert "V0002 没有登记身份证号" in second.stderr and "留空" in second.stderr
    assert cli(root, "validate").exit_code == 0


def test_unmask_prints_the_full_number(workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "full.pdf"
    assert cli(ledger(workspace), "certificate", "--unit", "u1", "--volunteer", "V0001", "--out", str(out), "--unmask").exit_code == 0
    assert NUMBER in text_of(out)


def test_unknown_volunteer_is_a_usage_error(workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli(ledger(workspace), "certificate", "--unit", "u1", "--volunteer", "V0099", "--out", str(tmp_path / "x.pdf"))
    assert result.exit_code == 2 and not (tmp_path / "x.pdf").exists()


# --- the font: embedded when there is one, said when there is none -------------------------------------


def fonts_of(path: Path) -> dict[str, bool]:
    """Each font the PDF's pages use, by name: whether its outlines are in the file."""
    found: dict[str, bool] = {}
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = described.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            found[str(font["/BaseFont"])] = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def build_font(path: Path, chars: str, cff: bool = True, fs_type: int = 0, family: str = "Test Song") -> Path:
    """A font file with a square glyph for each of `chars`: PostScript (CFF) outlines drawn with cubic
    curves, as Noto CJK's and Source Han's are, or TrueType ones; `fs_type` its embedding licence."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.t2CharStringPen import T2CharStringPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    def draw(pen: Any) -> None:
        pen.moveTo((100, 0))
        if cff:
            pen.curveTo((400, -40), (600, -40), (900, 0))
        else:
            pen.lineTo((900, 0))
        pen.lineTo((900, 800))
        pen.lineTo((100, 800))
        pen.closePath()

    codes = sorted({ord(c) for c in chars if not c.isspace()})
    names = [".notdef", "space", *(f"u{code:04X}" for code in codes)]
    builder = FontBuilder(1000, isTTF=not cff)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({32: "space", **{code: f"u{code:04X}" for code in codes}})
    if cff:
        strings = {}
        for name in names:
            pen = T2CharStringPen(1000, None)
            if name != "space":
                draw(pen)
            strings[name] = pen.getCharString()
        builder.setupCFF(family.replace(" ", ""), {"FullName": family}, strings, {})
    else:
        glyphs = {}
        for name in names:
            pen = TTGlyphPen(None)
            if name != "space":
                draw(pen)
            glyphs[name] = pen.glyph()
        builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({name: (1000, 100) for name in names})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": family, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120, fsType=fs_type)
    builder.setupPost()
    builder.save(str(path))
    return path


def every_character(root: Path) -> str:
    """What a certificate from this workspace can print: the ledger's text, the form's, ASCII."""
    return "".join(p.read_text(encoding="utf-8") for p in root.rglob("*.yaml")) + template_text() + string.printable + "……"


def issue(cli: Callable[..., Result], root: Path, out: Path, *extra: str) -> Result:
    return cli(root, "certificate", "-u", "u1", "-v", "V0001", "-o", str(out), *extra)


def test_a_cff_font_is_redrawn_and_embedded(workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path) -> None:
    """Noto CJK and Source Han have PostScript outlines, which reportlab cannot embed as they are."""
    root = ledger(workspace)
    font = build_font(tmp_path / "TestSong.otf", every_character(root))
    result = issue(cli, root, tmp_path / "c.pdf", "--font", str(font))
    assert result.exit_code == 0, result.stderr
    assert "Test Song" in result.stdout and "已嵌入" in result.stdout and not result.stderr
    assert list(fonts_of(tmp_path / "c.pdf").values()) == [True]  # one font, embedded; no unused Helvetica either
    text = text_of(tmp_path / "c.pdf")
    assert "志愿者姓名:张三" in text and "出具单位:测试单位" in text and "累计志愿服务时长:13.00 小时" in text


def test_characters_the_font_lacks_are_named(workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path) -> None:
    root = ledger(workspace)
    font = build_font(tmp_path / "TestSong.ttf", every_character(root).replace("张", ""), cff=False)
    result = issue(cli, root, tmp_path / "c.pdf", "--font", str(font), "--format", "json")
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert report["font"] == {"embedded": True, "name": "Test Song", "file": str(font)}
    assert [w["code"] for w in report["warnings"]] == ["font-lacks-characters"]
    assert "缺少这些字:张," in report["warnings"][0]["message"]


def test_no_chinese_font_falls_back_and_says_so(
    workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A machine without a Chinese font: the PDF names STSong-Light, and the clerk is told it depends on the reader."""
    monkeypatch.setattr("vsledger.write.certificate.system_font", lambda needed: None)
    root = ledger(workspace)
    result = issue(cli, root, tmp_path / "c.pdf")
    assert result.exit_code == 0 and "u1-2024-0001" in result.stdout
    assert "证书未嵌入中文字体,依赖阅读器自带字体" in result.stderr and "--font" in result.stderr
    assert fonts_of(tmp_path / "c.pdf") == {"/STSong-Light": False}
    assert "志愿者姓名:张三" in text_of(tmp_path / "c.pdf")
    as_json = issue(cli, root, tmp_path / "d.pdf", "--format", "json").json()
    assert as_json["font"] == {"embedded": False, "name": "STSong-Light", "file": None}
    assert as_json["warnings"][0]["code"] == "font-not-embedded" and "依赖阅读器自带字体" in as_json["warnings"][0]["message"]
    english = cli(root, "certificate", "-u", "u1", "-v", "V0001", "-o", str(tmp_path / "e.pdf"), lang="en")
    assert "relies on the reader's own" in english.stderr


def test_the_workspace_names_its_font(workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path) -> None:
    """certificate_font in vsledger.yaml, relative to the root: an office's font kept with its ledgers."""
    root = ledger(workspace)
    (root / "fonts").mkdir()
    build_font(root / "fonts" / "TestSong.otf", every_character(root))
    (root / "vsledger.yaml").write_text("certificate_font: fonts/TestSong.otf\n", encoding="utf-8")
    result = issue(cli, root, tmp_path / "c.pdf")
    assert result.exit_code == 0 and "Test Song" in result.stdout
    other = build_font(tmp_path / "Other.ttf", every_character(root), cff=False, family="Other Hei")
    assert "Other Hei" in issue(cli, root, tmp_path / "d.pdf", "--font", str(other)).stdout  # --font comes first
    (root / "vsledger.yaml").write_text("star_thresholds: [10, 20]\ncertificate_font: fonts/宋体.ttf\n", encoding="utf-8")
    refused = issue(cli, root, tmp_path / "e.pdf")
    assert refused.exit_code == 2 and not (tmp_path / "e.pdf").exists()
    assert "vsledger.yaml:2:19: font-missing: 字体文件" in refused.stderr
    (root / "vsledger.yaml").write_text("certificate_font:\n", encoding="utf-8")
    assert "vsledger.yaml:1:18: invalid-font-setting" in issue(cli, root, tmp_path / "e.pdf").stderr


@pytest.mark.parametrize(
    ("make_font", "code"),
    [
        (lambda path: path.write_bytes(b"not a font at all") and path, "不是 vsledger 能读取的字体"),
        (lambda path: build_font(path, string.printable, cff=False, family="Latin Only"), "里没有中文字形"),
        (lambda path: build_font(path, template_text() + string.printable + "张三测试单位", fs_type=2), "的授权不允许嵌入 PDF"),
        (lambda path: path.with_name("absent.ttf"), "不存在"),
    ],
)
def test_a_font_asked_for_is_never_replaced_silently(
    workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path, make_font: Callable[[Path], Path], code: str
) -> None:
    root = ledger(workspace)
    font = make_font(tmp_path / "font.ttf")
    result = issue(cli, root, tmp_path / "c.pdf", "--font", str(font))
    assert result.exit_code == 2 and code in result.stderr and "提示" in result.stderr
    assert not (tmp_path / "c.pdf").exists() and not (root / "ledgers/u1/certificates.yaml").exists()


POPPLER = all(shutil.which(tool) for tool in ("pdftoppm", "pdftotext", "pdffonts"))


@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftoppm, pdftotext, pdffonts) not installed")
def test_the_certificate_prints_in_the_machines_chinese_font(
    workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path
) -> None:
    """As a reader without Chinese fonts sees it: poppler draws only what the PDF carries."""
    font = system_font(template_text())
    if font is None:
        pytest.skip("no embeddable Chinese font on this machine (fonts-wqy-zenhei, fonts-noto-cjk …)")
    out = tmp_path / "证明.pdf"
    result = issue(cli, ledger(workspace), out)
    assert result.exit_code == 0, result.stderr
    assert font.name in result.stdout
    listed = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert len(listed) == 1 and listed[0].split()[-5:-2] == ["yes", "yes", "yes"], listed  # embedded, subset, ToUnicode
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True, text=True, check=True).stdout
    for expected in (
        "志愿服务记录证明",
        "志愿者姓名:张三",
        "出具单位:测试单位",
        "累计志愿服务时长:13.00 小时",
        "2022-05-05  义诊  社区  3.00 小时",
    ):
        assert expected.replace("  ", " ") in text.replace("  ", " "), expected
    page = subprocess.run(["pdftoppm", "-r", "40", "-gray", "-singlefile", str(out)], capture_output=True, check=True)
    assert not page.stderr, page.stderr  # no missing or substituted font
    width, height, pixels = read_pgm(page.stdout)
    title = [pixels[y * width + x] for y in range(int(height * 0.08), int(height * 0.14)) for x in range(width // 4, width * 3 // 4)]
    assert sum(1 for value in title if value < 128) > 50  # the title is drawn, in ink


def read_pgm(data: bytes) -> tuple[int, int, bytes]:
    """A binary PGM (pdftoppm -gray): width, height, one byte per pixel."""
    fields = data.split(maxsplit=4)
    assert fields[0] == b"P5" and fields[3] == b"255"
    return int(fields[1]), int(fields[2]), fields[4]
