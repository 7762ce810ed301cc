"""Word lists and text templates for the demo data (devtools/demo/): schools and majors of
the health-exam candidates, the TCM candidates' techniques and case records, the recommenders'
words. Plain data, no database access.

The case-record templates are written in ordinary TCM clinical wording; the demo varies them
with the patient, the durations and the number of doses. They are demo content, not advice.
"""

from dataclasses import dataclass

# --- health exam: schools and majors ------------------------------------------------------

# GB/T 4658 category codes (EducationLevel kind="category") used by the demo.
POSTGRADUATE, UNDERGRADUATE, JUNIOR_COLLEGE, SECONDARY = "10", "20", "30", "40"


@dataclass(frozen=True)
class School:
    name: str
    code: str  # five digits, the start of a diploma number
    majors: tuple[str, ...]


SCHOOLS: dict[str, tuple[School, ...]] = {
    POSTGRADUATE: (
        School("武汉大学医学部", "10486", ("内科学", "外科学", "妇产科学", "护理学", "急诊医学")),
        School(
            "华中科技大学同济医学院",
            "10487",
            ("内科学", "外科学", "妇产科学", "精神病与精神卫生学", "皮肤病与性病学", "全科医学"),
        ),
        School("湖北中医药大学", "10507", ("中西医结合临床", "内科学", "护理学")),
        School("三峡大学医学院", "11075", ("内科学", "外科学", "护理学")),
        School("长江大学医学部", "10489", ("内科学", "外科学", "急诊医学")),
    ),
    UNDERGRADUATE: (
        School("武汉大学医学部", "10486", ("临床医学", "护理学", "药学", "医学检验技术")),
        School(
            "华中科技大学同济医学院",
            "10487",
            ("临床医学", "护理学", "药学", "卫生检验与检疫"),
        ),
        School(
            "湖北中医药大学",
            "10507",
            ("中西医临床医学", "护理学", "药学", "医学检验技术"),
        ),
        School("湖北医药学院", "10929", ("临床医学", "护理学", "药学", "医学检验技术")),
        School("长江大学医学部", "10489", ("临床医学", "护理学", "医学检验技术")),
        School("三峡大学医学院", "11075", ("临床医学", "护理学", "药学")),
        School("武汉科技大学医学院", "10488", ("临床医学", "护理学", "药学")),
        School("湖北科技学院", "10927", ("临床医学", "护理学", "药学", "医学检验技术")),
        School("江汉大学医学部", "11072", ("临床医学", "护理学", "医学检验技术")),
    ),
    JUNIOR_COLLEGE: (
        School("咸宁职业技术学院", "12054", ("护理", "药学", "医学检验技术", "临床医学")),
        School("湖北职业技术学院", "12043", ("护理", "药学", "临床医学")),
        School("随州职业技术学院", "12808", ("护理", "药学")),
        School("湖北三峡职业技术学院", "12532", ("护理", "医学检验技术")),
        School("仙桃职业学院", "13249", ("护理", "药学")),
        School("湖北中医药高等专科学校", "14091", ("护理", "药学", "医学检验技术")),
    ),
    SECONDARY: (
        School("荆州市卫生学校", "", ("护理", "药剂", "医学检验技术")),
        School("襄阳市卫生学校", "", ("护理", "药剂", "医学检验技术")),
        School("恩施州卫生学校", "", ("护理", "药剂", "农村医学")),
        School("十堰市卫生学校", "", ("护理", "药剂")),
    ),
}

