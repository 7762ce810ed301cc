"""TCM-expertise candidates in Chromium at phone width: a 师承 candidate from registration to
submission, with the teachers confirming their identity with the SMS code (read from the
outbox) and signing through their QR links by drawing on the canvas; and a
多年实践 candidate whose practice reaches past 2017-07-01 and so needs a 指导老师."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from exam.models import Application, Recommender
from people.models import Candidate
from people.phones import mask_phone
from tests.browser.steps import click_and_wait
from tests.builders import new_application
from tests.factories import CandidateFactory, PhysicianFactory, fake_resident_id
from tests.hostile_files import pdf_bytes
from tests.teacher_codes import outbox_code

pytestmark = pytest.mark.django_db(transaction=True)

TCM_CITY, TCM_COUNTY = "420100", "420102"  # 武汉市 江岸区


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root, "base_url": "/private-media-not-served/"},
        },
    }
    return root


@pytest.fixture
def files(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (120, 40, 40)).save(buffer, format="PNG")
    image = tmp_path / "scan.png"
    image.write_bytes(buffer.getvalue())
    pdf = tmp_path / "proof.pdf"
    pdf.write_bytes(pdf_bytes())
    return {"png": str(image), "pdf": str(pdf)}


def assert_fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def open_section(page, label):
    click_and_wait(page.locator(".section-card", has_text=label).get_by_role("link"))


def save(page, name="保存"):
    click_and_wait(page.get_by_role("button", name=name, exact=True))


def back_to_overview(page):
    page.wait_for_url(re.compile(r".*/apply/\d+/(#.*)?$"))


def fill_basic(page, files):
    open_section(page, "基本信息")
    page.select_option("select[name=ethnicity]", "汉族")
    page.select_option("select[name=political_status]", index=1)
    page.select_option("select[name=health_status]", "健康")
    page.fill("input[name=occupation]", "个体中医诊所医师")
    page.check("input[name=no_work_unit]")
    page.fill("input[name=home_address]", "武汉市江岸区解放大道1000号")
    page.fill("input[name=mailing_address]", "武汉市江岸区解放大道1000号")
    page.fill("input[name=postal_code]", "43001")  # five digits: refused, kept
    page.fill("input[name=household_registration]", "湖北省武汉市江岸区")
    page.set_input_files("input[name=file_photo]", files["png"])
    save(page)
    expect(page.get_by_text("邮编应为6位数字。")).to_be_visible()
    assert page.input_value("input[name=occupation]") == "个体中医诊所医师"
    page.fill("input[name=postal_code]", "430010")
    save(page)  # the photo was kept on the server through the error
    back_to_overview(page)


def fill_place(page, files, *, started, ended):
    page.select_option("select[name=division_province]", "420000")
    page.select_option("select[name=division_city]", TCM_CITY)
    page.select_option("select[name=division]", TCM_COUNTY)
    page.fill("input[name=address]", "解放大道1000号")
    page.fill("input[name=started_on]", started)
    if ended:
        page.fill("input[name=ended_on]", ended)


def fill_common(page, files):
    open_section(page, "中医药技术方法")
    page.fill("input[name=disease_category]", "感冒")
    page.locator("input[name=method]").first.check()
    page.select_option("select[name=technique]", index=1)
    page.fill("input[name=patients_served]", "1200")
    save(page)
    back_to_overview(page)

    open_section(page, "学习经历")
    page.locator("input[name=has_study][value=no]").check()
    page.fill("textarea[name=no_study_note]", "未接受过院校教育，随师学习。")
    save(page)
    back_to_overview(page)

    open_section(page, "医术专长及医案")
    expertise_url = page.url.split("?")[0]
    for name, text in {
        "content": "以针刺结合艾灸治疗颈肩腰腿痛。",
        "indications": "颈椎病、肩周炎、腰肌劳损。",
        "safety": "操作规范，十余年未发生不良事件。",
        "effectiveness": "近五年治疗千余人次，多数症状明显缓解。",
        "risks": "晕针、烫伤，操作前告知并防范。",
    }.items():
        page.fill(f"textarea[name={name}]", text)
    page.set_input_files("input[name=file_expertise_proof]", files["pdf"])
    save(page)
    for number in range(1, 6):
        page.goto(f"{expertise_url}?record={number}")
        page.fill("input[name=patient_name]", f"患者{number}")
        page.locator("input[name=patient_gender]").first.check()
        page.fill("input[name=patient_age]", str(40 + number))
        page.fill("input[name=address]", "武汉市江岸区")
        page.fill("input[name=phone]", f"1380000000{number}")
        for name in (
            "chief_complaint",
            "history",
            "syndrome_analysis",
            "diagnosis",
            "treatment",
            "analysis",
        ):
            page.fill(f"textarea[name={name}]", f"病案{number}的{name}。")
        save(page)
    page.goto(expertise_url)
    expect(page.locator("#case-records .status", has_text="已完成")).to_have_count(5)


def get_teacher(page, role, physician, files):
    form = page.locator("#lookup form")
    form.locator("select[name=role]").select_option(role)
    form.locator("input[name=name]").fill(physician.name)
    form.locator("input[name=id_number]").fill(physician.id_number)
    click_and_wait(form.get_by_role("button", name="获取老师"))
    teacher = Recommender.objects.get(physician=physician)
    box = page.locator(f"#teacher-{teacher.pk}")
    for input_ in box.locator("input[type=file]").all():
        input_.set_input_files(files["png"])
    click_and_wait(box.get_by_role("button", name="上传"))
    return teacher


def issue_qr(page, teacher) -> str:
    box = page.locator(f"#teacher-{teacher.pk}")
    click_and_wait(box.get_by_role("button", name="生成二维码"))
    if not page.locator("#qr-link").count():
        page.locator(f"#teacher-{teacher.pk}").get_by_role("link", name="查看二维码").click()
    expect(page.locator("#qr svg")).to_be_visible()
    return page.input_value("#qr-link")


def teacher_signs(browser, link, physician, artifact=None):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        page.goto(link)
        expect(page.locator("h2", has_text="核验须知")).to_be_visible()
        page.get_by_role("link", name="我已阅读，开始核验").click()
        # The code goes to the phone on the registry record: here, the outbox.
        expect(page.locator("#code-intro")).to_contain_text(mask_phone(physician.phone))
        page.get_by_role("button", name="获取验证码").click()
        expect(page.locator("#code-sent")).to_be_visible()
        assert_fits(page)
        if artifact:
            page.screenshot(path=artifact("tcm-teacher-code-375.png"), full_page=True)
        page.fill("input[name=code]", outbox_code(physician.phone))
        page.get_by_role("button", name="核验身份").click()
        expect(page.locator("h2", has_text="推荐评价")).to_be_visible()
        page.check("input[name=pledge]")
        page.fill("textarea[name=evaluation]", "该考生医德良好，技术扎实。")
        page.fill("textarea[name=opinion]", "同意推荐。")
        canvas = page.locator("canvas.signature-pad")
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
        page.mouse.down()
        for step in range(1, 12):
            page.mouse.move(box["x"] + 20 + step * 20, box["y"] + 20 + (step % 3) * 25)
        page.mouse.up()
        assert_fits(page)
        if artifact:
            page.screenshot(path=artifact("tcm-teacher-sign-375.png"), full_page=True)
        page.get_by_role("button", name="提交评价").click()
        expect(page.locator("#done")).to_be_visible()
        if artifact:
            page.screenshot(path=artifact("tcm-teacher-done-375.png"), full_page=True)
        # The link is single-use: opening it again shows the finished state, not the form.
        page.goto(link)
        expect(page.locator("form#sign-form")).to_have_count(0)
    finally:
        context.close()


def test_apprenticeship_candidate_from_registration_to_submission(
    live_server, browser, mobile_page, reference_data, reviewers, tree, tcm_project, files,
    shoot, artifact,
):  # fmt: skip
    page = mobile_page
    physicians = [PhysicianFactory() for _ in range(3)]

    # Register and pass 实名认证.
    page.goto(live_server.url + "/account/register/")
    page.fill("input[name=phone]", "13900005678")
    page.fill("input[name=password1]", "secret-pass-1")
    page.fill("input[name=password2]", "secret-pass-1")
    page.get_by_role("button", name="注册").click()
    page.get_by_role("link", name="身份证（自动核验）").click()
    page.fill("input[name=name]", "李时珍")
    page.fill("input[name=id_number]", fake_resident_id())
    page.set_input_files("input[name=front_image]", files["png"])
    page.set_input_files("input[name=back_image]", files["png"])
    page.get_by_role("button", name="提交核验").click()
    expect(page.locator("#identity-status")).to_have_text("认证成功")
    candidate = Candidate.objects.get(phone="13900005678")

    # 我的报名 → the TCM project → 考生类型 and the county of apprenticeship.
    page.goto(live_server.url + "/apply/")
    page.get_by_role("link", name="我要报名中医医术确有专长").click()
    page.locator("input[name=track][value=apprenticeship]").check()
    page.select_option("select[name=city]", label="武汉市卫生健康委员会")
    page.select_option("select[name=county]", label="江岸区卫生健康局")
    assert_fits(page)
    shoot(page, "tcm-start")
    page.get_by_role("button", name="开始申报").click()
    back_to_overview(page)
    application = Application.objects.get(candidate=candidate)
    assert application.track == "apprenticeship" and application.county == tree["420102"]
    assert_fits(page)
    shoot(page, "tcm-overview-new")

    fill_basic(page, files)

    open_section(page, "跟师经历")
    fill_place(page, files, started="2014-03-01", ended="2020-03-01")
    page.fill("input[name=place_name]", "李氏中医诊所")
    page.fill("textarea[name=experience]", "随师学习针灸推拿六年，独立接诊三年。")
    page.locator("input[name=has_certificate][value=no]").check()
    for kind in ("five_year_proof", "study_notes", "contract", "notarization"):
        page.set_input_files(f"input[name=file_{kind}]", files["pdf"])
    assert_fits(page)
    save(page)
    back_to_overview(page)

    fill_common(page, files)
    page.goto(f"{live_server.url}/apply/{application.pk}/")

    # 推荐信息: two 推荐医师 and one 指导老师, each with the proofs, each with a QR code.
    open_section(page, "推荐信息")
    form = page.locator("#lookup form")
    form.locator("select[name=role]").select_option("recommender")
    form.locator("input[name=name]").fill("不存在")
    form.locator("input[name=id_number]").fill(physicians[0].id_number)
    form.get_by_role("button", name="获取老师").click()
    expect(page.get_by_text("获取失败")).to_be_visible()
    teachers = [
        get_teacher(page, "recommender", physicians[0], files),
        get_teacher(page, "recommender", physicians[1], files),
        get_teacher(page, "supervisor", physicians[2], files),
    ]
    save(page)
    back_to_overview(page)
    expect(page.locator("#submit-blockers")).to_contain_text("尚未完成签名")
    expect(page.get_by_role("button", name="提交")).to_be_disabled()

    open_section(page, "推荐信息")
    section_url = page.url
    old_link = issue_qr(page, teachers[0])
    # Re-issuing revokes the old code.
    page.goto(section_url)
    click_and_wait(
        page.locator(f"#teacher-{teachers[0].pk}").get_by_role("button", name="重新生成二维码")
    )
    if not page.locator("#qr-link").count():
        page.locator(f"#teacher-{teachers[0].pk}").get_by_role("link", name="查看二维码").click()
    new_link = page.input_value("#qr-link")
    assert new_link != old_link
    shoot(page, "tcm-teacher-qr")
    response = page.request.get(old_link)
    assert response.status == 410 and "二维码已失效" in response.text()

    teacher_signs(browser, new_link, physicians[0], artifact)
    for teacher, physician in zip(teachers[1:], physicians[1:], strict=True):
        page.goto(section_url)
        teacher_signs(browser, issue_qr(page, teacher), physician)

    page.goto(section_url)
    expect(page.locator("#teachers")).to_contain_text("已签名")
    shoot(page, "tcm-recommendation")
    page.goto(f"{live_server.url}/apply/{application.pk}/")
    expect(page.get_by_role("button", name="提交")).to_be_enabled()
    expect(page.locator("#submit-blockers")).to_have_count(0)
    shoot(page, "tcm-overview-ready")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#application-status")).to_have_text("已提交")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    signed = application.recommenders.filter(status=Recommender.Status.SIGNED)
    assert signed.count() == 3 and all(t.signature for t in signed)
    with signed[0].signature.open("rb") as handle:
        drawing = Image.open(handle).convert("L")
        assert drawing.getextrema()[0] < 128  # real ink, not an empty canvas

    page.get_by_role("link", name="查看详情").click()
    expect(page.get_by_text("李氏中医诊所")).to_be_visible()
    shoot(page, "tcm-detail")


def test_practice_past_2017_needs_a_supervising_teacher(
    live_server, mobile_page, reference_data, reviewers, tree, tcm_project, files, shoot
):
    page = mobile_page
    candidate = CandidateFactory()
    application = new_application(tcm_project, tree["420102"], track="practice")
    Application.objects.filter(pk=application.pk).update(candidate=candidate)
    page.goto(live_server.url + "/account/login/")
    page.fill("input[name=phone]", candidate.phone)
    page.fill("input[name=password]", "demo12345")
    click_and_wait(page.locator("form button[type=submit]").first)
    page.goto(f"{live_server.url}/apply/{application.pk}/")

    # Practice from 2012 and still going on: it reaches past 2017-07-01.
    open_section(page, "实践经历")
    fill_place(page, files, started="2012-05-01", ended="")
    page.fill("input[name=place_name]", "王氏推拿馆")
    page.fill("textarea[name=experience]", "从事推拿治疗十余年。")
    page.fill("textarea[name=origin]", "家传。")
    page.get_by_role("radio", name=re.compile("近五年证明")).check()
    page.fill("input[name=proof_issuer]", "江岸区卫生健康局")
    page.set_input_files("input[name=file_practice_proof]", files["pdf"])
    save(page)
    back_to_overview(page)
    open_section(page, "实践经历")
    expect(page.locator(".supervisor-notice")).to_contain_text("指导老师")
    shoot(page, "tcm-practice")
    click_and_wait(page.get_by_role("link", name="返回"))

    open_section(page, "推荐信息")
    expect(page.locator("#supervisor-note")).to_contain_text("至今，因此需要添加一名指导老师")
    supervisor = PhysicianFactory(is_recommender=False)
    form = page.locator("#lookup form")
    # A physician not tagged as 推荐医师 cannot be chosen as one …
    form.locator("select[name=role]").select_option("recommender")
    form.locator("input[name=name]").fill(supervisor.name)
    form.locator("input[name=id_number]").fill(supervisor.id_number)
    form.get_by_role("button", name="获取老师").click()
    expect(page.get_by_text("湖北省卫生健康基础资源综合管理系统")).to_be_visible()
    # … but as the 指导老师 the practice needs.
    get_teacher(page, "supervisor", supervisor, files)
    expect(page.locator("#teachers")).to_contain_text("指导老师")
    shoot(page, "tcm-practice-recommendation")
    page.goto(f"{live_server.url}/apply/{application.pk}/")
    expect(page.locator("#submit-blockers")).to_contain_text("还需添加2名推荐医师")
    expect(page.locator("#submit-blockers")).not_to_contain_text("还需添加1名指导老师")

    # Practice that ended before the cut-off needs no 指导老师.
    open_section(page, "实践经历")
    page.fill("input[name=ended_on]", "2016-12-31")
    save(page)
    back_to_overview(page)
    open_section(page, "推荐信息")
    expect(page.locator("#supervisor-note")).to_contain_text("全部在此之前，因此无需添加指导老师")
