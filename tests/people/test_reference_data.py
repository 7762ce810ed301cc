"""The reference tables in fixtures/reference/ as loaded by `load_reference_data()`."""

import pytest

from exam.models import Level, Specialty, TcmCategory
from people.models import Division, EducationLevel, Ethnicity, PoliticalStatus
from review.reference_data import load_reference_data

pytestmark = pytest.mark.usefixtures("reference_data")

DivisionLevel = Division.Level


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Division,
            Ethnicity,
            PoliticalStatus,
            EducationLevel,
            Level,
            Specialty,
            TcmCategory,
        )
    }


class TestDivisions:
    def test_national_totals(self):
        assert Division.objects.count() == 3214
        assert Division.objects.filter(level=DivisionLevel.PROVINCE).count() == 34
        assert Division.objects.filter(level=DivisionLevel.PREFECTURE).count() == 333
        assert Division.objects.filter(level=DivisionLevel.COUNTY).count() == 2847

    def test_provinces_have_no_parent_and_everything_else_has_one(self):
        assert not Division.objects.filter(
            level=DivisionLevel.PROVINCE, parent__isnull=False
        ).exists()
        assert (
            not Division.objects.exclude(level=DivisionLevel.PROVINCE).filter(parent=None).exists()
        )
        # Every parent is one level up, or the province for directly administered counties.
        assert not Division.objects.filter(
            level=DivisionLevel.PREFECTURE, parent__level=DivisionLevel.COUNTY
        ).exists()
        assert not Division.objects.filter(
            level=DivisionLevel.PREFECTURE, parent__level=DivisionLevel.PREFECTURE
        ).exists()
        assert not Division.objects.filter(
            level=DivisionLevel.COUNTY, parent__level=DivisionLevel.COUNTY
        ).exists()

    def test_codes_nest_under_their_province(self):
        for division in Division.objects.exclude(parent=None).select_related("parent"):
            assert division.code[:2] == division.parent.code[:2], division

    def test_hubei(self):
        hubei = Division.objects.get(code="420000")
        assert hubei.name == "湖北省"
        assert hubei.level == DivisionLevel.PROVINCE
        assert hubei.children.filter(level=DivisionLevel.PREFECTURE).count() == 13
        assert (
            Division.objects.filter(level=DivisionLevel.COUNTY, code__startswith="42").count()
            == 103
        )

    @pytest.mark.parametrize(
        ("code", "name"),
        [
            ("429004", "仙桃市"),
            ("429005", "潜江市"),
            ("429006", "天门市"),
            ("429021", "神农架林区"),
        ],
    )
    def test_directly_administered_counties_hang_under_the_province(self, code, name):
        division = Division.objects.get(code=code)
        assert (division.name, division.level, division.parent_id) == (
            name,
            DivisionLevel.COUNTY,
            "420000",
        )

    def test_no_invented_429000_row(self):
        assert not Division.objects.filter(code="429000").exists()

    def test_wuhan(self):
        wuhan = Division.objects.get(code="420100")
        assert (wuhan.name, wuhan.level, wuhan.parent_id) == (
            "武汉市",
            DivisionLevel.PREFECTURE,
            "420000",
        )
        children = wuhan.children.all()
        assert children.count() == 13
        assert {c.level for c in children} == {DivisionLevel.COUNTY}
        assert children.filter(code="420102", name="江岸区").exists()


class TestCodeTables:
    def test_ethnic_groups(self):
        codes = list(Ethnicity.objects.values_list("code", flat=True))
        assert len(codes) == 58
        assert codes == [f"{n:02d}" for n in range(1, 57)] + ["97", "98"]
        assert Ethnicity.objects.get(code="01").name == "汉族"
        assert Ethnicity.objects.get(code="56").name == "基诺族"

    def test_political_statuses(self):
        assert PoliticalStatus.objects.count() == 13
        assert PoliticalStatus.objects.get(code="01").name == "中共党员"
        assert PoliticalStatus.objects.get(code="13").name == "群众"

    def test_education_levels(self):
        assert EducationLevel.objects.count() == 40
        labelled = dict(
            EducationLevel.objects.exclude(exam_label="").values_list("code", "exam_label")
        )
        assert labelled == {"10": "研究生", "20": "本科", "30": "大专", "40": "中专"}
        for code in labelled:
            assert EducationLevel.objects.get(code=code).kind == EducationLevel.Kind.CATEGORY
        items = EducationLevel.objects.filter(kind=EducationLevel.Kind.ITEM).select_related(
            "parent"
        )
        assert items.exists()
        for item in items:
            assert item.parent.kind == EducationLevel.Kind.CATEGORY
            assert item.code[0] == item.parent.code[0]

    def test_levels_and_partial_specialties(self):
        assert list(Level.objects.values_list("code", "name")) == [
            ("1", "初级(士)"),
            ("2", "初级(师)"),
            ("3", "中级"),
        ]
        assert Specialty.objects.count() == 32
        for specialty in Specialty.objects.select_related("level"):
            assert specialty.code.startswith(specialty.level.code), specialty
            assert len(specialty.code) == 3
        assert Specialty.objects.get(code="101").name == "药学(士)"

    def test_tcm_categories(self):
        assert TcmCategory.objects.count() == 6
        techniques = set(
            TcmCategory.objects.filter(
                category_type=TcmCategory.CategoryType.TECHNIQUE
            ).values_list("name", flat=True)
        )
        assert {"内服方药", "外治技术"} <= techniques


class TestReload:
    def test_loading_twice_changes_nothing(self):
        before = counts()
        names = dict(Division.objects.values_list("code", "name"))
        result = load_reference_data()
        assert counts() == before
        assert dict(Division.objects.values_list("code", "name")) == names
        assert result["行政区划"] == 3214
        assert result["民族"] == 58

    def test_reload_restores_changed_rows(self):
        Division.objects.filter(code="420100").update(name="改错的名字")
        Ethnicity.objects.filter(code="01").update(name="改错的民族")
        EducationLevel.objects.filter(code="20").update(exam_label="")
        Specialty.objects.filter(code="101").update(name="改错的专业")
        before = counts()

        load_reference_data()

        assert counts() == before
        assert Division.objects.get(code="420100").name == "武汉市"
        assert Ethnicity.objects.get(code="01").name == "汉族"
        assert EducationLevel.objects.get(code="20").exam_label == "本科"
        assert Specialty.objects.get(code="101").name == "药学(士)"
