"""查重 of texts in the benchmark: checking one new 医案 against the project's index, and the
full rebuild of the text index (`manage.py duplicates_rebuild --only texts`).

`seed_bench` makes no case records, so the first run creates them: CASES 医案 per TCM
application and its narratives (医术专长综述 and 跟师/实践经历, written into the empty
Section.data of those sections only), composed from phrase pools with numbers and herbs
drawn at random so honest texts differ as real ones do; COPY_SHARE of the applications copy
another's texts with a few characters changed and sentences swapped. They stay for the next
run (nothing else is touched), and the rebuild indexes them.
"""

from __future__ import annotations

import os
import random
import resource
import time
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.test import override_settings

from core.copy_insert import can_copy, copy_insert
from devtools.bench.measuring import BenchContext, Operation, rolled_back
from exam.duplicates import texts
from exam.models import Application, CaseRecord, ExamKind, Section

CASES = 5
COPY_SHARE = 0.03
SEED = 16
TARGET_CHECK = "< 50 ms（中位，检查一份新医案）"
TARGET_REBUILD = "< 10 min（全部文字重建索引）"

SYMPTOMS = (
    "胃脘胀痛",
    "腰膝酸软",
    "头痛眩晕",
    "咳嗽痰多",
    "心悸失眠",
    "关节肿痛",
    "腹泻便溏",
    "月经不调",
    "颈项强痛",
    "口苦咽干",
    "胸闷气短",
    "肢体麻木",
    "皮肤瘙痒",
    "小便频数",
    "耳鸣耳聋",
    "纳呆乏力",
    "肩背疼痛",
    "夜寐多梦",
    "手足不温",
    "咽痛声嘶",
)
CAUSES = (
    "饮食不节",
    "劳累过度",
    "情志不畅",
    "受寒",
    "久居湿地",
    "外感风热",
    "产后体虚",
    "久坐少动",
    "熬夜",
    "跌仆损伤",
    "嗜食辛辣",
    "年老体弱",
)
SIGNS = (
    "舌淡苔白",
    "舌红苔黄腻",
    "舌暗有瘀点",
    "舌淡胖有齿痕",
    "舌红少苔",
    "舌质紫暗",
    "苔薄白",
    "苔白腻",
    "苔黄燥",
)
PULSES = ("脉弦", "脉滑数", "脉沉细", "脉细弱", "脉濡缓", "脉弦滑", "脉涩", "脉浮紧")
SYNDROMES = (
    "肝气郁结",
    "脾胃虚弱",
    "肾阳亏虚",
    "痰湿内阻",
    "气滞血瘀",
    "风寒痹阻",
    "湿热下注",
    "心脾两虚",
    "肝肾阴虚",
    "肺气不宣",
    "寒凝经脉",
    "阴虚火旺",
)
METHODS = (
    "疏肝理气",
    "健脾益气",
    "温补肾阳",
    "化痰祛湿",
    "活血化瘀",
    "祛风散寒",
    "清热利湿",
    "养心安神",
    "滋补肝肾",
    "宣肺止咳",
    "温经通络",
    "滋阴降火",
)
HERBS = (
    "柴胡",
    "白芍",
    "当归",
    "川芎",
    "熟地黄",
    "党参",
    "白术",
    "茯苓",
    "甘草",
    "陈皮",
    "半夏",
    "黄芪",
    "桂枝",
    "附子",
    "杜仲",
    "牛膝",
    "独活",
    "桑寄生",
    "丹参",
    "红花",
    "桃仁",
    "枳壳",
    "香附",
    "郁金",
    "黄连",
    "黄芩",
    "栀子",
    "知母",
    "麦冬",
    "五味子",
    "酸枣仁",
    "远志",
    "山药",
    "山茱萸",
    "泽泻",
    "薏苡仁",
    "苍术",
    "厚朴",
    "木香",
    "砂仁",
)
POINTS = (
    "足三里",
    "三阴交",
    "合谷",
    "太冲",
    "内关",
    "中脘",
    "关元",
    "气海",
    "肾俞",
    "委中",
    "风池",
    "百会",
    "天枢",
    "阳陵泉",
    "血海",
    "曲池",
)
OUTCOMES = (
    "二诊症状明显减轻",
    "服药后诸症缓解",
    "随访三月未见复发",
    "三诊后基本痊愈",
    "守方加减调理一月而愈",
    "治疗后疼痛消失",
    "睡眠改善，精神转佳",
)


