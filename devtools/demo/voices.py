"""Each demo candidate's own wording. The case records and narratives of devtools/demo/tcm.py
come from a few templates; left as they are, two candidates of one template would write the
same text, and 查重 (exam/duplicates/texts.py) would rightly flag them as copies. These
helpers add what a real candidate's text has of its own: the patient's background, the
doses, the course, the years and numbers of the practice. They draw from their own random
stream per candidate, so every other value of the demo stays what it was.
"""

from __future__ import annotations

import random
import re

HISTORY_BEFORE = (
    "既往体健，否认慢性病史。",
    "既往有高血压病史{n}年，规律服用降压药。",
    "平素性情急躁，工作压力较大。",
    "素体偏弱，易感冒，平时饮食偏少。",
    "有吸烟史{n}年，每日约十支。",
    "长期从事体力劳动，常年野外作业。",
    "平素喜食生冷瓜果，夏季尤甚。",
    "曾于县医院行相关检查，未见器质性病变。",
    "家族中母亲有类似病史。",
    "近年家务繁重，睡眠时间不足。",
)
HISTORY_AFTER = (
    "就诊时面色{color}，语声{voice}，{sleep}。",
    "来诊时由家属陪同，诉{sleep}，{appetite}。",
    "刻下{appetite}，{sleep}，小便尚调。",
    "发病以来体重减轻约{n}斤，{appetite}。",
)
COLORS = ("萎黄", "少华", "偏红", "晦暗", "如常")
VOICES = ("低微", "洪亮", "清晰", "略显疲惫")
SLEEPS = ("夜寐欠安", "睡眠尚可", "多梦易醒", "入睡困难")
APPETITES = ("纳食减少", "食欲尚可", "食后腹胀", "口淡无味")
COURSE = (
    "首诊后第{n}天电话随访，患者诉症状已有减轻。",
    "患者依从性好，按时复诊，遵医嘱调整饮食起居。",
    "复诊时舌苔渐化，脉象转和，守方略作加减。",
    "治疗期间曾因{event}症状反复，调整处方后复归平稳。",
    "末次复诊时患者自述生活工作已不受影响。",
    "嘱其畅情志、慎起居，{months}个月后随访未见加重。",
)
EXAMINATIONS = (
    "查体：腹软，{place_pain}，舌象{tongue}。",
    "初诊测血压{bp}mmHg，{tongue}，脉象较前略缓。",
    "望诊见{tongue}，切诊{pulse}，余无特殊。",
)
TONGUES = ("舌边有齿痕", "舌尖偏红", "苔根部略厚", "舌下络脉稍显迂曲", "舌质偏暗")
PULSES = ("左关略弦", "两尺偏弱", "右寸浮滑", "脉来和缓")
PLACE_PAINS = ("按之不适", "局部轻压痛", "未触及包块", "叩击痛阴性")
EVENTS = ("饮食不慎", "劳累", "受凉", "情绪波动")
EXPERTISE_OPENINGS = (
    "本人自{year}年起专注于此，",
    "承{who}所授，临证{years}年，",
    "在{place}行医{years}年间，",
    "经{years}年临床摸索，",
)
WHOS = ("家父", "祖父", "师父", "当地老中医")
PLACES = ("乡间", "本村卫生室", "镇上诊所", "县城")
EXPERTISE_FIGURES = (
    "近三年接诊此类患者约{n}人次，随访{m}例，显效约{p}%。",
    "门诊登记显示近五年共诊治{n}人次，其中{m}例完成疗程，总有效率约{p}%。",
    "近年每年诊治约{n}人次，复诊率约{p}%，未发生医疗纠纷。",
)
INDICATION_NOTES = (
    "来诊者以中老年人居多，病程多在{n}年以内。",
    "本人接诊者多为周边村镇农民，以劳损及寒湿所致者为主。",
    "对病程较短、体质尚可者效果更为明显。",
    "亦用于术后或产后体虚者的调理。",
)
SAFETY_NOTES = (
    "治疗前均询问过敏史及既往病史，{n}年来未发生晕针、过敏等不良事件。",
    "每次治疗均登记在册，累计{m}人次，未见明显不良反应。",
    "器具一人一用一消毒，药材从正规药店购进并留存票据。",
    "孕期、哺乳期患者一律不予治疗，转上级医院诊治。",
)
RISK_NOTES = (
    "如遇病情变化或疗效不佳，{n}日内即建议转诊。",
    "对合并严重基础疾病者先请西医会诊，再行治疗。",
    "治疗中密切观察患者反应，诊室常备急救药品。",
    "已与乡镇卫生院建立转诊联系，疑难病例及时转送。",
)
EXPERIENCE_CLOSINGS = (
    "其间整理跟诊笔记{n}册，记录典型病案{m}份。",
    "期间参加县级中医适宜技术培训{n}次，并坚持每月向老师汇报疑难病例。",
    "现每周固定{n}个半天坐诊，其余时间上门出诊，服务周边约{m}户群众。",
    "学习中尤重脉诊与舌诊，积累舌象照片{m}余张。",
    "曾随老师赴邻县义诊{n}次，协助处理急性扭伤、腹泻等常见病。",
    "每年冬春季节为村民施治伏九贴敷，累计约{m}人次。",
)

