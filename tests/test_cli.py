"""The command line and its JSON contract, through real processes."""

import json
import os
import subprocess
import sys

import pytest

from assistant.settings import ROOT


def run(args, built, stdin=None, **env):
    environ = {**os.environ, "CORPUS_DIR": str(built.corpus_dir), "INDEX_DIR": str(built.index_dir),
               "DATA_DIR": str(built.data_dir), **env}
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True,
                          cwd=ROOT, env=environ, input=stdin, timeout=300)


def test_ask_json_contract(built):
    out = run(["ask", "รูปแบบการให้เงินอุดหนุนมีกี่ขั้นตอน", "--json"], built)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"answer", "refused", "citations", "backend"}
    assert data["refused"] is False and data["backend"] == "default"
    # the shape other tools rely on, extended (never broken) by the document's title
    assert {"section_id", "title", "page", "document", "text"} <= set(data["citations"][0])
    assert data["citations"][0]["page"] == 17
    assert data["citations"][0]["document_title"] == "คู่มือการบริหารราชการแบบมีส่วนร่วม (Collaborative Governance)"


def test_ask_batch_answers_every_line_in_order(built, tmp_path):
    lines = [
        {"id": "a", "question": "Commissioning มีกี่ขั้นตอน"},
        {"id": "b", "question": ""},
        "not json",
        {"id": "c", "question": "แล้วขั้นตอนที่ 6 ล่ะ", "history": [{"role": "user", "content": "การทำสัญญาข้อตกลงมีกี่ขั้นตอน"}]},
        {"id": "d", "question": "สูตรต้มยำกุ้ง"},
        {"id": "e"},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines))
    out = run(["ask", "--batch", str(path), "--json"], built)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r.get("id") for r in rows] == ["a", "b", None, "c", "d", "e"]
    assert "6 ขั้นตอน" in rows[0]["answer"]
    assert "error" in rows[1] and "error" in rows[2] and "error" in rows[5]
    assert rows[3]["citations"][0]["section_id"] == "contracting.steps.6"
    assert rows[4]["refused"] is True and rows[4]["citations"] == []


@pytest.mark.parametrize("question", ["", "ก" * 2500, "คำถาม\x01"])
def test_bad_input_exits_non_zero_with_a_thai_message(built, question):
    out = run(["ask", question], built)
    assert out.returncode == 2 and out.stderr.strip() and out.stdout == ""


def test_missing_index_says_how_to_build_it(built, tmp_path):
    out = run(["ask", "Grant คืออะไร"], built, INDEX_DIR=str(tmp_path / "nothing"))
    assert out.returncode == 3 and "python -m assistant index" in out.stderr


def test_search_json(built):
    out = run(["search", "การปิดบัญชีงบประมาณโครงการ", "-k", "2", "--json"], built)
    hits = json.loads(out.stdout)
    assert len(hits) == 2 and hits[0]["section_id"] == "contracting.steps.9"


def test_chat_keeps_the_conversation(built):
    out = run(["chat"], built, stdin="รูปแบบการให้เงินอุดหนุนมีกี่ขั้นตอน\nแล้วขั้นตอนที่ 2 ล่ะ\nออก\n")
    assert out.returncode == 0
    assert "การยื่นข้อเสนอ (Application)" in out.stdout.split("คุณ>")[2]
