"""The curated task files and what a situation states: the files hold to the guide (every basis verbatim,
every step and sub-point covered, verb first, owners and slots known), the validator catches a file that
drifts, and the situation reader finds the service, target, partner, duration, area and budget."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from assistant import ids
from assistant.corpus import load_corpus, section_index
from assistant.settings import ROOT
from assistant.situation import details, facts
from assistant.tasks import FACTS, SLOTS, load, problems, starts_with_verb, step_points

CORPUS = ROOT / "corpus"


@pytest.fixture(scope="module")
def guide():
    files, checks = load(CORPUS)
    return files, checks, section_index(load_corpus(CORPUS))


def test_every_model_has_a_task_file_that_holds_to_the_guide(guide):
    files, checks, sections = guide
    assert sorted(files) == sorted(ids.MODELS)
    assert problems(files, checks, sections) == []
    for model, tf in files.items():
        assert len(tf.steps) == len(sections[ids.steps_id(model)].children)  # a short label per step
        assert {t.owner for t in tf.tasks} <= {"agency", "partner", "joint"} and len(tf.tasks) >= 12
        assert all(starts_with_verb(t.task) and t.output and t.basis for t in tf.tasks)
        assert any(t.step is None for t in tf.tasks)  # set-up: how the partnership is structured
        assert any("{service}" in t.task for t in tf.tasks)  # the situation's mission has a place


def test_readiness_checks_cover_every_group_for_every_model(guide):
    _, checks, _ = guide
    for model in ids.MODELS:
        mine = [c for c in checks if model in c.models]
        assert len(mine) >= 8
        assert {c.group for c in mine} == {"starting_conditions", "institutional_design", "leadership", "process"}
    assert {c.section for c in checks} >= {"framework.factors.f1.b1", "framework.factors.f2.b3",
                                           "framework.factors.f3", "framework.components.c5"}


@pytest.mark.parametrize("breakage,expected", [
    ("basis", "not verbatim"), ("uncovered", "sub-point not covered"), ("no_basis", "no basis"),
    ("verb", "does not start with a verb"), ("owner", "owner"), ("slot", "unknown slots"),
    ("fact", "optional.when"), ("step", "has no task"),
])
def test_the_validator_catches_a_task_file_that_drifts(guide, breakage, expected):
    files, checks, sections = guide
    tf = dataclasses.replace(files["contracting"], tasks=list(files["contracting"].tasks))
    first = tf.tasks[0] if breakage not in ("uncovered", "step") else None
    if breakage == "basis":
        tf.tasks[0] = dataclasses.replace(first, basis=first.basis + " และอื่น ๆ ที่คู่มือไม่ได้เขียน")
    elif breakage == "uncovered":  # drop the tasks whose basis covers the enumerated criteria of step 4
        tf.tasks = [t for t in tf.tasks if "ความคุ้มค่า" not in t.basis]
    elif breakage == "no_basis":
        tf.tasks[0] = dataclasses.replace(first, basis="")
    elif breakage == "verb":
        tf.tasks[0] = dataclasses.replace(first, task="หน่วยงานภาครัฐ" + first.task)
    elif breakage == "owner":
        tf.tasks[0] = dataclasses.replace(first, owner="minister")
    elif breakage == "slot":
        tf.tasks[0] = dataclasses.replace(first, task=first.task + " {budget_figure}")
    elif breakage == "fact":
        tf.tasks[0] = dataclasses.replace(first, optional_when="rainy_day", optional_reason="ฝนตก")
    elif breakage == "step":
        tf.tasks = [t for t in tf.tasks if t.step != 9]
    found = problems({"contracting": tf}, checks, sections)
    assert any(expected in line for line in found), found


def test_a_broken_task_file_falls_back_to_quotes_instead_of_citing_wrongly(embedder, tmp_path):
    from assistant.checklist import draft
    from assistant.recommend import Recommender

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    path = corpus / "checklists" / "grant.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("ภาครัฐต้องกำหนดเงื่อนไข", "ภาครัฐอาจกำหนดเงื่อนไข"),
                    encoding="utf-8")
    recommender = Recommender(embedder, load_corpus(corpus))
    assert "grant" not in recommender.task_files and "contracting" in recommender.task_files
    result = draft(recommender, "กรมต้องการให้มหาวิทยาลัยสำรวจข้อมูลผู้สูงอายุให้เสร็จภายใน 6 เดือน", "grant")
    assert result.basis == "quotes" and not any(i.owner for i in result.items)


def test_sub_points_split_enumerations():
    assert step_points("ก่อน เช่น ความเชี่ยวชาญ มาตรฐานองค์กร พื้นที่บริการ เป็นต้น")[-1] == "พื้นที่บริการ"


# --------------------------------------------------------------------------------------- situations
# Written for these tests (not from eval/gold.jsonl): how civil servants describe what they want.
SITUATIONS = [
    ("อยากให้องค์กรภาคเอกชนรับเรื่องร้องเรียนผู้บริโภคแทนหน่วยงานเป็นบริการประจำ",
     {"service": "รับเรื่องร้องเรียนผู้บริโภค", "partner": "องค์กรภาคเอกชน", "target": "ผู้บริโภค"}),
    ("กรมเราจะให้มูลนิธิทำฐานข้อมูลคนไร้บ้านให้เสร็จใน 6 เดือน ใช้แบบไหนดีครับ",
     {"service": "ทำฐานข้อมูลคนไร้บ้าน", "partner": "มูลนิธิ", "target": "คนไร้บ้าน", "duration": "6 เดือน"}),
    ("สำนักงานอยากให้ชมรมอาสาสมัครช่วยสอนว่ายน้ำให้เด็กประถมในอำเภอเมือง ภายใน 3 เดือน งบประมาณ 200,000 บาท",
     {"service": "สอนว่ายน้ำให้เด็กประถม", "partner": "ชมรมอาสาสมัคร", "target": "เด็กประถม", "duration": "3 เดือน",
      "area": "อำเภอเมือง", "budget": "งบประมาณ 200,000 บาท"}),
    ("We want a foundation to operate a night shelter for homeless people in Khon Kaen province every day.",
     {"service": "operate a night shelter for homeless people", "partner": "foundation",
      "target": "homeless people", "area": "khon kaen province"}),
    ("ทำไงดี งานเยอะคนไม่พอ", {}),
]


@pytest.mark.parametrize("situation,expected", SITUATIONS)
def test_what_a_situation_states(situation, expected):
    assert details(situation) == expected


@pytest.mark.parametrize("situation,fact,held", [
    ("ให้มูลนิธิที่มีประสบการณ์ดูแลเด็กมาแล้ว 10 ปี ทำต่อ", "experienced_partner", True),
    ("ให้สมาคมที่ยังไม่มีประสบการณ์ลองทำดู", "experienced_partner", False),
    ("จ้างเอกชนดูแลสวนสาธารณะ วงเงิน 2 ล้านบาท", "budget_given", True),
    ("ให้มหาวิทยาลัยสำรวจข้อมูล 8 เดือน", "short_term", True),
    ("ให้มหาวิทยาลัยสำรวจข้อมูล 3 ปี", "short_term", False),
    ("ให้มหาวิทยาลัยสำรวจข้อมูล 1 ปีครึ่ง", "short_term", False),  # 18 months
    ("มูลนิธิยังไม่เคยทำงานกับกรม", "partner_chosen", False),
    ("มูลนิธิไม่ได้มีประสบการณ์", "experienced_partner", False),
    ("งานนี้ไม่ได้ต่อยอดจากของเดิม", "existing_service", False),
    ("we do not have an existing service", "existing_service", False),
])
def test_facts_that_make_a_task_unnecessary(situation, fact, held):
    assert fact in FACTS and (fact in facts(situation)) is held


def test_slots_are_the_situation_details():
    assert set(SLOTS) == {"service", "target", "partner", "duration", "area", "budget"}
