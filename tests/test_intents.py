"""Routes of questions, table-driven: Thai and English alike, compound questions, questions about the book."""

import pytest

from assistant import ids
from assistant.corpus import load_corpus
from assistant.intents import LAST, Route, classify
from assistant.settings import ROOT

CASES = [
    ("สวัสดีครับ", Route.HELP, (), None),
    ("Our district has many parties on elder care and we want one standing body for the long term. Which of the "
     "guide's models is this?", Route.SITUATION, (), None),
    ("ในรูปนี้ลูกศรหมายถึงอะไร", Route.FIGURE, (), None),
    ("ตัวอย่างภารกิจที่ทำในรูปคณะกรรมการมีอะไรบ้าง", Route.EXAMPLE, (), None),  # "ในรูป…": in the form of
    ("ในสารบัญมีหัวข้อหลักอะไรบ้าง", Route.TOC, (), None),
    ("hey, how many steps in PBC?", Route.STEPS, ("contracting",), None),
    ("รูปแบบการให้เงินอุดหนุนมีกี่ขั้นตอน", Route.STEPS, ("grant",), None),
    ("ขั้นตอนที่ 3 ของ Commissioning คืออะไร", Route.STEP, ("commissioning",), 3),
    ("whats the 1st step of the comissioning recycle?", Route.STEP, ("commissioning",), 1),
    ("ขั้นตอนสุดท้ายของ PBC คืออะไร", Route.STEP, ("contracting",), LAST),
    ("Grant เหมาะกับงานแบบไหน", Route.SUITABILITY, ("grant",), None),
    ("กรมเราจะให้มูลนิธิทำฐานข้อมูลคนไร้บ้านให้เสร็จใน 6 เดือน ใช้แบบไหนดี แล้วขั้นแรกต้องทำอะไรครับ",
     Route.SITUATION, (), 1),
    ("We want an NGO to run a shelter every year because we lack staff. Which model should we use?",
     Route.SITUATION, (), None),
    ("ช่วยสรุปสั้นๆ ว่าสามรูปแบบต่างกันยังไง", Route.COMPARE, ids.MODELS, None),
    ("ใครเป็นคนทำคู่มือเล่มนี้", Route.CREDITS, (), None),
    ("Who prepared this guide?", Route.CREDITS, (), None),
    ("แนวคิดในคู่มือนี้อ้างอิงมาจากนักวิชาการคนไหน", Route.SOURCE, (), None),
    ("เรื่องปัจจัยอยู่หน้าไหน", Route.TOC, (), None),
    ("คู่มือนี้จัดทำขึ้นเพื่ออะไร", Route.PREFACE, (), None),
    ("ภาพหน้า 7 แสดงอะไรคะ", Route.FIGURE, (), None),
    ("ค่าจ้างขั้นต่ำปีนี้เท่าไร", Route.GENERAL, (), None),
    ("อยากรู้ว่าแบบcommisioning ต้องเริ่มจากไรก่อนอ่ะครับ", Route.STEP, ("commissioning",), 1),
    ("ปัจจัยความสำเร็จของการร่วมมือกันมีไรบ้างคะ ขอสั้นๆ", Route.LIST, (), None),
    ("แบบ PBC การลงพื้นที่จริงอยู่ขั้นไหนครับ", Route.WHICH_STEP, ("contracting",), None),
    ("In the grant cycle, at which step does the applicant submit a proposal?", Route.WHICH_STEP, ("grant",), None),
    ("PBC มีขั้นตอนอะไรบ้าง", Route.STEPS, ("contracting",), None),  # a list of steps, not "which step"
    ("grant มีขั้นตอนใดบ้าง", Route.STEPS, ("grant",), None),
    ("contracting มีขั้นตอนไหนบ้าง", Route.STEPS, ("contracting",), None),
    # which model the guide puts an example under: the guide's content, not a situation to recommend for
    ("ศูนย์คุ้มครองผู้บริโภคระดับพื้นที่ที่คู่มือยกมา เป็นตัวอย่างของรูปแบบไหนคะ", Route.WHICH_MODEL, (), None),
    ("examples about disabled people - which models do they fall under?", Route.WHICH_MODEL, (), None),
    # …but asking which one fits is the recommender's question, with or without "we"
    ("A district office is hiring a foundation to run elderly day care every year. Which model is most suitable?",
     Route.SITUATION, (), None),
    ("which model is suitable for running a shelter all year round on the ministry's behalf?", Route.SITUATION, (), None),
    # "แบบไหน" as "how" / "what kind", "แนะนำ" as "that the guide recommends": not a request for a model
    ("คู่มือบอกว่าเครือข่ายนโยบายตัดสินใจกันแบบไหนคะ แล้วการเจรจาต่อรองในนั้นมักเป็นยังไง", Route.GENERAL, (), None),
    ("ผู้นำหลายคนที่คู่มือแนะนำ ต้องมีบทบาทร่วมกันแบบไหนบ้างคะ ทั้งผู้นำที่เป็นทางการและไม่เป็นทางการ", Route.GENERAL, (), None),
    # a why-question is a reason, even when it names a cycle; a framework list is no procedure
    ("Why should the needs assessment in the commissioning cycle involve the service users?", Route.WHY,
     ("commissioning",), None),
    ("องค์ประกอบของกระบวนการ CG มีอะไรบ้างคะ", Route.LIST, (), None),
    # the same step of each model: "ทั้ง 3 รูปแบบ", "each model", or the models named
    ("ขอดูขั้นตอนสุดท้ายของทั้งสามรูปแบบหน่อยครับ", Route.STEP, ids.MODELS, LAST),
    ("what is the first step of each model?", Route.STEP, ids.MODELS, 1),
    ("ขั้นแรกของ grant กับ PBC คืออะไร", Route.STEP, ("grant", "contracting"), 1),
    ("แบบ grant 4 ขั้น มีชื่ออะไรบ้าง", Route.STEPS, ("grant",), None),  # "4 ขั้น" counts the steps
    # a topic asked of each model is about the guide, not a situation ("ในรูปแบบไหน" is "in what form")
    ("แต่ละแบบรัฐกับภาคีทำข้อตกลงกันในรูปแบบไหนครับ", Route.GENERAL, ids.MODELS, None),
]


