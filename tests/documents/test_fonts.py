"""The 公文 faces: licensed ones from the data directory first, else free faces chosen by GB 2312 coverage."""

from __future__ import annotations

import os

import pytest
from fontTools.ttLib import TTFont

from huanjie.documents.docx_writer import write_docx
from huanjie.documents.fonts import coverage_warnings, faces, gb2312_hanzi, measurements
from huanjie.documents.pdf import fontconfig_xml
from huanjie.documents.render import page, prepare
from tests.documents.support import source

KAI_GB = "/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf"


def test_free_faces_are_chosen_only_when_they_draw_all_of_gb_2312():
    assert len(gb2312_hanzi()) == 6763
    chosen = faces(None)
    assert all(f.gb2312_missing == 0 and not f.licensed for f in chosen.values())
    measured = {name: missing for _, name, missing in measurements()}
    if measured.get("cwTeXFangSong"):  # the one free 仿宋 (fonts-cwtex-fs) is a traditional-character face
        assert chosen["body"].family != "cwTeXFangSong"
    assert chosen["title"].postscript.startswith("NotoSerifCJKsc-Bold")  # the Chinese face, not the Japanese


@pytest.mark.skipif(not os.path.exists(KAI_GB), reason="fonts-arphic-gkai00mp is installed by ./dev test")
def test_a_licensed_face_in_the_fonts_folder_is_used(tmp_path):
    font = TTFont(KAI_GB)
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = "仿宋_GB2312"
    font["name"].setName("FangSong_GB2312", 6, 3, 1, 0x409)
    (tmp_path / "fonts").mkdir()
    font.save(str(tmp_path / "fonts" / "fs.ttf"))
    chosen = faces(tmp_path / "fonts")
    assert chosen["body"].licensed and chosen["body"].family == "仿宋_GB2312"
    assert chosen["title"].licensed is False  # no 小标宋 in the folder: the free face stays
    assert str((tmp_path / "fonts").resolve()) in fontconfig_xml(tmp_path / "fonts")


def test_a_character_no_face_can_draw_is_named():
    docx = write_docx(page(prepare("D01", source("P2.2", {"P2.1": {"party_org": "中共𠮷村支部委员会"}})), None))
    warnings = coverage_warnings(docx)
    assert any("小标宋" in w and "𠮷" in w for w in warnings) and any("仿宋" in w and "𠮷" in w for w in warnings)
    assert coverage_warnings(write_docx(page(prepare("D01", source("P2.2")), None))) == []
