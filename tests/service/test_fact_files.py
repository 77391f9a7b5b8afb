import pytest

from huanjie.errors import InvalidInput
from huanjie.service.fact_files import read_facts


def test_cells_stay_text_until_the_schema_types_them(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name,id,phone,votes\n张三,11010519491231002X,013800001111,45\n李四,110105194912310021,8,0\n",
                    encoding="utf-8")
    facts = read_facts(path, field="people", pairs=["present_voters=45", "note=--5", "ok=true"])
    assert facts["people"][0] == {"name": "张三", "id": "11010519491231002X", "phone": "013800001111", "votes": "45"}
    assert facts["people"][1]["id"] == "110105194912310021" and facts["people"][1]["votes"] == "0"
    assert (facts["present_voters"], facts["note"], facts["ok"]) == (45, "--5", True)


def test_a_gbk_yaml_file_is_read(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes("meeting_type: 村民代表会议\ndate: 2026-09-07\n".encode("gb18030"))
    assert read_facts(path) == {"meeting_type": "村民代表会议", "date": "2026-09-07"}


@pytest.mark.parametrize("name,text,message", [
    ("x.csv", "name,votes\n张三,1,多余\n", "列数多于表头"),
    ("x.json", "{bad json", "格式错误"),
    ("x.json", "[1, 2]", "顶层须为键值表"),
    ("x.txt", "a", "不支持的文件类型"),
])
def test_bad_files_are_explained(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        read_facts(path, field="rows")
