"""The guide's three partnership models: names and the words people use for them."""

from __future__ import annotations

import re

from assistant.ids import MODELS  # noqa: F401  (re-exported: the models' one home is ids.py)
from assistant.normalize import fold_spellings, normalize

NAMES = {
    "grant": "รูปแบบการให้เงินอุดหนุน (Grant)",
    "contracting": "รูปแบบการทำสัญญาข้อตกลง (Performance-based Contracting)",
    "commissioning": "รูปแบบกลไกขับเคลื่อนงานภายใต้สัญญาร่วม (Commissioning)",
}
SHORT = {"grant": "เงินอุดหนุน (Grant)", "contracting": "สัญญาข้อตกลง (Contracting)",
         "commissioning": "กลไกภายใต้สัญญาร่วม (Commissioning)"}

# Patterns over normalised text (lower case, folded vowels). Order matters only for reporting.
_ALIASES = {
    "grant": r"grant|เงินอุดหนุ|อุดหนุน|ให้ทุน|แบบที่ ?(1|หนึ่ง)|รูปแบบแรก(?!.*ต่าง)|(first|1st) (model|form|type)",
    "contracting": r"contract|procurement|(?<![a-z])pbc(?![a-z])|performance[- ]based|สัญญาข้อตกลง|สันญาข้อตกลง|ทำสัญญา(?!ร่วม)|แบบที่ ?(2|สอง)|(second|2nd) (model|form|type)",
    "commissioning": r"commission|com+is+ion|คอมมิช|คอมมิส|วงจรการมอบหมาย|สัญญาร่วม|กลไกขับเคลื่อน|แบบที่ ?(3|สาม)|(third|3rd) (model|form|type)",
}
_COMPILED = {m: re.compile(p) for m, p in _ALIASES.items()}


def mentioned(text: str) -> list[str]:
    """Models named in the text, in order of first mention."""
    norm = fold_spellings(normalize(text))
    found = [(m.start(), model) for model, rx in _COMPILED.items() if (m := rx.search(norm))]
    return [model for _, model in sorted(found)]


def without_mentions(text: str) -> str:
    """The text with its model names blanked ("รูปแบบที่2 เหมาะกับ…" → "รูป  เหมาะกับ…"): what it says about them."""
    norm = fold_spellings(normalize(text))
    for rx in _COMPILED.values():
        norm = rx.sub(" ", norm)
    return norm
