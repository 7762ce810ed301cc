"""Identity document numbers: one rule per document type, each refusal says why in Chinese."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric
from stdnum.iso7064 import mod_11_2

from people import id_documents
from people.models import IdType
from people.models.candidates import validate_id_document


def gb11643(body17: str) -> str:
    """A 17-digit body plus its GB 11643 check digit. `ric.calc_check_digit` takes the whole
    18-character number and ignores the last character, hence the padding."""
    assert len(body17) == 17
    return body17 + ric.calc_check_digit(body17 + "0")


def refusal(validator, number: str) -> str:
    with pytest.raises(ValidationError) as info:
        validator(number)
    return " ".join(info.value.messages)


def test_stdnum_check_digit_takes_the_full_number():
    """Why the helpers pad: passing the 17-digit body silently drops its last digit."""
    body = "42010219900307123"
    assert ric.calc_check_digit(body + "0") == ric.calc_check_digit(body + "7")
    assert ric.calc_check_digit(body + "0") == mod_11_2.calc_check_digit(body) == "2"
    assert ric.calc_check_digit(body) != "2"
    assert ric.is_valid(gb11643(body))


# --- 居民身份证 -------------------------------------------------------------------------


class TestResidentId:
    validate = staticmethod(id_documents.validate_resident_id)

    def test_valid_number_gives_birth_date_and_gender(self):
        number = gb11643("42010219900307123")  # 17th digit 3: odd, male
        facts = self.validate(number)
        assert facts == id_documents.IdFacts(
            number=number, birth_date=datetime.date(1990, 3, 7), gender="male"
        )

    def test_even_sequence_digit_is_female(self):
        facts = self.validate(gb11643("42010219851231002"))
        assert facts.birth_date == datetime.date(1985, 12, 31)
        assert facts.gender == "female"

    def test_check_digit_x_and_lower_case_x_normalised(self):
        body = next(
            f"42010219900307{seq:03d}"
            for seq in range(1000)
            if ric.calc_check_digit(f"42010219900307{seq:03d}0") == "X"
        )
        number = body + "X"
        assert self.validate(number).number == number
        assert self.validate(body + "x").number == number

    def test_spaces_and_hyphens_stripped(self):
        number = gb11643("42010219900307123")
        spaced = f" {number[:6]} {number[6:14]}-{number[14:]} "
        assert self.validate(spaced).number == number

    def test_bad_check_digit(self):
        number = gb11643("42010219900307123")
        wrong = number[:17] + ("1" if number[17] != "1" else "2")
        assert "校验位错误" in refusal(self.validate, wrong)

    def test_birth_date_in_the_future(self):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        number = gb11643(f"420102{tomorrow:%Y%m%d}123")
        ric.validate(number)  # stdnum accepts it: the check is ours
        assert "晚于今天" in refusal(self.validate, number)

    def test_birth_date_more_than_120_years_ago(self):
        number = gb11643("11010119000101123")
        assert "120年" in refusal(self.validate, number)

    @pytest.mark.parametrize("days_back", [0, 1, 2, 3, 4, 5])
    def test_births_of_the_last_days_are_checked_against_the_local_date(self, days_back):
        # Near today the quick path steps aside and Django's local date decides.
        birth = timezone.localdate() - datetime.timedelta(days=days_back)
        number = gb11643(f"420102{birth:%Y%m%d}123")
        assert self.validate(number).birth_date == birth

    @pytest.mark.parametrize(("years_back", "accepted"), [(118, True), (119, True), (121, False)])
    def test_the_oldest_accepted_births(self, years_back, accepted):
        today = timezone.localdate()
        birth = datetime.date(today.year - years_back, 1, 1)
        number = gb11643(f"110101{birth:%Y%m%d}123")
        if accepted:
            assert self.validate(number).birth_date == birth
        else:
            assert "120年" in refusal(self.validate, number)

    def test_impossible_birth_date(self):
        number = gb11643("42010219900230123")
        assert "出生日期不存在" in refusal(self.validate, number)

    def test_unknown_region_code(self):
        assert "行政区划代码" in refusal(self.validate, gb11643("00000019900307123"))

    def test_unknown_county_of_a_known_province(self):
        # stdnum's own check raises KeyError here (province 42 known, 9999 not).
        with pytest.raises(KeyError):
            ric.validate(gb11643("42999919900307123"))
        assert "行政区划代码" in refusal(self.validate, gb11643("42999919900307123"))

    @pytest.mark.parametrize(
        "body",
        [
            "42010219750307123",  # 江岸区, listed by stdnum from 1983 only
            "42900419700101123",  # 仙桃市, listed from 1994
        ],
    )
    def test_region_code_created_after_birth_is_accepted(self, body):
        """A number is assigned at first registration, so the code may be younger than the
        holder; stdnum refuses these, we must not."""
        number = gb11643(body)
        assert not ric.is_valid(number)
        assert self.validate(number).number == number

    def test_region_code_abolished_before_birth_is_refused(self):
        # 110103 崇文区 was merged into 东城区 in 2010.
        assert self.validate(gb11643("11010320050101123")).birth_date.year == 2005
        assert "行政区划代码" in refusal(self.validate, gb11643("11010320150101123"))

    def test_residence_permit_number_is_not_a_resident_id(self):
        number = gb11643("81000020000101123")
        assert ric.is_valid(number)  # stdnum would take it for a resident ID
        assert "港澳台居民居住证" in refusal(self.validate, number)

    def test_fifteen_digit_number_no_longer_in_use(self):
        assert "已停止使用" in refusal(self.validate, "420102900307123")

    @pytest.mark.parametrize(("number", "length"), [("4201021990030712", 16), ("4" * 19, 19)])
    def test_wrong_length(self, number, length):
        assert f"应为18位，当前为{length}位" in refusal(self.validate, number)

    @pytest.mark.parametrize("number", ["42010219900307A23X", "X20102199003071232"])
    def test_letters_inside(self, number):
        assert "前17位应为数字" in refusal(self.validate, number)


# --- 港澳台居民居住证 ---------------------------------------------------------------------


class TestResidencePermit:
    validate = staticmethod(id_documents.validate_residence_permit)

    @pytest.mark.parametrize("prefix", ["810000", "820000", "830000"])
    def test_valid_numbers(self, prefix):
        number = gb11643(f"{prefix}19900307124")
        facts = self.validate(number)
        assert facts == id_documents.IdFacts(
            number=number, birth_date=datetime.date(1990, 3, 7), gender="female"
        )
        # stdnum's resident-ID rule refuses them (no such county in the birth year, or no
        # such region at all for 830000), hence a rule of our own.
        with pytest.raises(stdnum_errors.ValidationError):
            ric.validate(number)

    def test_check_digit_is_gb11643_over_all_17_digits(self):
        body = "82000019900307123"
        good = body + mod_11_2.calc_check_digit(body)
        assert self.validate(good).number == good
        # What `ric.calc_check_digit(body)` gives (it drops the body's last digit) must not pass.
        dropped = body + ric.calc_check_digit(body)
        assert dropped != good
        assert "校验位错误" in refusal(self.validate, dropped)

    def test_bad_check_digit(self):
        number = gb11643("82000019900307123")
        wrong = number[:17] + ("0" if number[17] != "0" else "1")
        assert "校验位错误" in refusal(self.validate, wrong)

    @pytest.mark.parametrize("prefix", ["840000", "420102", "810100"])
    def test_wrong_prefix(self, prefix):
        assert "810000" in refusal(self.validate, gb11643(f"{prefix}19900307123"))

    def test_impossible_birth_date(self):
        assert "出生日期不存在" in refusal(self.validate, gb11643("83000019900230123"))

    @pytest.mark.parametrize("number", ["8100001990030712", "81000019900307123A"])
    def test_bad_form(self, number):
        assert "应为18位" in refusal(self.validate, number)


# --- 港澳居民来往内地通行证 / 台湾居民来往大陆通行证 -------------------------------------------


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("H12345678", "H12345678"),
        ("M87654321", "M87654321"),
        ("h1234567890", "H1234567890"),
        ("H 1234-5678", "H12345678"),
    ],
)
def test_hk_macau_permit_valid(value, number):
    assert id_documents.validate_hk_macau_permit(value) == id_documents.IdFacts(number=number)


@pytest.mark.parametrize(
    "value", ["C12345678", "12345678", "H1234567", "H123456789", "H123456789012", "HM1234567"]
)
def test_hk_macau_permit_refused(value):
    message = refusal(id_documents.validate_hk_macau_permit, value)
    assert "H或M加8位数字" in message


@pytest.mark.parametrize("value", ["12345678", "1234567890", "1234 5678"])
def test_taiwan_permit_valid(value):
    facts = id_documents.validate_taiwan_permit(value)
    assert facts.number == value.replace(" ", "")
    assert facts.birth_date is None and facts.gender is None


@pytest.mark.parametrize(
    "value", ["1234567", "123456789", "12345678901", "T1234567", "H12345678", ""]
)
def test_taiwan_permit_refused(value):
    assert "8位数字" in refusal(id_documents.validate_taiwan_permit, value)


# --- 护照 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("E12345678", "E12345678"),
        ("e12345678", "E12345678"),
        ("12345", "12345"),
        ("AB1234567890CDEFG", "AB1234567890CDEFG"),
    ],
)
def test_passport_valid(value, number):
    assert id_documents.validate_passport(value) == id_documents.IdFacts(number=number)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("E123", "5至17位"),
        ("AB1234567890CDEFGH", "5至17位"),
        ("E1234.5678", "5至17位"),
        ("E1234/5678", "5至17位"),
        ("护照12345", "5至17位"),
        ("ABCDEFGH", "应包含数字"),
    ],
)
def test_passport_refused(value, reason):
    assert reason in refusal(id_documents.validate_passport, value)


# --- 外国人永久居留身份证 -------------------------------------------------------------------


class TestForeignPermanentResidence:
    validate = staticmethod(id_documents.validate_foreign_permanent_residence)

    @pytest.mark.parametrize(
        ("number", "birth"),
        [
            ("USA119001010010", datetime.date(1990, 1, 1)),  # 2090 would be in the future
            ("CAN420503151234", datetime.date(2005, 3, 15)),
            ("gbr31 760704 0001", datetime.date(1976, 7, 4)),
        ],
    )
    def test_2017_card(self, number, birth):
        facts = self.validate(number)
        assert facts.number == number.upper().replace(" ", "")
        assert facts.birth_date == birth
        assert facts.gender is None

    def test_2017_card_impossible_birth_date(self):
        assert "出生日期不存在" in refusal(self.validate, "USA119002300010")

    def test_2023_card(self):
        number = gb11643("94284019900101123")  # 9, province 42, country 840, 1990-01-01
        facts = self.validate(number)
        assert facts == id_documents.IdFacts(
            number=number, birth_date=datetime.date(1990, 1, 1), gender="male"
        )

    def test_2023_card_female(self):
        facts = self.validate(gb11643("94215619851120002"))
        assert facts.birth_date == datetime.date(1985, 11, 20)
        assert facts.gender == "female"

    def test_2023_card_bad_check_digit(self):
        number = gb11643("94284019900101123")
        wrong = number[:17] + ("5" if number[17] != "5" else "6")
        assert "校验位错误" in refusal(self.validate, wrong)

    def test_2023_card_birth_date_in_the_future(self):
        future = timezone.localdate() + datetime.timedelta(days=400)
        assert "晚于今天" in refusal(self.validate, gb11643(f"942840{future:%Y%m%d}123"))

    @pytest.mark.parametrize(
        "number",
        [
            "US119001010010",  # 2 letters
            "USA11900101001",  # 11 digits
            "USA1190010100101",  # 13 digits
            gb11643("84284019900101123"),  # 18 digits not starting with 9
            "9428401990010112",  # 16 characters
            "",
        ],
    )
    def test_anything_else_refused(self, number):
        assert "2023版" in refusal(self.validate, number)


# --- dispatch by document type ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("id_type", "number"),
    [
        (IdType.RESIDENT_ID, gb11643("42010219900307123")),
        (IdType.HK_MACAU_PERMIT, "H12345678"),
        (IdType.TAIWAN_PERMIT, "12345678"),
        (IdType.RESIDENCE_PERMIT, gb11643("81000019900307123")),
        (IdType.PASSPORT, "E12345678"),
        (IdType.FOREIGN_PERMANENT, "USA119001010010"),
    ],
)
def test_validate_id_document_uses_the_rule_of_the_type(id_type, number):
    assert validate_id_document(id_type, number).number == number
    # Every other type's rule refuses it, except the passport's (5–17 letters and digits,
    # a form that covers several other documents).
    for other in IdType:
        if other in (id_type, IdType.PASSPORT):
            continue
        with pytest.raises(ValidationError):
            validate_id_document(other, number)


def test_validate_id_document_unknown_type():
    assert "未知的证件类型" in refusal(lambda n: validate_id_document("driving_licence", n), "1")