_DOSE = re.compile(r"(\d+)(g|克)")


def voice_for(id_number: str) -> random.Random:
    """The candidate's own stream (seeded by the ID number: stable between runs)."""
    return random.Random(f"demo-voice:{id_number}")


def _fill(voice: random.Random, pattern: str) -> str:
    return pattern.format(
        n=voice.randint(2, 30),
        m=voice.randint(10, 300),
        p=voice.randint(70, 96),
        color=voice.choice(COLORS),
        voice=voice.choice(VOICES),
        sleep=voice.choice(SLEEPS),
        appetite=voice.choice(APPETITES),
        event=voice.choice(EVENTS),
        months=voice.randint(2, 12),
        year=voice.randint(1990, 2015),
        who=voice.choice(WHOS),
        place=voice.choice(PLACES),
        years=voice.randint(6, 30),
        tongue=voice.choice(TONGUES),
        pulse=voice.choice(PULSES),
        place_pain=voice.choice(PLACE_PAINS),
        bp=f"{voice.randint(110, 160)}/{voice.randint(70, 95)}",
    )


def _doses(voice: random.Random, text: str) -> str:
    def dose(match: re.Match) -> str:
        grams = max(3, int(match.group(1)) + voice.choice((-5, -3, -2, 2, 3, 5)))
        return f"{grams}{match.group(2)}"

    return _DOSE.sub(dose, text)


def personal_case(voice: random.Random, record: dict) -> dict:
    """A case record with the patient's background, the candidate's doses and the course."""
    before, after = voice.sample(HISTORY_BEFORE, 2), voice.choice(HISTORY_AFTER)
    record = dict(record)
    record["history"] = (
        _fill(voice, before[0]) + record["history"] + _fill(voice, after) + _fill(voice, before[1])
    )
    record["syndrome_analysis"] = record["syndrome_analysis"] + _fill(
        voice, voice.choice(EXAMINATIONS)
    )
    record["treatment"] = _doses(voice, record["treatment"])
    record["analysis"] = record["analysis"] + "".join(
        _fill(voice, c) for c in voice.sample(COURSE, 2)
    )
    return record


def personal_expertise(voice: random.Random, expertise: dict) -> dict:
    expertise = dict(expertise)
    expertise["content"] = _fill(voice, voice.choice(EXPERTISE_OPENINGS)) + expertise["content"]
    expertise["effectiveness"] = (
        _fill(voice, voice.choice(EXPERTISE_FIGURES)) + expertise["effectiveness"]
    )
    for key, notes in (
        ("indications", INDICATION_NOTES),
        ("safety", SAFETY_NOTES),
        ("risks", RISK_NOTES),
    ):
        expertise[key] = expertise[key] + "".join(_fill(voice, n) for n in voice.sample(notes, 2))
    return expertise


def personal_experience(voice: random.Random, text: str) -> str:
    closings = voice.sample(EXPERIENCE_CLOSINGS, 3)
    return text + "".join(_fill(voice, c) for c in closings)
