"""What a situation states, for tailoring a checklist: the service or mission, target group, kind of partner,
duration, area and budget (`details`), and the facts that can make a task unnecessary (`facts`).

Only what the user wrote is taken, verbatim (normalised spacing): nothing is guessed. A detail that is not
found stays absent and the checklist leaves a visible blank ("…") for the user to fill.

The service is the verb phrase of what the partner is asked to do, from a service verb after the request
to the first word that starts a qualifier:
    "อยากให้องค์กรภาคเอกชน|รับเรื่องร้องเรียนผู้บริโภค|แทนหน่วยงานเป็นบริการประจำ"
    "We want an NGO to |run a shelter| every year because we lack staff."
Thai has no spaces between these phrases, so the stop words (แทน, ภายใน, ให้เสร็จ, ในพื้นที่, ทุกปี, โดย, …)
carry the cut; a phrase shorter than four letters or longer than 80 is dropped rather than shown wrong.
Measured on the dev situations (eval "tailoring rate"); the test split is never looked at item by item.
"""

from __future__ import annotations

import re

from assistant.normalize import normalize

TARGET_GROUPS = r"เด็กเล็ก|เด็กและเยาวชน|เด็ก|เยาวชน|ผู้สูงอายุ|คนชรา|ผู้พิการ|คนพิการ|ผู้บริโภค|คนไร้บ้าน|ผู้ป่วย\S*|" \
                r"ผู้ติดยาเสพติด|แรงงาน\S*|ผู้ประสบภัย\S*|เกษตรกร|ผู้มีรายได้น้อย|นักเรียน|ผู้ว่างงาน|ผู้ต้องขัง|" \
                r"ชาวประมง|ผู้ประกอบการ\S*|ประชาชน|children|youth|elderly|older people|" \
                r"people with disabilities|disabled|consumers|homeless( people)?|patients|migrant workers|farmers|" \
                r"students|residents"
PARTNERS = r"มูลนิธิ|สมาคม\S*|ชมรม\S*|มหาวิทยาลัย|สถาบันการศึกษา|องค์กรภาคประชาสังคม|ภาคประชาสังคม|องค์กรชุมชน|" \
           r"วิสาหกิจชุมชน|สหกรณ์|องค์กรภาคเอกชน|องค์กรเอกชน|ภาคเอกชน|เอกชน|บริษัท\S*|เทศบาล\S*|อบต\.?|อบจ\.?|" \
           r"องค์การบริหารส่วน\S+|องค์กรปกครองส่วนท้องถิ่น|อปท\.?|โรงพยาบาล\S*|นักวิชาการ|" \
           r"foundation|nonprofit|non-profit|ngo|university|private (company|firm|sector)|company|civil society( group)?|" \
           r"local government|municipality|association|cooperative|community (group|organisation|organization)"
DURATION = r"\d+\s*(?:วัน|เดือน|ปี)(?:ครึ่ง)?|(?:หนึ่ง|สอง|สาม|หก|เก้า)\s*(?:เดือน|ปี)|หลายปี|ระยะยาว|ต่อเนื่อง|ถาวร|" \
           r"\d+\s*(?:months?|years?)|(?:one|two|three|six|ten)[- ](?:months?|years?)|long-term|ongoing|permanent"
AREA = r"(?:พื้นที่|จังหวัด|อำเภอ|ตำบล|ภาค(?=เหนือ|ใต้|อีสาน|กลาง|ตะวันออก)|กรุงเทพ)\S*" \
       r"|ทุก(?:จังหวัด|อำเภอ|ตำบล|ภาค)|ทั่วประเทศ|\b(?!(?:the|each|every|a|this|our|that|in|of)\b)(?:[a-z]+ ){1,2}(?:province|district)\b" \
       r"|nationwide"
BUDGET = r"(?:งบ(?:ประมาณ)?|วงเงิน)\s*(?:ประมาณ|ราว|ไม่เกิน)?\s*[\d,.]+\s*(?:ล้าน|แสน|หมื่น)?\s*บาท|" \
         r"[\d,.]+\s*(?:ล้าน|แสน|หมื่น)?\s*บาท|[\d,.]+\s*(?:million )?baht|(?:฿|thb)\s*[\d,.]+\s*(?:million)?"

