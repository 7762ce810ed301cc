"""修改内容's diff of two payloads (review/changes.py): pure, no database."""

import copy

from review.changes import diff_payloads, known_hashes, payload_files


def _file(slot, name, sha, label="证书图片"):
    return {"slot": slot, "label": label, "name": name, "sha256": sha, "copy": ""}


def _payload():
    return {
        "v": 1,
        "sections": [
            {
                "code": "basic",
                "label": "基础信息",
                "fields": [["姓名", "张三"], ["手机号码", "13800000000"]],
                "lists": [],
                "records": [],
                "files": [_file("photo", "photo-1.jpg", "aaa", "证件照")],
            },
            {
                "code": "education",
                "label": "学历信息",
                "fields": [],
                "lists": [],
                "records": [
                    {
                        "key": "educationrecord:1",
                        "group": "学历信息",
                        "title": "学历信息：湖北中医药大学",
                        "fields": [["毕业学校", "湖北中医药大学"], ["所学专业", "护理学"]],
                        "files": [_file("image", "edu-1.png", "bbb")],
                    }
                ],
                "files": [],
            },
            {
                "code": "study",
                "label": "学习经历",
                "fields": [],
                "lists": [["学习经历", ["2010-2015 湖北中医药大学"]]],
                "records": [],
                "files": [],
            },
        ],
    }


def _by_code(sections):
    return {s.code: s for s in sections}


def test_identical_payloads_change_nothing():
    sections = diff_payloads(_payload(), _payload())
    assert [s.code for s in sections] == ["basic", "education", "study"]
    assert not any(s.changed for s in sections)


def test_a_changed_field_gives_old_and_new():
    new = _payload()
    new["sections"][0]["fields"][1] = ["手机号码", "13900000000"]
    basic = _by_code(diff_payloads(_payload(), new))["basic"]
    assert [(c.label, c.old, c.new) for c in basic.fields] == [
        ("手机号码", "13800000000", "13900000000")
    ]
    assert basic.changed and basic.count == 1
    assert not _by_code(diff_payloads(_payload(), new))["education"].changed


def test_a_field_that_appears_or_disappears_counts():
    new = _payload()
    new["sections"][0]["fields"].append(["民族", "汉族"])
    del new["sections"][0]["fields"][0]
    basic = _by_code(diff_payloads(_payload(), new))["basic"]
    assert {(c.label, c.old, c.new) for c in basic.fields} == {
        ("民族", "", "汉族"),
        ("姓名", "张三", ""),
    }


def test_records_added_removed_and_changed():
    new = _payload()
    records = new["sections"][1]["records"]
    records[0]["fields"][1] = ["所学专业", "临床医学"]
    records.append(
        {
            "key": "educationrecord:2",
            "group": "学历信息",
            "title": "学历信息：武汉大学",
            "fields": [["毕业学校", "武汉大学"]],
            "files": [],
        }
    )
    education = _by_code(diff_payloads(_payload(), new))["education"]
    assert [r.title for r in education.records_added] == ["学历信息：武汉大学"]
    assert education.records_removed == []
    [changed] = education.records_changed
    assert [(c.label, c.old, c.new) for c in changed.fields] == [("所学专业", "护理学", "临床医学")]

    removed = _by_code(diff_payloads(new, _payload()))["education"]
    assert [r.title for r in removed.records_removed] == ["学历信息：武汉大学"]
    assert removed.records_removed[0].fields == [("毕业学校", "武汉大学")]


def test_a_replaced_file_is_found_by_its_content_under_the_same_label():
    new = _payload()
    new["sections"][1]["records"][0]["files"] = [_file("image", "edu-2.png", "ccc")]
    [record] = _by_code(diff_payloads(_payload(), new))["education"].records_changed
    [change] = record.files
    assert change.action == "更换"
    assert (change.old["name"], change.new["name"]) == ("edu-1.png", "edu-2.png")


def test_the_same_content_uploaded_again_is_no_change():
    new = _payload()
    new["sections"][1]["records"][0]["files"] = [_file("image", "edu-2.png", "bbb")]
    assert not _by_code(diff_payloads(_payload(), new))["education"].changed


def test_files_added_and_removed_in_a_section():
    new = _payload()
    new["sections"][0]["files"] = [_file("x|1", "proof.pdf", "ddd", "证明")]
    [added, removed] = sorted(
        _by_code(diff_payloads(_payload(), new))["basic"].files, key=lambda c: c.action
    )
    assert (added.action, added.label) == ("删除", "证件照")
    assert (removed.action, removed.label) == ("新增", "证明")


def test_list_items_compared_by_content():
    new = _payload()
    new["sections"][2]["lists"][0][1] = ["2010-2015 湖北中医药大学", "2016 进修"]
    study = _by_code(diff_payloads(_payload(), new))["study"]
    assert study.items_added == [("学习经历", "2016 进修")] and study.items_removed == []
    new["sections"][2]["lists"][0][1] = ["2016 进修"]
    study = _by_code(diff_payloads(_payload(), new))["study"]
    assert study.items_removed == [("学习经历", "2010-2015 湖北中医药大学")]


def test_two_rounds_compare_each_snapshot_with_the_next():
    round1 = _payload()
    round2 = copy.deepcopy(round1)
    round2["sections"][0]["fields"][0] = ["姓名", "张叁"]
    now = copy.deepcopy(round2)
    now["sections"][1]["records"][0]["files"] = [_file("image", "edu-9.png", "zzz")]
    first, second = diff_payloads(round1, round2), diff_payloads(round2, now)
    assert [s.code for s in first if s.changed] == ["basic"]
    assert [s.code for s in second if s.changed] == ["education"]


def test_known_hashes_cover_section_and_record_files():
    assert known_hashes(_payload()) == {"photo-1.jpg": "aaa", "edu-1.png": "bbb"}
    assert len(payload_files(_payload())) == 2
