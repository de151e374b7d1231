"""Search-time normalisation and Thai segmentation."""

from assistant.normalize import normalize
from assistant.segment import expand_query, search_tokens, sentences, words


def test_normalize_folds_what_users_type_differently():
    assert normalize("สัญญาาร่วม") == normalize("สัญญาร่วม")
    assert normalize("๙ ขั้นตอน") == "9 ขั้นตอน"
    assert normalize("การทํา") == normalize("การทำ")  # NIKHAHIT + SARA AA → SARA AM
    assert normalize("  PPPs\u200b\tand  NPM ") == "ppps and npm"


def test_domain_terms_stay_whole_and_also_match_their_parts():
    assert "ภาคีหุ้นส่วน" in words("การเป็นภาคีหุ้นส่วนของรัฐ")
    assert "คณะกรรมการร่วมเฉพาะกิจ" in words("คณะกรรมการร่วมเฉพาะกิจ (Joint Committee)")
    tokens = search_tokens("ภาคีหุ้นส่วนคืออะไร")
    assert {"ภาคีหุ้นส่วน", "หุ้นส่วน"} <= set(tokens)
    assert "คือ" not in tokens and "อะไร" not in tokens  # stopwords


def test_search_tokens_drop_punctuation_and_fold_plurals():
    assert search_tokens("(Joint Committee) PPPs?") == ["joint", "committee", "ppp"]
    assert "9" in search_tokens("สัญญาาร่วม ๙ ขั้นตอน")


def test_english_queries_expand_to_the_guides_thai_terms():
    assert "ขั้นตอน" in expand_query(search_tokens("How many steps?"))


def test_chat_thai_expands_to_the_guides_formal_terms():
    expanded = expand_query(search_tokens("ผู้ขอรับต้องเซ็นรับเงื่อนไขตอนไหน อบต.ทำได้ไหม"))
    assert {"ลงนาม", "องค์กรปกครองส่วนท้องถิ่น"} <= set(expanded)
    assert "ลงนาม" not in expand_query(search_tokens("ผู้ขอรับต้องยื่นข้อเสนอตอนไหน"))


def test_crfcut_sentences_keep_all_the_words():
    text = "หน่วยงานภาครัฐต้องกำหนดเงื่อนไข รายละเอียด คุณสมบัติของหน่วยงานที่ชัดเจน ส่วนหน่วยงานอื่นยื่นข้อเสนอ"
    parts = sentences(text)
    assert len(parts) >= 2
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")