# The specialty's field → the majors that fit it, per education level (first choice first).
FIELD_MAJORS: dict[str, dict[str, tuple[str, ...]]] = {
    "nursing": {
        POSTGRADUATE: ("护理学",),
        UNDERGRADUATE: ("护理学",),
        JUNIOR_COLLEGE: ("护理",),
        SECONDARY: ("护理",),
    },
    "pharmacy": {
        UNDERGRADUATE: ("药学",),
        JUNIOR_COLLEGE: ("药学",),
        SECONDARY: ("药剂",),
    },
    "laboratory": {
        UNDERGRADUATE: ("医学检验技术", "卫生检验与检疫"),
        JUNIOR_COLLEGE: ("医学检验技术",),
        SECONDARY: ("医学检验技术",),
    },
    "clinical": {
        POSTGRADUATE: (
            "内科学",
            "外科学",
            "妇产科学",
            "精神病与精神卫生学",
            "皮肤病与性病学",
            "急诊医学",
            "全科医学",
            "中西医结合临床",
        ),
        UNDERGRADUATE: ("临床医学", "中西医临床医学"),
        JUNIOR_COLLEGE: ("临床医学",),
        SECONDARY: ("农村医学",),
    },
}
# 研究生 majors that fit a 中级 clinical specialty best (word in the specialty → major).
POSTGRADUATE_MAJOR_BY_WORD = (
    ("外科", "外科学"),
    ("妇产", "妇产科学"),
    ("精神", "精神病与精神卫生学"),
    ("皮肤", "皮肤病与性病学"),
    ("急诊", "急诊医学"),
    ("全科", "全科医学"),
    ("内", "内科学"),
)
RELATED_MAJORS = {"卫生检验与检疫"}  # 相关医学类; the others are 医学类

# Why a material failed 核验, per material model name.
FAILED_REMARKS: dict[str, tuple[str, ...]] = {
    "educationrecord": (
        "学历认证报告编号与学信网不符",
        "毕业证书图片不清晰，无法核验",
        "毕业时间与学信网记录不一致",
    ),
    "titlecertificate": ("证书编号查询不到，请上传证书原件照片", "职称证书图片不完整"),
    "physicianqualification": ("资格证书编号与医师资格库不符",),
    "physicianlicense": ("执业地点与申报单位不一致，请补充变更注册证明",),
    "nurselicense": ("执业证注册信息与护士注册库不符", "执业证书图片缺少注册页"),
    "supplementaryinfo": ("抗疫一线证明材料缺失", "从事本专业工作年限证明不足"),
}
SUPPLEMENTARY_NOTES = (
    "无",
    "在本单位连续工作，无违纪记录。",
    "期间曾在上级医院进修一年。",
    "已按要求完成继续医学教育学分。",
)
COVID_NOTE = "2020年参加本单位新冠肺炎疫情防控一线医疗救治工作。"

# --- comparison libraries -----------------------------------------------------------------

VIOLATION_DETAILS = (
    "2021年度考试违纪人员",
    "2022年度考试违纪人员（考试期间携带通讯工具）",
    "2023年度考试违纪人员（提供虚假报名材料）",
    "2024年度考试违纪人员",
)
REFERENCE_SOURCES = {
    "qualification": "卫生专业技术资格考试合格人员库",
    "provincial_line": "湖北省合格线人员名单",
    "physician_registry": "湖北省医师电子化注册系统",
    "nurse_registry": "湖北省护士电子化注册系统",
    "graduate": "学信网本科应届毕业生数据",
    "history": "卫生专业技术资格考试历年报名数据",
    "violation": "考试违纪违规人员处理名单",
    "covid_frontline": "湖北省卫生健康委员会抗疫一线人员名单",
}

# --- TCM expertise ------------------------------------------------------------------------