@pytest.mark.parametrize(("question", "route", "models", "step"), CASES)
def test_routes(question, route, models, step):
    intent = classify(question)
    assert (intent.route, intent.models) == (route, models)
    if step is not None:
        assert intent.step == step


@pytest.mark.parametrize(("question", "items"), [
    ("ลักษณะสำคัญข้อที่ 2 กับข้อสุดท้ายต่างกันยังไง", (2, LAST)),
    ("ปัจจัยแรกคืออะไรคะ", (1,)),
    ("what is the last factor?", (LAST,)),
])
def test_items_of_a_list_first_and_last(question, items):
    assert classify(question).items == items


def test_a_compound_question_carries_what_else_it_wants():
    intent = classify("อยากให้เอกชนดูแลศูนย์ผู้สูงอายุทุกวันต่อเนื่อง ควรใช้รูปแบบไหน ขั้นตอนมีอะไรบ้าง")
    assert intent.route is Route.SITUATION and "steps" in intent.wants
    assert "checklist" in classify("We plan to let a foundation run a helpline, which model and give me a checklist").wants
    for text in ("เราจะให้สมาคมดูแลศูนย์เด็กเล็กทุกปี ใช้แบบไหนดี ขอขั้นตอนด้วยครับ",
                 "We plan to hand our call centre to a foundation for good. Which model, and what steps do we follow?"):
        assert "steps" in classify(text).wants


def test_every_id_the_helpers_build_exists_in_the_parsed_guide():
    sections = {s.id for d in load_corpus(ROOT / "corpus") for s in d.sections.values()}
    built = {ids.CREDITS, ids.PREFACE, ids.TOC, ids.TITLE, ids.OVERVIEW, ids.footnote_id(1)}
    for m in ids.MODELS:
        built |= {ids.model_id(m), ids.overview_id(m), ids.step_id(m, 1)} | {ids.part_id(m, p) for p in ids.PARTS}
    assert built <= sections
    assert ids.model_of("models.grant") == "grant" and ids.part_of("contracting.steps.4") == "steps"
    assert ids.model_of("framework.factors.f1") is None and ids.part_of("grant.fig1") is None