# The service starts at a service verb (at a word boundary, so "ผู้รับมอบหมาย" is not "รับ") found
#  a. within 50 letters after the request to a partner: "ให้ <anyone> (ช่วย) <verb>…", "จ้าง", "ให้ทุน";
#  b. right after a purpose or mission word: "เพื่อ", "ภารกิจ(ใหม่)(ด้าน|เรื่อง)", "เรื่อง", "เป็นการ";
#  c. right after a bare wish: "อยาก/ต้องการ (จะ)"; in English the last "to <verb>" clause, else "for <noun>".
# Classes are tried in that order, the earliest match first within a class; a negated wish ("ไม่ได้อยาก…")
# is skipped. The text between the request and the verb names the partner when no known kind matches.
SERVICE_VERBS = ("ให้บริการ ให้คำปรึกษา ให้ความรู้ จัดทำ ดำเนินการ ทำ จัด ดูแล สำรวจ บริหาร พัฒนา เปิด รับ ช่วยเหลือ "
                 "ประเมิน ฝึกอบรม ฝึก อบรม ศึกษา วิจัย ขับเคลื่อน แก้ปัญหา แก้ไข สร้าง ติดตาม ป้องกัน คัดกรอง บำบัด "
                 "ฟื้นฟู ส่งเสริม รณรงค์ จัดหา เก็บ รวบรวม วางแผน คุ้มครอง เยียวยา ผลิต ออกแบบ บริการ สอน ตรวจ "
                 "เฝ้าระวัง รักษา อนุรักษ์ จัดการ กำจัด ขนส่ง แจก เป็นพี่เลี้ยง ทดลอง").split()
VERB = re.compile("(?:" + "|".join(sorted(SERVICE_VERBS, key=len, reverse=True)) + ")(?!ตั้ง)")  # not "จัดตั้ง"
ASK = re.compile(r"(?:ให้ทุน|สนับสนุนงบให้|มอบให้|มอบหมายให้|ให้|จ้าง|เชิญ)(?!บริการ|คำปรึกษา|ความรู้|เสร็จ|แล้วเสร็จ|ได้|มี)")
PURPOSE = re.compile(r"เพื่อ(?:การ)?|ภารกิจ(?:ใหม่)?\s*(?:ด้าน(?:การ)?|เรื่อง(?:การ)?)?|เรื่อง(?:การ)?|เป็นการ|โครงการ(?:เพื่อ)?")
WISH = re.compile(r"(?:อยาก|ต้องการ|ประสงค์|วางแผน)(?:จะ)?(?:ให้มี)?")
# newmm glues verbs to what precedes them ("ช่วยดูแล", "การพัฒนา"), so a verb is told from a noun by what is
# right before it: "ผู้รับ", "ความช่วยเหลือ", "การจัดการ" are nouns ("ต้องการ" is a wish, not a nominaliser).
NOMINAL = re.compile(r"(?:ผู้|ความ|นัก|ผล|(?<!ต้อง)การ)$")
NOT_WANTED = re.compile(r"(?:ไม่ได้|ไม่|ไม่ได้จะ)\s*$")
EN_TO = re.compile(r"\bto\s+(?:jointly\s+|also\s+|help\s+(?:to\s+)?)?(?!be\b|use\b|know\b|choose\b|pick\b)(?=[a-z])")
EN_STRUCTURE = re.compile(r"^(?:set up|create|establish|form|start|partner|work|team up|join)\b")
EN_FOR = re.compile(r"\b(?:board|committee|body|fund|mechanism|council|centre|center|partnership)\b[^.?!]{0,40}?\bfor\s+"
                    r"(?!the long|a long|long|\d|years|ever)")
STOP_TH = re.compile(r"แทน|ภายใน|ให้เสร็จ|ให้แล้วเสร็จ|(?:ใน|ทั่ว|ครอบคลุม)(?:ทุก|พื้นที่|จังหวัด|อำเภอ|ตำบล|ภาค|เขต|ระยะ|เวลา|"
                     r"ช่วง|ปี)|ทุก(?:วัน|ปี|เดือน|สัปดาห์|จังหวัด|อำเภอ|ตำบล)|ทั่วประเทศ|โดย|เพราะ|เนื่องจาก|ตลอด|ระยะเวลา|"
                     r"อย่างต่อเนื่อง|ต่อเนื่อง|เป็น(?:บริการ|งาน|ประจำ|ระยะ|เวลา|โครงการ|การถาวร)|ประจำ|ระยะยาว|ระยะสั้น|"
                     r"ใช้(?:แบบ|รูปแบบ)|ควร|ดีไหม|แบบไหน|รูปแบบไหน|ครับ|ค่ะ|คะ|นะ|ด้วย(?:งบ|เงิน)|งบ|วงเงิน|\d|"
                     r"[,.?!;:()]|\s{2,}|\sแล้ว|\sและ(?:ต้อง|ควร|อยาก)|แล้วต้อง|แล้วค่อย|แล้วจบ|จะใช้|หน่อย|ครั้งเดียว|"
                     r"ฉบับเดียว|แบบถาวร|แบบระยะ|อย่างถาวร|ถาวร|ยาวๆ|กรอบเวลา|ปีนี้|ปีงบ|\s")  # Thai puts a space between phrases