HEALTH_STATUSES = ("健康", "健康", "健康", "良好", "一般")
# Streets per city (division code prefix); the demo's TCM counties are in 武汉 and 宜昌.
STREETS: dict[str, tuple[str, ...]] = {
    "4201": (
        "解放大道",
        "中山大道",
        "沿江大道",
        "和平大道",
        "友谊大道",
        "民主路",
        "建设大道",
        "中北路",
        "珞喻路",
        "黄陂大道",
    ),
    "4205": ("夷陵大道", "东山大道", "沿江大道", "解放路", "胜利四路", "发展大道", "清江大道"),
    "": ("人民路", "建设路", "新华路", "解放路", "中山路", "胜利街"),
}
CLINIC_WORDS = ("仁和", "济生", "同仁", "百草", "杏林", "康宁", "回春", "福寿", "广济", "德仁")
POSTAL_CODES = {
    "420102": "430010",
    "420103": "430021",
    "420106": "430061",
    "420111": "430070",
    "420116": "430300",
    "420502": "443000",
    "420506": "443100",
    "420581": "443300",
}
# (现从事主要职业, 工作单位 pattern or "" for 无)
OCCUPATIONS = (
    ("乡村医生", "{county}{word}村卫生室"),
    ("中医诊所从业人员", "{county}{word}堂中医诊所"),
    ("中医馆从业人员", "{county}{word}中医馆"),
    ("个体中医从业人员", ""),
    ("农民", ""),
    ("自由职业", ""),
)
APPRENTICESHIP_EXPERIENCE = (
    "{started}年起师从{teacher}学习中医，跟师侍诊，抄方学习，系统研读《黄帝内经》《伤寒论》"
    "《金匮要略》等经典；在老师指导下独立接诊常见病、多发病，重点学习{technique}治疗{disease}"
    "的经验，坚持书写跟师笔记和临床实践记录。"
)
PRACTICE_EXPERIENCE = (
    "{started}年起在{place}从事中医医术实践，以{technique}为主诊治{disease}等病证，"
    "近五年年均接诊约{yearly}人次，建有门诊登记和随访记录。"
)
PRACTICE_EXPERIENCE_ENDED = (
    "{started}年至{ended}年在{place}从事中医医术实践，以{technique}为主诊治{disease}等病证，"
    "年均接诊约{yearly}人次；{ended}年后因家庭原因停止执业，保留有门诊登记记录。"
)
PRACTICE_ORIGINS = (
    "家传：祖父、父亲均为当地中医，自幼随父侍诊学习，继承家传{technique}经验。",
    "师承：早年随当地老中医{teacher}学习，后独立行医，传承其{technique}经验。",
    "自学并经当地名老中医指点，长期临床实践中逐步形成以{technique}治疗{disease}的经验。",
)
# 实践经历 proof (seed 000 §4.3.3): key → label.
PRACTICE_PROOFS = {
    "five_years": "多年实践人员从事中医医术实践活动近五年证明",
    "patients": "患者推荐证明（10份）",
    "certificate": "《传统医学医术确有专长证书》或《乡村医生执业证书》",
}
PROOF_ISSUERS = (
    "{county}{word}街道社区卫生服务中心",
    "{county}卫生健康局",
    "{county}{word}村民委员会",
)
STUDY_SCHOOLS = (
    ("湖北中医药大学（成人教育）", "大专", "中医学"),
    ("湖北中医药高等专科学校", "大专", "中医学"),
    ("湖北中医药高等专科学校", "中专", "中医"),
    ("荆州市卫生学校", "中专", "中医"),
    ("湖北中医药大学（自学考试）", "大专", "针灸推拿"),
)
CONTINUING_EDUCATION = (
    ("湖北中医药大学继续教育学院", "中医经典理论研修"),
    ("湖北省中医药学会", "中医适宜技术推广培训"),
    ("{county}卫生健康局", "乡村医生中医药知识与技能培训"),
    ("湖北省中医院", "中医外治技术进修"),
    ("{city}中医医院", "针灸推拿临床技能培训"),
)
NO_STUDY_NOTE = "无学历教育经历，自幼随家中长辈学习中医。"
CREDENTIAL_ISSUERS = ("湖北省卫生健康委员会", "{city}卫生健康委员会", "{county}卫生健康局")