def _few(rng: random.Random, pool: tuple[str, ...], n: int) -> str:
    return "、".join(rng.sample(pool, n))


def _case_text(rng: random.Random) -> dict[str, str]:
    symptom, second = rng.sample(SYMPTOMS, 2)
    syndrome, method = rng.choice(SYNDROMES), rng.choice(METHODS)
    herbs = "，".join(
        f"{h}{rng.choice((3, 6, 9, 10, 12, 15, 20, 30))}克" for h in rng.sample(HERBS, 9)
    )
    years, days = rng.randint(1, 20), rng.randint(2, 60)
    return {
        "chief_complaint": f"{symptom}{years}年，伴{second}{days}天。",
        "history": (
            f"患者{years}年前因{rng.choice(CAUSES)}出现{symptom}，时轻时重，曾于{rng.choice(('乡镇卫生院', '县医院', '个体诊所'))}"
            f"诊治，效果欠佳。{days}天前因{rng.choice(CAUSES)}症状加重，伴{second}，"
            f"{rng.choice(('纳差', '口干', '乏力', '畏寒', '多汗'))}，{rng.choice(('大便干结', '大便溏薄', '小便清长', '二便调'))}。"
        ),
        "syndrome_analysis": (
            f"{rng.choice(CAUSES)}日久，{syndrome}，故见{symptom}、{second}；"
            f"{rng.choice(SIGNS)}，{rng.choice(PULSES)}，皆为{syndrome}之征。"
        ),
        "diagnosis": f"中医诊断：{symptom}，{syndrome}证。",
        "treatment": (
            f"{method}。处方：{herbs}。{rng.choice((5, 7, 10, 14))}剂，水煎服，日一剂。"
            f"配合针刺{_few(rng, POINTS, 3)}，留针{rng.choice((20, 25, 30))}分钟。"
        ),
        "analysis": (
            f"本例以{syndrome}为本，治以{method}，方中{_few(rng, HERBS, 3)}为主药，"
            f"{_few(rng, HERBS, 2)}为佐。{rng.choice(OUTCOMES)}，{rng.choice(OUTCOMES)}。"
        ),
    }


EXPERIENCE_SENTENCES = (
    "{year}年起随{teacher}学习中医，侍诊抄方{n}年",
    "早年在{place}当学徒，从认药、炮制学起，后随师出诊",
    "熟读{books}，每日背诵汤头歌诀",
    "掌握{method}治疗{symptom}的经验，尤重{point}等穴的运用",
    "此后在{place}独立行医，年均接诊{m}人次",
    "坚持记录门诊日志{n}册，整理验案{m}则",
    "曾参加县卫生局组织的中医适宜技术培训{n}次",
    "农忙时节上门出诊，为行动不便的老人施针换药",
    "{year}年前后开始采用{herb}等自制膏方治疗{symptom}",
    "与{place}卫生院医生交流病例，遇急重症及时转诊",
    "带教徒弟{n}人，口传心授{method}要领",
    "近年来着重总结{symptom}与{symptom2}的辨治规律",
)
EXPERTISE_SENTENCES = (
    "以{method}为主，结合{points}等穴位针刺",
    "自拟方以{herbs}组成，随证加减",
    "治疗{symptom}及{symptom2}，多在{n}次内见效",
    "注重{method}与饮食起居调护并重",
    "手法以轻柔渗透为要，每次约{m}分钟",
    "外敷药以{herb}为主，研末调敷患处",
    "根据体质分为{n}型辨证施治",
    "对{symptom}伴{symptom2}者，先治其标，后固其本",
)


