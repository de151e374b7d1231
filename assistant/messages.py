"""Every Thai string a user sees, in one place so it can be reviewed."""

CLI_DESCRIPTION = "ผู้ช่วยตอบคำถามเกี่ยวกับแนวทางการบริหารราชการแบบมีส่วนร่วม (Collaborative Governance) ของสำนักงาน ก.พ.ร."

CHAT_BANNER = (
    "ผู้ช่วยคู่มือการบริหารราชการแบบมีส่วนร่วม (Collaborative Governance)\n"
    "พิมพ์คำถามเป็นภาษาไทยได้เลย · พิมพ์ 'ใหม่' เพื่อเริ่มสนทนาใหม่ · พิมพ์ 'ออก' เพื่อจบ"
)
NEW_CONVERSATION = "เริ่มสนทนาใหม่แล้ว"

EMPTY_QUESTION = "กรุณาพิมพ์คำถามก่อนส่ง เช่น “รูปแบบการให้เงินอุดหนุนมีกี่ขั้นตอน”"
TOO_LONG = "คำถามยาวเกินไป ({length:,} ตัวอักษร) กรุณาสรุปให้ไม่เกิน {limit:,} ตัวอักษร"
NO_TEXT = "ไม่พบข้อความที่อ่านได้ในคำถาม กรุณาพิมพ์คำถามเป็นตัวอักษร"
BAD_BATCH_LINE = "บรรทัดนี้ไม่ใช่ JSON object ที่ถูกต้อง"
MISSING_FIELD = "ไม่พบช่อง “{field}” ในบรรทัดนี้"

INDEX_UNAVAILABLE = (
    "ยังใช้ดัชนีค้นหาไม่ได้: {detail}\n"
    "วิธีแก้: รัน `python -m assistant index` (หรือ `make run`) เพื่อสร้างดัชนีใหม่"
)

SOURCES_HEADING = "แหล่งอ้างอิง"
PAGE = "หน้า {page}"
NO_PAGE = "ไม่ระบุหน้า"