RECOMMENDER_EVALUATIONS = (
    "该考生中医理论基础较扎实，{technique}操作规范，诊治{disease}疗效确切，医德医风良好，"
    "群众口碑较好。",
    "本人了解该考生多年，其长期坚持中医医术实践，擅长以{technique}治疗{disease}，"
    "临床经验丰富，无医疗纠纷。",
    "该考生学习刻苦，尊师重道，能够辨证施治，运用{technique}处理常见病证，安全有效。",
)
SUPERVISOR_EVALUATIONS = (
    "本人系该考生指导老师，其跟随本人学习期间勤奋认真，已基本掌握{technique}的要领，"
    "能独立诊治{disease}。",
    "该考生在本人指导下从事中医医术实践，辨证思路清晰，{technique}运用得当，安全有效。",
)
OPINIONS = (
    "同意推荐其参加中医医术确有专长人员医师资格考核。",
    "推荐参加考核。",
    "同意推荐。",
)

# --- TCM techniques and case records ------------------------------------------------------

INTERNAL, EXTERNAL = "内服方药", "外治技术"
NO_EXTERNAL_DRUG, EXTERNAL_DRUG = "无外用药", "使用外用药"


@dataclass(frozen=True)
class CaseTemplate:
    """One kind of case: the technique behind it and the wording of its record.

    Placeholders: {long} (how long the complaint has lasted), {short} (the recent worsening),
    {doses} (doses of a prescription), {sessions} (treatment sessions), {visits} (follow-ups).
    """

    disease: str  # 病症分类
    method: str  # 中医药技术方法
    technique: str  # 医疗技术
    external: str  # 外治: 无外用药 / 使用外用药; "" for 内服方药
    ages: tuple[int, int]
    chief_complaint: str
    history: str
    syndrome_analysis: str
    diagnosis: str
    treatment: str
    analysis: str
    female_only: bool = False
    # 医术专长综述
    content: str = ""
    indications: str = ""
    safety: str = ""
    effectiveness: str = ""
    risks: str = ""