def _sentences(rng: random.Random, pool: tuple[str, ...], count: int) -> str:
    symptom, symptom2 = rng.sample(SYMPTOMS, 2)
    words = {
        "year": rng.randint(1980, 2016),
        "teacher": rng.choice(("祖父", "父亲", "当地老中医", "师父", "舅父", "乡村医生")),
        "n": rng.randint(2, 15),
        "m": rng.randint(100, 3000),
        "place": rng.choice(("本村", "本镇", "县城", "邻乡", "山区卫生室", "街道诊所")),
        "books": _few(
            rng,
            (
                "《伤寒论》",
                "《金匮要略》",
                "《黄帝内经》",
                "《温病条辨》",
                "《本草纲目》",
                "《医宗金鉴》",
            ),
            2,
        ),
        "method": rng.choice(METHODS),
        "symptom": symptom,
        "symptom2": symptom2,
        "point": rng.choice(POINTS),
        "points": _few(rng, POINTS, 3),
        "herb": rng.choice(HERBS),
        "herbs": _few(rng, HERBS, 4),
    }
    return "，".join(p.format(**words) for p in rng.sample(pool, count)) + "。"


def _narratives(rng: random.Random) -> tuple[dict[str, str], str]:
    expertise = {
        "content": _sentences(rng, EXPERTISE_SENTENCES, 3),
        "indications": f"适用于{_few(rng, SYMPTOMS, 3)}等属{rng.choice(SYNDROMES)}者。",
        "safety": f"{rng.randint(5, 30)}年来累计治疗{rng.randint(300, 5000)}人次，未见严重不良反应。",
        "effectiveness": f"随访{rng.randint(50, 900)}例，总有效率约{rng.randint(70, 96)}%。",
        "risks": f"{rng.choice(('孕妇', '儿童', '年老体弱者', '过敏体质者'))}慎用，{rng.choice(('晕针者减少刺激量', '皮肤破损处禁用', '急重症及时转诊'))}。",
    }
    experience = _sentences(rng, EXPERIENCE_SENTENCES, 4) + _sentences(rng, EXPERIENCE_SENTENCES, 3)
    return expertise, experience