STOP_EN = re.compile(r"\s(?:every|each|for(?= \d| the long| a long| long| years| \w+ (?:years|months))|because|within|over|by|so|as|since|under|with a budget|starting|from|"
                     r"which|what|how|on (?:our|its|their) behalf|instead|in|across|throughout|and write|and then|"
                     r"with pooled|with each|with shared|on a|as an)\b|[,.?!;:()]")


def details(situation: str) -> dict[str, str]:
    """The service, target group, partner, duration, area and budget as the situation states them."""
    text = normalize(situation)
    found: dict[str, str] = {}
    partner = _first("partner", PARTNERS, text)
    service, named = _service(text, partner)
    for key, value in (("service", service), ("partner", partner[0] if partner else named)):
        if value:
            found[key] = value
    if service and (m := re.search(r"\bfor\s+(?!the\b|a\b|an\b|\d)([a-z' -]{4,40})$", service)):
        found["target"] = m.group(1).strip()  # "run a shelter for abandoned elderly people"
    for key, rx in (("target", TARGET_GROUPS), ("duration", DURATION), ("area", AREA), ("budget", BUDGET)):
        if key in found:
            continue
        # the target named in the service first ("กรมกิจการเด็กและเยาวชน…ประเมินความต้องการของเด็ก" → เด็ก)
        for where in ([service, text] if key == "target" and service else [text]):
            phrase = _first(key, rx, where)
            if phrase:
                found[key] = phrase[0]
                break
    return found


def _first(key: str, rx: str, text: str) -> tuple[str, int] | None:
    """The first match that is more than a bare head word, trimmed, with where it ends. Matches may overlap
    (a lookahead), since a name written without spaces swallows the rest of the text."""
    for m in re.finditer(rf"(?=({rx}))", text):
        phrase = _trimmed(key, m.group(1))
        if phrase and key == "target" and re.match(r"[\u0e00-\u0e7f]", phrase):
            phrase = _target(text, m.start(), phrase)
        if phrase:
            return phrase, m.start() + len(phrase)
    return None


# Names written without spaces run on into the verb after them: "ชมรมคนพิการช่วยลงพื้นที่", "จังหวัดต้องการ…".
HEAD = re.compile(r"ผู้ป่วย|แรงงาน|ผู้ประสบภัย|ผู้ประกอบการ|พื้นที่|จังหวัด|อำเภอ|ตำบล|ภาค|กรุงเทพ|ชมรม|สมาคม|บริษัท|เทศบาล|โรงพยาบาล|องค์การบริหารส่วน|มูลนิธิ")
RUN_ON = re.compile(r"(?:ช่วย|มา|เข้ามา|ทำ|ให้|ดูแล|เปิด|รับ|จัด|ดำเนิน|ลง|สำรวจ|บริหาร|ต้องการ|อยาก|จะ|ที่|ซึ่ง|"
                    r"ภายใน|ใน|โดย|และ|เพื่อ|แทน|ร่วม|ระยะ|ต่อเนื่อง|ทุก)")
BARE = {"area": re.compile(r"^(?:พื้นที่|จังหวัด|อำเภอ|ตำบล|ภาค)$")}


TARGET_END = re.compile(r"\s|ให้|เพื่อ|โดย|และ(?!เยาวชน)|ใน(?:พื้นที่|จังหวัด|อำเภอ|ตำบล|ระยะ|เขต|ทุก)|ทั่ว|ทุก|แทน|เป็น|"
                        r"ภายใน|ระยะ|ต่อเนื่อง|ครับ|ค่ะ|คะ|\d|[,.?!;:()]")


def _target(text: str, start: int, head: str) -> str:
    """A target group with its modifiers: "เด็ก|ออทิสติก", "เด็ก|นอกระบบการศึกษา", up to a stop word."""
    rest = text[start + len(head) : start + len(head) + 35]
    cut = TARGET_END.search(rest)
    return (head + (rest[: cut.start()] if cut else rest)).strip()


def _trimmed(key: str, phrase: str) -> str | None:
    if key in ("partner", "area", "target") and not phrase.startswith("ทุก"):
        head = HEAD.match(phrase)
        cut = RUN_ON.search(phrase, head.end() if head else 3)
        phrase = phrase[: cut.start()] if cut else phrase
    phrase = phrase.strip()
    return None if not phrase or (key in BARE and BARE[key].match(phrase)) else phrase