CASE_TEMPLATES: tuple[CaseTemplate, ...] = (
    CaseTemplate(
        disease="胃脘痛",
        method=INTERNAL,
        technique="中药内服（辨证组方）",
        external="",
        ages=(28, 72),
        chief_complaint="胃脘部隐痛{long}，加重{short}。",
        history="患者{long}前因饮食不节出现胃脘部隐痛，喜温喜按，空腹痛甚，得食痛减，"
        "曾自服胃药，症状反复。{short}前受凉后疼痛加重，伴纳差、神疲乏力、大便溏薄。",
        syndrome_analysis="脾胃虚寒，中阳不振，胃络失于温养，故胃脘隐痛、喜温喜按；"
        "脾虚运化失职，故纳差、便溏；舌淡苔白，脉虚弱，均为脾胃虚寒之象。",
        diagnosis="中医诊断：胃脘痛（脾胃虚寒证）；西医诊断：慢性胃炎。",
        treatment="治法：温中健脾，和胃止痛。方用黄芪建中汤加减：黄芪20g，桂枝10g，白芍15g，"
        "炙甘草6g，干姜6g，党参15g，白术12g，木香6g，大枣5枚。水煎服，日一剂，分两次温服，"
        "共{doses}剂。嘱忌生冷油腻。",
        analysis="本案抓住隐痛、喜温喜按、便溏等虚寒辨证要点，以黄芪建中汤温中补虚、"
        "缓急止痛，服药{doses}剂后疼痛明显减轻，复诊{visits}次，随访未再发作。",
        content="以辨证组方内服治疗脾胃病，注重温中健脾与调畅气机并用。",
        indications="慢性胃炎、功能性消化不良等属脾胃虚弱、寒热失调的胃脘痛、痞满。",
        safety="所用药物均为常用中药，剂量在药典范围内，未发生不良反应。",
        effectiveness="近五年诊治胃脘痛患者多例，多数服药两周内症状明显缓解。",
        risks="急腹症、消化道出血等急重症不属本医术适用范围，需及时转诊。",
    ),
    CaseTemplate(
        disease="不寐",
        method=INTERNAL,
        technique="中药内服（辨证组方）",
        external="",
        ages=(30, 70),
        chief_complaint="入睡困难、多梦易醒{long}。",
        history="患者{long}前因工作劳累、思虑过度出现入睡困难，多梦易醒，醒后难以再睡，"
        "伴心悸健忘、神疲食少、面色少华，近{short}加重。",
        syndrome_analysis="思虑劳倦，伤及心脾，心血不足，心神失养，故不寐多梦、心悸健忘；"
        "脾虚气血生化乏源，故神疲食少、面色少华；舌淡苔薄，脉细无力。",
        diagnosis="中医诊断：不寐（心脾两虚证）；西医诊断：失眠症。",
        treatment="治法：补益心脾，养血安神。方用归脾汤加减：党参15g，黄芪15g，白术12g，"
        "茯神15g，酸枣仁20g，龙眼肉10g，当归10g，远志6g，木香6g，炙甘草6g，夜交藤20g。"
        "水煎服，日一剂，共{doses}剂。",
        analysis="本案辨为心脾两虚，以归脾汤益气补血、健脾养心，加夜交藤安神，"
        "服药{doses}剂后睡眠明显改善，复诊{visits}次后每晚可睡6小时左右。",
        content="以辨证组方内服调治失眠，兼顾心脾肝肾，配合起居调摄指导。",
        indications="失眠、焦虑状态伴睡眠障碍等属心脾两虚、肝郁化火的不寐。",
        safety="方药平和，未使用毒性药材，长期随访未见不良反应。",
        effectiveness="近五年诊治不寐患者多例，多数在两至四周内睡眠改善。",
        risks="伴严重精神障碍者需转诊专科治疗。",
    ),
    CaseTemplate(
        disease="咳嗽",
        method=INTERNAL,
        technique="中药内服（辨证组方）",
        external="",
        ages=(20, 75),
        chief_complaint="反复咳嗽、咳痰{long}，加重{short}。",
        history="患者{long}前感冒后遗留咳嗽，痰多色白而黏，晨起尤甚，伴胸闷、食少，"
        "{short}前因天气变化症状加重。",
        syndrome_analysis="脾虚生痰，上渍于肺，肺失宣降，故咳嗽痰多、色白而黏；"
        "痰阻气机则胸闷；舌苔白腻，脉濡滑，为痰湿蕴肺之象。",
        diagnosis="中医诊断：咳嗽（痰湿蕴肺证）；西医诊断：慢性支气管炎。",
        treatment="治法：燥湿化痰，理气止咳。方用二陈汤合三子养亲汤加减：法半夏10g，陈皮10g，"
        "茯苓15g，甘草6g，紫苏子10g，白芥子6g，莱菔子10g，杏仁10g，厚朴10g。水煎服，"
        "日一剂，共{doses}剂。",
        analysis="本案属痰湿蕴肺，治以燥湿化痰、理气止咳，服药{doses}剂后痰量明显减少，"
        "复诊{visits}次，以六君子汤善后健脾以杜生痰之源。",
        content="以辨证组方内服治疗慢性咳嗽，标本兼顾，善后健脾补肺。",
        indications="慢性支气管炎、感冒后咳嗽等属痰湿、痰热、肺脾气虚的咳嗽。",
        safety="所用药物剂量规范，未发生不良反应。",
        effectiveness="近五年诊治慢性咳嗽患者多例，多数一至两周内咳嗽减轻。",
        risks="咯血、高热、呼吸困难者需及时转诊排除肺部重症。",
    ),
    CaseTemplate(
        disease="痛经",
        method=INTERNAL,
        technique="中药内服（辨证组方）",
        external="",
        ages=(18, 40),
        female_only=True,
        chief_complaint="经行小腹冷痛{long}。",
        history="患者{long}来每逢经期小腹冷痛，得热痛减，经色暗、有血块，伴畏寒肢冷，"
        "末次月经{short}前。",
        syndrome_analysis="寒客胞宫，血为寒凝，瘀滞冲任，不通则痛，故经行小腹冷痛、"
        "得热痛减、经色暗有块；舌暗苔白，脉沉紧，为寒凝血瘀之象。",
        diagnosis="中医诊断：痛经（寒凝血瘀证）；西医诊断：原发性痛经。",
        treatment="治法：温经散寒，化瘀止痛。方用少腹逐瘀汤加减：小茴香6g，干姜6g，"
        "延胡索10g，没药6g，当归10g，川芎10g，肉桂3g，赤芍10g，蒲黄10g，五灵脂10g。"
        "经前一周开始服用，日一剂，共{doses}剂。",
        analysis="本案寒凝血瘀，以少腹逐瘀汤温经化瘀，连续调治三个月经周期，"
        "复诊{visits}次，经期腹痛明显减轻。",
        content="以辨证组方内服调治妇科月经病，按月经周期分期用药。",
        indications="原发性痛经、月经不调等属寒凝、气滞、气血不足者。",
        safety="孕期禁用活血化瘀药，用药前均询问妊娠情况，未发生不良反应。",
        effectiveness="近五年诊治痛经患者多例，多数调治三个周期后症状明显缓解。",
        risks="继发性痛经需排除器质性病变，必要时转诊妇科。",
    ),
    CaseTemplate(
        disease="项痹",
        method=EXTERNAL,
        technique="针刺",
        external=NO_EXTERNAL_DRUG,
        ages=(30, 70),
        chief_complaint="颈项部疼痛、僵硬{long}，加重伴右上肢麻木{short}。",
        history="患者长期伏案工作，{long}前出现颈项部疼痛、活动受限，{short}前受凉后加重，"
        "伴右上肢麻木，无头晕、行走不稳。",
        syndrome_analysis="久坐伤筋，风寒湿邪侵袭颈部经络，气血运行不畅，不通则痛，"
        "故颈项疼痛僵硬；经络痹阻，筋脉失养，故上肢麻木；舌淡苔白，脉弦紧。",
        diagnosis="中医诊断：项痹（风寒痹阻证）；西医诊断：神经根型颈椎病。",
        treatment="治法：祛风散寒，通络止痛。针刺风池、颈夹脊、肩井、天宗、曲池、外关、合谷，"
        "平补平泻，留针30分钟，配合颈部温和灸，隔日一次，共{sessions}次。",
        analysis="本案以局部取穴配合循经远端取穴，疏通颈部经气，治疗{sessions}次后颈痛消失、"
        "麻木减轻，复诊{visits}次，嘱纠正伏案姿势并做颈部功能锻炼。",
        content="以针刺为主，局部与循经远端取穴相结合，配合艾灸温通经络。",
        indications="颈椎病、肩周炎、腰肌劳损等颈肩腰腿痛。",
        safety="严格无菌操作、一人一针，未发生晕针、断针、感染等不良事件。",
        effectiveness="近五年治疗颈肩痛患者多例，多数一个疗程内疼痛明显减轻。",
        risks="晕针、滞针、局部血肿；脊髓型颈椎病及有出血倾向者不宜针刺。",
    ),
    CaseTemplate(
        disease="腰痛",
        method=EXTERNAL,
        technique="推拿",
        external=NO_EXTERNAL_DRUG,
        ages=(30, 72),
        chief_complaint="腰部疼痛{long}，加重伴左下肢放射痛{short}。",
        history="患者{long}前搬重物后出现腰痛，休息后可缓解，{short}前弯腰劳作后疼痛加重，"
        "向左下肢放射，咳嗽时加剧，行走受限。",
        syndrome_analysis="闪挫劳损，腰部气血瘀滞，经络不通，不通则痛，故腰痛、痛处固定；"
        "瘀阻经络，故疼痛沿下肢放射；舌暗，脉弦涩，为气滞血瘀之象。",
        diagnosis="中医诊断：腰痛（气滞血瘀证）；西医诊断：腰椎间盘突出症。",
        treatment="治法：行气活血，舒筋通络。腰背部滚法、按揉法放松肌肉，点按肾俞、大肠俞、"
        "环跳、委中、承山，配合腰部斜扳法，每次30分钟，每日一次，共{sessions}次。",
        analysis="本案以推拿舒筋通络、理筋整复，手法轻重得宜，治疗{sessions}次后腰痛明显减轻，"
        "复诊{visits}次，嘱卧硬板床并加强腰背肌锻炼。",
        content="以推拿手法治疗颈肩腰腿痛，放松、理筋、整复三步结合。",
        indications="腰椎间盘突出症、急性腰扭伤、腰肌劳损等。",
        safety="手法前排查骨折、肿瘤、严重骨质疏松等禁忌，未发生手法损伤。",
        effectiveness="近五年治疗腰痛患者多例，多数两周内疼痛明显缓解。",
        risks="手法不当可致软组织损伤；马尾神经受压者须立即转诊。",
    ),
    CaseTemplate(
        disease="膝痹",
        method=EXTERNAL,
        technique="穴位贴敷",
        external=EXTERNAL_DRUG,
        ages=(48, 78),
        chief_complaint="双膝关节疼痛{long}，上下楼梯加重{short}。",
        history="患者{long}前出现双膝关节疼痛，遇寒加重，晨起僵硬，上下楼梯困难，"
        "{short}前天气转凉后疼痛加重，伴腰膝酸软。",
        syndrome_analysis="年高肝肾亏虚，筋骨失养，复感风寒湿邪，痹阻经络，故膝痛、遇寒加重；"
        "腰为肾之府，肾虚故腰膝酸软；舌淡苔白，脉沉细。",
        diagnosis="中医诊断：膝痹（肝肾亏虚、寒湿痹阻证）；西医诊断：膝关节骨性关节炎。",
        treatment="治法：补益肝肾，散寒除湿，通络止痛。自制温经散（制川乌、细辛、肉桂、乳香、"
        "没药等研末，姜汁调糊）贴敷犊鼻、内膝眼、阳陵泉、足三里，每次4小时，隔日一次，"
        "共{sessions}次。",
        analysis="本案以温经散贴敷膝周穴位，温通经络、散寒止痛，治疗{sessions}次后疼痛减轻、"
        "活动改善，复诊{visits}次，嘱注意膝部保暖，减少登高。",
        content="以自制外用散剂穴位贴敷治疗痹证，药物经皮吸收，温经通络止痛。",
        indications="膝关节骨性关节炎、风湿性关节痛等属寒湿痹阻者。",
        safety="贴敷前询问过敏史，皮肤破损处禁用，控制贴敷时间，未发生严重皮肤反应。",
        effectiveness="近五年治疗膝痹患者多例，多数治疗十次内疼痛明显减轻。",
        risks="局部皮肤潮红、瘙痒、起疱；含川乌等药物，严禁内服，孕妇禁用。",
    ),
    CaseTemplate(
        disease="面瘫",
        method=EXTERNAL,
        technique="针刺",
        external=NO_EXTERNAL_DRUG,
        ages=(20, 65),
        chief_complaint="口角向右歪斜、左眼闭合不全{short}。",
        history="患者{short}前夜间吹风后晨起发现左侧面部麻木，口角歪斜，左眼闭合不全，"
        "鼓腮漏气，无肢体活动障碍。",
        syndrome_analysis="劳作后脉络空虚，风寒之邪乘虚侵袭面部阳明、少阳经络，"
        "气血痹阻，经筋失养，纵缓不收，故口眼歪斜；舌淡苔薄白，脉浮紧。",
        diagnosis="中医诊断：面瘫（风寒袭络证）；西医诊断：周围性面神经麻痹。",
        treatment="治法：祛风散寒，温经通络。急性期浅刺阳白、四白、颧髎、颊车、地仓、翳风，"
        "配合谷，留针20分钟；恢复期加强刺激并配合温和灸，每日一次，共{sessions}次。",
        analysis="本案分期论治，急性期轻刺激、恢复期加强，治疗{sessions}次后面部表情基本恢复，"
        "复诊{visits}次，嘱避风寒。",
        content="以针刺分期治疗周围性面瘫，配合艾灸，强调早期干预。",
        indications="周围性面神经麻痹。",
        safety="面部浅刺，严格消毒，未发生感染、血肿等不良事件。",
        effectiveness="近五年治疗面瘫患者多例，多数四周内基本恢复。",
        risks="中枢性面瘫须排除并转诊；晕针、局部血肿。",
    ),
    CaseTemplate(
        disease="小儿积滞",
        method=EXTERNAL,
        technique="小儿推拿",
        external=NO_EXTERNAL_DRUG,
        ages=(2, 9),
        chief_complaint="不思饮食、腹胀{long}。",
        history="患儿{long}前进食过多肉食后出现不思饮食，脘腹胀满，嗳腐酸臭，大便酸臭不调，"
        "夜卧不安，近{short}加重。",
        syndrome_analysis="小儿脾常不足，乳食不节，停聚中焦，积而不化，气滞不行，"
        "故腹胀、不思饮食、嗳腐；胃不和则卧不安；舌红苔厚腻，指纹紫滞。",
        diagnosis="中医诊断：积滞（乳食内积证）；西医诊断：功能性消化不良。",
        treatment="治法：消食导滞，健脾和胃。小儿推拿：清胃经、揉板门、运内八卦、揉中脘、"
        "摩腹、揉天枢、推下七节骨、捏脊，每次20分钟，每日一次，共{sessions}次。",
        analysis="本案以推拿消食导滞、调理脾胃，无服药之苦，患儿易接受，治疗{sessions}次后"
        "食欲恢复，复诊{visits}次，嘱家长节制饮食。",
        content="以小儿推拿调治小儿脾胃病，手法轻柔，配合饮食指导。",
        indications="小儿积滞、厌食、腹泻、便秘等脾胃病证。",
        safety="手法轻柔，操作前排查皮肤破损及急腹症，未发生不良事件。",
        effectiveness="近五年调治患儿多例，多数三至七次后症状改善。",
        risks="高热、脱水、急腹症患儿不宜推拿，须及时转诊。",
    ),
    CaseTemplate(
        disease="湿疮",
        method=EXTERNAL,
        technique="中药熏洗",
        external=EXTERNAL_DRUG,
        ages=(18, 70),
        chief_complaint="双小腿皮疹伴瘙痒{long}，加重{short}。",
        history="患者{long}前双小腿出现红斑、丘疹，瘙痒剧烈，搔抓后渗液，反复发作，"
        "{short}前食辛辣后加重。",
        syndrome_analysis="湿热内蕴，外受风邪，浸淫肌肤，故皮疹、渗液、瘙痒；"
        "舌红苔黄腻，脉滑数，为湿热浸淫之象。",
        diagnosis="中医诊断：湿疮（湿热浸淫证）；西医诊断：湿疹。",
        treatment="治法：清热利湿，祛风止痒。自拟外洗方：苦参30g，黄柏20g，地肤子30g，"
        "白鲜皮30g，蛇床子20g，马齿苋30g，煎汤待温后湿敷熏洗，每日两次，每次20分钟，"
        "共{sessions}日。",
        analysis="本案湿热浸淫，以清热燥湿止痒之品外洗，药力直达病所，治疗{sessions}日后"
        "渗液停止、瘙痒减轻，复诊{visits}次，嘱忌辛辣发物。",
        content="以自拟中药外洗方熏洗湿敷治疗皮肤病，清热利湿、祛风止痒。",
        indications="湿疹、皮炎、足癣等属湿热者。",
        safety="药液温度适宜，避免烫伤；用药前做小面积试用，未发生过敏反应。",
        effectiveness="近五年治疗湿疮患者多例，多数一至两周内瘙痒、渗液明显减轻。",
        risks="局部刺激或过敏；外用药不得内服；皮损广泛继发感染者须转诊。",
    ),
)
PATIENT_STREETS = ("村", "社区", "小区")
