"""What the benchmark data set is made of: the marks that let `--clear` find it, the fixed
project year and times, the share of TCM, and word lists; Scale sizes it by the number of
applications."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from exam.models import ExamKind

BENCH_PHONE_PREFIX = "1990"
BENCH_UNIT_PREFIX = "BU"
BENCH_MARK = "BENCH"
BENCH_SOURCE = "benchmark"
BENCH_USER_PREFIX = "bench_"
BENCH_PROVINCE_USER = "bench_province"
BENCH_PASSWORD = "bench12345"
DEFAULT_SEED = 20260601

PROVINCE_CODE = "420000"
PROJECT_YEAR = 2026
PROJECT_NAMES = {
    ExamKind.HEALTH_QUALIFICATION: "2026年卫生专业技术资格考试",
    ExamKind.TCM_EXPERTISE: "2026年湖北省中医医术确有专长人员医师资格考核",
}
# Fixed times keep the data set the same from one day to the next.
TZ = datetime.timezone(datetime.timedelta(hours=8))
BASE_TIME = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=TZ)
TCM_SHARE = 0.08  # mostly the health exam
CHUNK = 20_000  # applications generated and written per round (bounds memory)

UNIT_KINDS = (
    "人民医院",
    "中医医院",
    "妇幼保健院",
    "社区卫生服务中心",
    "卫生院",
    "疾病预防控制中心",
)
EDUCATION = {"10": "研究生", "20": "本科", "30": "大专", "40": "中专"}
SCHOOLS = (
    "武汉大学",
    "华中科技大学",
    "湖北中医药大学",
    "湖北医药学院",
    "长江大学",
    "三峡大学",
    "湖北科技学院",
    "武汉科技大学",
    "江汉大学",
    "湖北职业技术学院",
    "荆楚理工学院",
    "咸宁职业技术学院",
)
MAJORS = ("临床医学", "护理学", "药学", "医学检验技术", "中医学", "医学影像技术", "康复治疗技术")
LIBRARY_WEIGHTS = {
    "qualification": 20,
    "provincial_line": 15,
    "physician_registry": 15,
    "nurse_registry": 20,
    "graduate": 10,
    "history": 15,
    "violation": 1,
    "covid_frontline": 4,
}


@dataclass(frozen=True)
class Scale:
    applications: int
    units: int
    physicians: int
    reference_records: int

    @classmethod
    def for_applications(cls, n: int) -> Scale:
        # At 200,000: ~5,000 units, 20,000 physicians, 500,000 对比库 records.
        return cls(
            applications=n,
            units=max(12, n // 40),
            physicians=max(10, n // 10),
            reference_records=n * 5 // 2,
        )


class BenchDataError(Exception):
    """The database is not fit for the benchmark data (message in Chinese)."""