def near_copy(rng: random.Random, fields: dict[str, str], per: int = 120) -> dict[str, str]:
    """Two sentences swapped and a character changed every `per` characters in each field."""
    copy = {}
    for name, value in fields.items():
        sentences = [s for s in value.split("。") if s]
        if len(sentences) > 1:
            i = rng.randrange(len(sentences) - 1)
            sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
        text = list("。".join(sentences) + "。")
        for _ in range(max(1, len(text) // per)):
            text[rng.randrange(len(text))] = rng.choice("的了在和有是")
        copy[name] = "".join(text)
    return copy


def _close_copy(rng: random.Random, fields: dict[str, str]) -> dict[str, str]:
    copy = dict(fields)
    copy["history"] = near_copy(rng, {"history": fields["history"]}, per=10_000)["history"]
    analysis = list(fields["analysis"])
    analysis[rng.randrange(len(analysis))] = "的"
    copy["analysis"] = "".join(analysis)
    return copy


def ensure_texts() -> dict[str, int]:
    """The bench's case records and narratives, created once (see the module docstring)."""
    tcm = Application.objects.filter(project__kind=ExamKind.TCM_EXPERTISE)
    if CaseRecord.objects.filter(application__in=tcm).exists():
        return {"created": 0}
    rng = random.Random(SEED)
    app_ids = list(tcm.order_by("pk").values_list("pk", flat=True))
    sections = {
        (app, code): pk
        for pk, app, code in Section.objects.filter(
            application__in=tcm, code__in=list(texts.SECTION_TEXTS), data={}
        ).values_list("pk", "application_id", "code")
    }
    cases, updates, done = [], [], []
    columns = ["application_id", "number", "patient_name", "patient_gender", "patient_age"]
    columns += ["address", "phone", *texts.CASE_FIELDS]
    for app in app_ids:
        source = rng.choice(done) if done and rng.random() < COPY_SHARE else None
        records = (
            [near_copy(rng, r) for r in source[0]]
            if source
            else [_case_text(rng) for _ in range(CASES)]
        )
        expertise, experience = (
            (near_copy(rng, source[1]), near_copy(rng, {"e": source[2]})["e"])
            if source
            else _narratives(rng)
        )
        done.append((records, expertise, experience))
        for n, record in enumerate(records, start=1):
            cases.append(
                [app, n, "患者", "male", rng.randint(18, 80), "湖北省", "13900000000"]
                + [record[f] for f in texts.CASE_FIELDS]
            )
        if (app, "expertise") in sections:
            updates.append((sections[(app, "expertise")], expertise))
        for code in ("apprenticeship", "practice"):
            if (app, code) in sections:
                updates.append((sections[(app, code)], {"experience": experience}))
    with transaction.atomic():
        if can_copy():
            copy_insert(CaseRecord, columns, cases)
        else:
            CaseRecord.objects.bulk_create(
                [CaseRecord(**dict(zip(columns, row, strict=True))) for row in cases], 2000
            )
        objs = [Section(pk=pk, data=data) for pk, data in updates]
        Section.objects.bulk_update(objs, ["data"], batch_size=2000)
    return {"created": len(cases), "narratives": len(updates)}


def _load() -> dict[str, float]:
    one, five, fifteen = os.getloadavg()
    return {"load_1": round(one, 2), "load_5": round(five, 2)}


def text_operations(ctx: BenchContext) -> list[Operation]:
    state: dict[str, Any] = {}

    def setup_check() -> None:
        ensure_texts()
        if not texts.TextFingerprint.objects.exists():
            texts.texts_rebuild()
        # Applications with their 医案, and the texts a newcomer copies from.
        apps = list(
            CaseRecord.objects.values("application_id")
            .annotate(n=Count("pk"))
            .order_by("application_id")
            .values_list("application_id", flat=True)[:50]
        )
        sources = list(CaseRecord.objects.order_by("-pk").values_list(*texts.CASE_FIELDS)[:50])
        state.update(apps=apps, sources=sources, n=0, rng=random.Random(SEED), found=[])

    def check_one() -> dict[str, Any]:
        """A candidate saves a new 医案 (half of them copied): the check alone is timed."""
        state["n"] += 1
        rng = state["rng"]
        copied = state["n"] % 2 == 0
        source = dict(zip(texts.CASE_FIELDS, state["sources"][state["n"] % 50], strict=True))
        # A close copy (the history's sentences swapped, one character of the analysis
        # changed): it is found, so its passages are timed too.
        fields = _close_copy(rng, source) if copied else _case_text(rng)

        def work() -> dict[str, Any]:
            record = CaseRecord.objects.create(
                application_id=state["apps"][state["n"] % len(state["apps"])],
                number=90 + state["n"] % 9,  # beside the 5 (only the DB's uniqueness counts)
                patient_name="患者",
                patient_gender="male",
                patient_age=40,
                address="湖北省",
                phone="13900000000",
                **fields,
            )
            started = time.perf_counter()
            found = texts.text_check(ref=texts.case_ref(record.pk))
            state["found"].append(found)
            return {"timed_s": time.perf_counter() - started, "matches": found}

        result = rolled_back(work)
        # How many of the checks so far found the copy they were meant to.
        result["checks_with_match"] = sum(1 for n in state["found"] if n)
        result["checks"] = len(state["found"])
        return {**result, **_load()}

    def rebuild() -> dict[str, Any]:
        ensure_texts()
        before = _load()
        started = time.perf_counter()
        # Without DEBUG's log of every statement (2.8 million band rows of SQL text): the
        # process's peak memory is then the rebuild's own, as in production.
        with override_settings(DEBUG=False):
            totals = texts.texts_rebuild()
        elapsed = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {texts.TextBand._meta.db_table}")
            bands = cursor.fetchone()[0]
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {
            "rows": totals["texts"],
            "timed_s": elapsed,
            **totals,
            "bands": bands,
            "max_rss_mb": round(peak, 1),
            "load_before": before,
            **_load(),
        }

    return [
        Operation(
            "texts:rebuild", "texts", rebuild, TARGET_REBUILD, heavy=True, runs=1, traced=False
        ),
        # After the rebuild: the index is complete.
        Operation("texts:check", "texts", check_one, TARGET_CHECK, setup=setup_check),
    ]