def _service(text: str, partner: tuple[str, int] | None) -> tuple[str | None, str | None]:
    """The service phrase, and the partner as written between the request and the verb (if any)."""
    starts = _word_starts(text)

    def verb_at(pos: int, window: int) -> re.Match | None:
        for m in VERB.finditer(text, pos, min(len(text), pos + window + 20)):
            if m.start() > pos + window:
                break
            if m.start() == pos or not NOMINAL.search(text[max(0, m.start() - 9) : m.start()]):
                return m
        return None

    tries: list[tuple[int, re.Pattern, str | None]] = []
    for m in ASK.finditer(text):
        if not NOT_WANTED.search(text[max(0, m.start() - 12) : m.start()]):
            verb = verb_at(m.end(), 50)
            if verb:
                between = re.sub(r"(?:ช่วย|มา|เข้ามา|ไป)\s*$", "", text[m.end() : verb.start()]).strip()
                tries.append((verb.start(), STOP_TH, between if 2 <= len(between) <= 30 else None))
                break
    for rx in (PURPOSE, WISH):
        for m in rx.finditer(text):
            if NOT_WANTED.search(text[max(0, m.start() - 12) : m.start()]):
                continue
            verb = verb_at(m.end(), 3)
            if verb:
                tries.append((verb.start(), STOP_TH, None))
                break
    tries.sort(key=lambda t: t[0])  # the earliest statement of what is wanted
    english = [m for m in EN_TO.finditer(text) if not EN_STRUCTURE.match(text[m.end():])]
    if english:
        tries.insert(0, (english[-1].end(), STOP_EN, None))
    elif (m := EN_FOR.search(text)) is not None:
        tries.insert(0, (m.end(), STOP_EN, None))
    for start, stop, named in tries:
        rest = text[start:]
        # a stop word counts only where a word starts ("แนะแนว" holds "นะ", "เจ้าหน้าที่" holds "จ้า")
        cut = next((c for c in stop.finditer(rest, 2) if stop is STOP_EN or start + c.start() in starts
                    or not re.match(r"นะ|คะ|ค่ะ|ครับ|งบ", c.group(0))), None)
        phrase = (rest[: cut.start()] if cut else rest).strip(" “”\"'")
        if 4 <= len(phrase) <= 80 and re.search(r"[\u0e00-\u0e7fA-Za-z]{3}", phrase):
            return phrase, named
    return None, None


def _word_starts(text: str) -> set[int]:
    from pythainlp.tokenize import word_tokenize

    starts, pos = set(), 0
    for w in word_tokenize(text, engine="newmm", keep_whitespace=True):
        starts.add(pos)
        pos += len(w)
    return starts


NEGATED = re.compile(r"(?:ไม่|ยังไม่|ขาด|ไม่ค่อย|ไม่ได้(?:มี)?|ไม่มี|ไม่ใช่\S{0,12}|\bno|\bnot|without|lacks?|do not have(?: an?)?|don't have(?: an?)?)\s*$", re.IGNORECASE)
FACT_PATTERNS = {
    "experienced_partner": r"มีประสบการณ์|เคย(?:ทำ|ดำเนินการ|ร่วมงาน|ได้รับ)|ทำมา(?:แล้ว|นาน|หลายปี)|ชำนาญ|เชี่ยวชาญ|"
                           r"experienced|track record|has run|have run",
    "existing_service": r"เดิม|มีอยู่แล้ว|ที่ทำอยู่|ที่ให้บริการอยู่|ต่อยอด|existing|already (run|exists|operat)",
    "partner_chosen": r"(?:มูลนิธิ|สมาคม|บริษัท|ชมรม)[\u0e00-\u0e7f]{3,}(?:จำกัด)?\s*(?:ที่|ซึ่ง)?(?:เคย|รายเดิม)|รายเดิม|"
                      r"the same (?:partner|foundation|ngo)",
}


def facts(situation: str, found: dict[str, str] | None = None) -> set[str]:
    """Named facts (tasks.FACTS) the situation states, negation aside ("ยังไม่มีประสบการณ์" is not experience)."""
    text = normalize(situation)
    found = details(situation) if found is None else found
    held = set()
    for name, pattern in FACT_PATTERNS.items():
        for m in re.finditer(pattern, text, re.IGNORECASE):
            before = text[max(0, m.start() - 20) : m.start()]
            clause = re.split(r"\s", before)[-1]  # Thai writes a clause without spaces: "ไม่ได้ต่อยอดจากของเดิม"
            if not NEGATED.search(before) and "ไม่" not in clause and "ไม่" not in m.group(0):
                held.add(name)
                break
    if "budget" in found:
        held.add("budget_given")
    if _months(found.get("duration", "")) is not None and _months(found["duration"]) <= 12:
        held.add("short_term")
    return held


def _months(duration: str) -> float | None:
    m = re.match(r"(\d+)\s*(วัน|เดือน|ปี|months?|years?)", duration)
    if not m:
        return None
    n = int(m.group(1)) + (0.5 if "ครึ่ง" in duration else 0)  # "1 ปีครึ่ง" is 18 months
    unit = m.group(2)
    return n / 30 if unit == "วัน" else n if unit.startswith(("เดือน", "month")) else n * 12
