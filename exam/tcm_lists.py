"""Fixed lists of the TCM-expertise application (seed 000 §4.3): 病症分类, 中医药技术方法 and
医疗技术, 实践经历证明, and the attachment kinds each section holds (their labels are those
the demo data and the reviewers' detail page read).

Both the candidate's pages (exam.site.sections.tcm) and the completeness rules read them."""

from __future__ import annotations

from dataclasses import dataclass

# 病症分类: no table of it exists in the project. These are common disease names of
# GB/T 16751.1-1997《中医临床诊疗术语 疾病部分》 (the ones the demo data uses among them),
# grouped loosely by department; the candidate picks one, typing to search.
DISEASE_CATEGORIES: tuple[str, ...] = (
    # 内科
    "感冒", "咳嗽", "哮病", "喘证", "肺胀", "心悸", "胸痹", "不寐", "多寐", "健忘",
    "头痛", "眩晕", "中风", "痫病", "郁病", "胃脘痛", "痞满", "呕吐", "呃逆", "噎膈",
    "腹痛", "泄泻", "痢疾", "便秘", "胁痛", "黄疸", "积聚", "鼓胀", "水肿", "淋证",
    "癃闭", "消渴", "汗证", "内伤发热", "虚劳", "痹证", "痿证", "颤证", "腰痛", "面瘫",
    # 外科、皮肤科
    "疮疡", "乳癖", "瘰疬", "湿疮", "瘾疹", "蛇串疮", "白疕", "粉刺", "痔", "烧伤",
    # 骨伤科
    "项痹", "肩凝症", "膝痹", "腰腿痛", "骨折", "脱位", "伤筋", "骨痹",
    # 妇科
    "月经不调", "痛经", "闭经", "崩漏", "带下病", "不孕症", "妊娠恶阻", "产后缺乳",
    "绝经前后诸证",
    # 儿科
    "小儿积滞", "小儿厌食", "小儿泄泻", "小儿咳嗽", "小儿遗尿", "小儿惊风", "疳证",
    # 五官科
    "鼻渊", "鼻鼽", "喉痹", "乳蛾", "口疮", "牙痛", "耳鸣耳聋", "目赤", "针眼",
)  # fmt: skip

# 中医药技术方法: the 考核类别 of 国家卫生计生委令第15号 (table TcmCategory, loaded from
# fixtures/reference/tcm_categories.csv); these are its rows, used when the table is empty.
METHODS_FALLBACK: tuple[str, ...] = ("内服方药", "外治技术", "内服方药和外治技术")
EXTERNAL = "外治技术"
EXTERNAL_MEDICINE = ("无外用药", "使用外用药")

# 医疗技术 (single choice), grouped by 中医药技术方法; the demo data's techniques among them.
TECHNIQUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("内服方药", ("中药内服（辨证组方）", "中药内服（经验方）", "膏方", "丸散剂")),
    (
        "外治技术",
        (
            "针刺", "艾灸", "推拿", "小儿推拿", "正骨", "拔罐", "刮痧", "穴位贴敷",
            "穴位埋线", "中药熏洗", "中药熏蒸", "中药外敷", "刺络放血", "火针", "耳穴压豆",
            "小针刀", "中药灌肠",
        ),
    ),
)  # fmt: skip
TECHNIQUE_NAMES = {name for _, names in TECHNIQUES for name in names}

HEALTH_STATUSES = ("健康", "良好", "一般", "较差")
EDUCATIONS = ("研究生", "本科", "大专", "中专", "高中", "其他")

# 实践经历证明, three to choose from (seed 000 §4.3.3), as the demo data stores them.
PROOF_FIVE_YEARS = "多年实践人员从事中医医术实践活动近五年证明"
PROOF_PATIENTS = "患者推荐证明（10份）"
PROOF_CERTIFICATE = "《传统医学医术确有专长证书》或《乡村医生执业证书》"
PRACTICE_PROOFS = (PROOF_FIVE_YEARS, PROOF_PATIENTS, PROOF_CERTIFICATE)

YES, NO = "yes", "no"
YES_NO = [(YES, "是"), (NO, "否")]


# --- attachment slots ---------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One kind of attachment of a section: how many files it needs and which formats."""

    kind: str
    label: str
    multiple: bool = False
    image_only: bool = False
    help: str = ""
    pieces: int = 0  # more than one piece needed: PDFs count their pages (pieces.py)

    @property
    def field(self) -> str:
        return f"file_{self.kind}"


PHOTO = Slot("photo", "证件照", image_only=True, help="近期免冠证件照。")
MASTER_CERTIFICATE = Slot("master_certificate", "《传统医学师承出师证书》")
TWO_YEAR_PROOF = Slot(
    "two_year_proof",
    "继续跟师学习中医满两年的证明材料",
    multiple=True,
    help="每年的临床实践记录等，至少1份，可逐份上传。",
)
FIVE_YEAR_PROOF = Slot(
    "five_year_proof",
    "连续跟师学习中医满五年的证明材料",
    multiple=True,
    help="自跟师学习时间确定之日起连续满五年的临床实践记录等，至少1份，可逐份上传。",
)
STUDY_NOTES = Slot(
    "study_notes", "跟师学习笔记", multiple=True, help="至少1份；多页可逐页上传或合并为一个PDF。"
)
CONTRACT = Slot("contract", "跟师学习合同", multiple=True, help="至少1份；多页可逐页上传。")
NOTARIZATION = Slot("notarization", "跟师合同公证书")
PRACTICE_PROOF = Slot("practice_proof", PROOF_FIVE_YEARS, multiple=True, help="至少1份。")
PATIENT_RECOMMENDATIONS = Slot(
    "patient_recommendations",
    "患者推荐证明（10份）",
    multiple=True,
    help="共需10份患者推荐证明：可逐份上传（每份一个文件），也可合并为一个PDF上传。",
    pieces=10,
)
EXPERTISE_CERTIFICATE = Slot("expertise_certificate", "《传统医学医术确有专长证书》")
RURAL_DOCTOR_LICENSE = Slot("rural_doctor_license", "《乡村医生执业证书》")
EXPERTISE_PROOF = Slot(
    "expertise_proof",
    "医术专长相关证明材料",
    multiple=True,
    help="医术基本内容、适应症、安全性、有效性及潜在风险性的相关证明材料，至少1份。",
)
TITLE_CERTIFICATE = Slot("title_certificate", "卫生类职称证")
OTHER_PROOF = Slot("other_proof", "其他证明材料")
DIPLOMA = Slot("diploma", "学历证书")


CASE_FIELDS = (
    "patient_name",
    "patient_gender",
    "patient_age",
    "address",
    "phone",
    "chief_complaint",
    "history",
    "syndrome_analysis",
    "diagnosis",
    "treatment",
    "analysis",
)
