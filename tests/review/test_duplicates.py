"""查重 on the review side: the detail page's flags and the 查重 list with its export, each
scoped by the one visibility rule (a side the viewer may not open: no name, no ID number, no
file)."""

import io

import openpyxl
import pytest
from django.urls import reverse

from core.masking import mask_id_number
from devtools.demo.diplomas import cropped, diploma, jpeg_bytes, resaved
from exam.duplicates.models import Match, MatchKind
from review.duplicate_exports import OUT_OF_SCOPE
from tests.builders import advance_to, submitted
from tests.exam.test_duplicate_files import _attach
from tests.exports import export_post, without_footer
from tests.storage import use_test_storage

pytestmark = pytest.mark.django_db

DIPLOMA = diploma("张三", "10486120180512")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    return use_test_storage(settings, tmp_path)


@pytest.fixture
def pair(tcm_project, tree, reviewers):
    """江岸 and 武昌 (both 武汉) with the same diploma; 宜昌's with a re-saved, cropped copy.
    All three at the province: each county sees its own, 武汉 its two, 宜昌 its one."""
    jiangan = advance_to(submitted(tcm_project, tree["420102"]), "province")
    wuchang = advance_to(submitted(tcm_project, tree["420106"]), "province")
    yichang = advance_to(submitted(tcm_project, tree["420502"]), "province")
    data = jpeg_bytes(DIPLOMA)
    files = {
        "jiangan": _attach(jiangan, data),
        "wuchang": _attach(wuchang, data),
        "yichang": _attach(
            yichang, jpeg_bytes(cropped(resaved(DIPLOMA, quality=60), left=0.03), quality=75)
        ),
    }
    assert Match.objects.filter(kind=MatchKind.FILE_SAME).count() == 1
    assert Match.objects.filter(kind=MatchKind.FILE_NEAR).count() == 2
    return {"jiangan": jiangan, "wuchang": wuchang, "yichang": yichang, "files": files}


