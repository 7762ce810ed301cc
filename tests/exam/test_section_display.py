"""The (label, value) pairs both 查看详情 pages show for section data."""

from exam.models import ExamKind
from exam.section_display import display_value, section_fields

TCM = ExamKind.TCM_EXPERTISE


def test_fields_follow_the_section_order_and_unknown_keys_come_last():
    data = {"legacy_note": "旧数据", "experience": "随师六年", "place_name": "李氏诊所"}
    fields = section_fields(TCM, "apprenticeship", data, empty="—")
    assert fields == [
        ("学习地点名称", "李氏诊所"),
        ("跟师学习医术及实践经历", "随师六年"),
        ("legacy_note", "旧数据"),
    ]


def test_empty_values_show_the_page_mark_and_booleans_read_yes_or_no():
    data = {"ended_on": "", "has_certificate": False, "place_name": None}
    for empty in ("—", ""):
        assert dict(section_fields(TCM, "apprenticeship", data, empty=empty)) == {
            "学习地点名称": empty,
            "跟师学习结束时间": empty,
            "具有《传统医学师承出师证书》": "否",
        }


def test_list_items_are_labelled():
    records = [{"school": "湖北中医药大学", "major": "中医学"}, "补充说明"]
    value = display_value(records, {"school": "学校", "major": "专业"}, empty="—")
    assert value == "学校：湖北中医药大学，专业：中医学；补充说明"
    assert display_value([], empty="—") == "无"