def _detail(client, user, application) -> str:
    client.force_login(user)
    response = client.get(reverse("admin:review_reviewapplication_change", args=[application.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _file_url(application, attachment) -> str:
    return reverse(
        "admin:review_reviewapplication_file", args=[application.pk, "attachment", attachment.pk]
    )


class TestDetailFlags:
    def test_viewer_of_both_sees_the_other_and_both_files(self, client, reviewers, pair):
        page = _detail(client, reviewers["city_wuhan"], pair["jiangan"])
        other = pair["wuchang"]
        assert "相同文件" in page and "相似度 100%" in page
        assert other.candidate.name in page and other.candidate.id_number in page
        assert other.entry_institution.name in page
        assert reverse("admin:review_reviewapplication_change", args=[other.pk]) in page
        assert "并排查看" in page
        assert _file_url(other, pair["files"]["wuchang"]) in page
        assert _file_url(pair["jiangan"], pair["files"]["jiangan"]) in page
        # 宜昌's copy is outside 武汉's scope: counted, never named
        assert "另有 1 份相同/相似材料在您的审核范围之外" in page
        assert pair["yichang"].candidate.id_number not in page
        assert _file_url(pair["yichang"], pair["files"]["yichang"]) not in page

    def test_both_pages_carry_the_flag(self, client, reviewers, pair):
        page = _detail(client, reviewers["province"], pair["yichang"])
        for name in ("jiangan", "wuchang"):
            assert pair[name].candidate.id_number in page
        assert "相似图片" in page and "审核范围之外" not in page

    def test_county_sees_only_that_a_match_exists(self, client, reviewers, pair):
        page = _detail(client, reviewers["county_jiangan"], pair["jiangan"])
        assert "另有 2 份相同/相似材料在您的审核范围之外" in page
        for name in ("wuchang", "yichang"):
            application = pair[name]
            assert application.candidate.name not in page
            assert application.candidate.id_number not in page
            file_url = _file_url(application, pair["files"][name])
            assert file_url not in page
            assert client.get(file_url).status_code == 404

    def test_no_matches_no_card(self, client, reviewers, tcm_project, tree):
        alone = advance_to(submitted(tcm_project, tree["420102"]), "city")
        _attach(alone, jpeg_bytes(diploma("赵六", "99", portrait=True)))
        assert 'id="duplicates"' not in _detail(client, reviewers["city_wuhan"], alone)


LIST_URL = "admin:duplicates_match_changelist"


class TestList:
    def test_province_sees_every_pair_with_names(self, client, reviewers, pair):
        client.force_login(reviewers["province"])
        page = client.get(reverse(LIST_URL)).content.decode()
        for name in ("jiangan", "wuchang", "yichang"):
            assert pair[name].candidate.id_number in page
        assert OUT_OF_SCOPE not in page

    def test_city_sees_its_pairs_the_other_city_hidden(self, client, reviewers, pair):
        client.force_login(reviewers["city_wuhan"])
        response = client.get(reverse(LIST_URL))
        assert response.status_code == 200
        page = response.content.decode()
        assert pair["jiangan"].candidate.id_number in page
        assert pair["wuchang"].candidate.id_number in page
        assert pair["yichang"].candidate.id_number not in page
        assert pair["yichang"].candidate.name not in page
        assert page.count(OUT_OF_SCOPE) == 2  # 宜昌's side of its two pairs

    def test_city_without_any_pair_in_scope_sees_none(self, client, reviewers, pair):
        Match.objects.filter(kind=MatchKind.FILE_SAME).delete()  # leaves the two 宜昌 pairs
        client.force_login(reviewers["city_yichang"])
        page = client.get(reverse(LIST_URL)).content.decode()
        assert pair["yichang"].candidate.id_number in page
        assert pair["jiangan"].candidate.id_number not in page

    @pytest.mark.parametrize("username", ["county_jiangan", "unit_a"])
    def test_county_and_unit_staff_are_refused(self, client, reviewers, pair, username):
        client.force_login(reviewers[username])
        assert client.get(reverse(LIST_URL)).status_code == 403
        index = client.get(reverse("admin:index")).content.decode()
        assert reverse(LIST_URL) not in index

    def test_sidebar_entry_for_city_staff(self, client, reviewers, pair):
        client.force_login(reviewers["city_wuhan"])
        assert reverse(LIST_URL) in client.get(reverse("admin:index")).content.decode()

    def test_filters(self, client, reviewers, pair):
        client.force_login(reviewers["province"])
        same = client.get(reverse(LIST_URL) + "?kind=file_same").content.decode()
        assert pair["yichang"].candidate.id_number not in same
        assert pair["jiangan"].candidate.id_number in same
        high = client.get(reverse(LIST_URL) + "?similarity=90").content.decode()
        near = Match.objects.filter(kind=MatchKind.FILE_NEAR).first()
        expected_in_high = near.similarity >= 90
        assert (pair["yichang"].candidate.id_number in high) == expected_in_high


class TestExport:
    def _rows(self, client, query=""):
        response = client.post(
            reverse("admin:duplicates_match_export") + query, {"purpose": "查重核对"}
        )
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        return without_footer([list(row) for row in sheet.iter_rows(values_only=True)])

    def test_city_export_hides_the_other_citys_side(self, client, reviewers, pair):
        client.force_login(reviewers["city_wuhan"])
        rows = self._rows(client)
        assert rows[0][:4] == ["类型", "相似度（%）", "甲方姓名", "甲方证件号码"]
        body = rows[1:]
        assert len(body) == 3
        cells = [str(c) for row in body for c in row if c is not None]
        assert pair["yichang"].candidate.id_number not in cells
        assert mask_id_number(pair["yichang"].candidate.id_number) not in cells
        assert pair["yichang"].candidate.name not in cells
        assert cells.count(OUT_OF_SCOPE) == 2
        same = next(row for row in body if row[0] == "相同文件")
        assert same[1] == 100
        ids = {same[3], same[7]}
        assert ids == {
            mask_id_number(pair["jiangan"].candidate.id_number),
            mask_id_number(pair["wuchang"].candidate.id_number),
        }

    def test_export_follows_the_filters(self, client, reviewers, pair):
        client.force_login(reviewers["province"])
        rows = self._rows(client, "?kind=file_near")
        assert [row[0] for row in rows[1:]] == ["相似图片", "相似图片"]
        assert all("感知哈希相差" in row[10] for row in rows[1:])

    def test_county_may_not_export(self, client, reviewers, pair):
        client.force_login(reviewers["county_jiangan"])
        assert client.get(reverse("admin:duplicates_match_export")).status_code == 403
        assert export_post(client, reverse("admin:duplicates_match_export")).status_code == 403
