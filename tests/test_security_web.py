"""Issue 13, the web UI: real `python -m assistant serve` processes on 127.0.0.1, driven over HTTP and with
gradio_client, as the probe did. Rows: 1 (data folder never served), 8 (unusable DATA_DIR), 10 (no exception
text in the browser), 11 (login throttling, no OpenAPI schema), 12 (exports deleted), 13 (Thai "queue full")."""

import concurrent.futures
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from assistant import messages
from assistant.settings import ROOT
from assistant.webguard import LoginThrottle
from tests.helpers import free_port, wait_until_serving

USER, PASSWORD = "officer", "correct horse battery"
SITUATION = "กรมต้องการให้มูลนิธิดูแลสถานแรกรับเด็กอย่างต่อเนื่อง เพราะไม่มีอัตรากำลังพอ"
LEAKS = ("Traceback", "Errno", "Error:", "Exception", "Chroma", "upstream Gradio")


class Web:
    """`python -m assistant serve` as a process with its own DATA_DIR and temp folders."""

    def __init__(self, built, tmp: Path, data_dir: Path | None = None, **env):
        self.port = free_port()
        self.tmp = tmp / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.data = data_dir if data_dir is not None else tmp / "data"
        self.env = {**os.environ, "CORPUS_DIR": str(built.corpus_dir), "INDEX_DIR": str(built.index_dir),
                    "DATA_DIR": str(self.data), "TMPDIR": str(self.tmp), "GRADIO_TEMP_DIR": str(self.tmp / "gradio"),
                    **{k: str(v) for k, v in env.items()}}
        self.proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--port", str(self.port)], cwd=ROOT,
                                     env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wait_until_serving(self.proc, self.port, timeout=180)
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> str:
        self.proc.terminate()
        return self.proc.communicate(timeout=30)[0]

    def client(self, auth=None):
        from gradio_client import Client

        return Client(self.url + "/", auth=auth, verbose=False, analytics_enabled=False, download_files=False)

    def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(urllib.request.Request(self.url + path, headers=headers or {}),
                                        timeout=30) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def post(self, path: str, body: bytes, content_type: str) -> tuple[int, bytes]:
        request = urllib.request.Request(self.url + path, data=body, headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()


def chat_reply(result) -> str:
    """The assistant's last message from the /ask endpoint's outputs."""
    content = result[0][-1]["content"]
    return "".join(part.get("text", "") for part in content) if isinstance(content, list) else str(content)


def login_form(user: str, password: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in
             (("username", user), ("password", password))]
    return ("".join(parts) + f"--{boundary}--\r\n").encode(), f"multipart/form-data; boundary={boundary}"


@pytest.fixture(scope="module")
def web(built, tmp_path_factory):
    """Combined mode (web UI + LINE webhook), a login, short export lifetime, a tiny queue."""
    tmp = tmp_path_factory.mktemp("web-security")
    data = tmp / "data"
    (data / "exports" / "old").mkdir(parents=True)
    (data / "exports" / "old" / "checklist.docx").write_bytes(b"an export from before the fix")
    (data / "feedback.sqlite3").write_bytes(b"every question and comment")
    server = Web(built, tmp, data, WEB_USERNAME=USER, WEB_PASSWORD=PASSWORD, EXPORT_TTL_S=3,
                 LINE_CHANNEL_SECRET="secret", LINE_CHANNEL_ACCESS_TOKEN="token", WEB_CONCURRENCY=1,
                 WEB_QUEUE_SIZE=2, LOGIN_MAX_FAILURES=5, LOGIN_ADDRESS_MAX_FAILURES=1000)
    yield server
    server.stop()


# ----------------------------------------------------------------------------- row 1 and row 12


def test_row1_nothing_in_the_data_folder_is_served(web):
    client = web.client(auth=(USER, PASSWORD))  # even a logged-in user gets nothing from DATA_DIR
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items())}
    for name in ("assistant.sqlite3", "feedback.sqlite3", "line.sqlite3", "exports/old/checklist.docx"):
        status, body = web.get(f"/gradio_api/file={web.data.resolve() / name}", headers)
        assert status in (401, 403, 404), (name, status)
        assert b"every question" not in body and b"before the fix" not in body


def test_row12_checklist_downloads_live_outside_data_and_expire(web):
    client = web.client(auth=(USER, PASSWORD))
    result = client.predict(SITUATION, "auto", api_name="/checklist")
    cycle, docx, xlsx, md = result[1], result[3], result[4], result[5]
    assert "Performance-based Contracting" in result[0]
    for f in (cycle, docx, xlsx, md):
        assert not Path(f["path"]).resolve().is_relative_to(web.data.resolve())
    assert not (web.data / "exports").exists() or [p.name for p in (web.data / "exports").iterdir()] == ["old"]
    exports = [p for p in web.tmp.iterdir() if p.name.startswith("assistant-exports")]
    assert len(exports) == 1 and len(list(exports[0].iterdir())) == 1
    for _ in range(3):
        client.predict(SITUATION, "auto", api_name="/checklist")
    time.sleep(4)  # EXPORT_TTL_S=3: the next draft sweeps the four older folders
    client.predict(SITUATION, "grant", api_name="/checklist")
    assert len(list(exports[0].iterdir())) == 1
    deadline = time.time() + 10  # Gradio's cached copies go on the same schedule
    while time.time() < deadline and Path(docx["path"]).exists():
        time.sleep(0.5)
    assert not Path(docx["path"]).exists()


# ----------------------------------------------------------------------------- row 13: queue full in Thai


def test_row13_a_full_queue_answers_in_thai(web):
    client = web.client(auth=(USER, PASSWORD))
    config = client.config
    fn_index = next(i for i, d in enumerate(config["dependencies"]) if d.get("api_name") == "checklist")
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())

    def join(n: int) -> tuple[int, dict]:
        body = json.dumps({"data": [SITUATION, "auto"], "fn_index": fn_index, "session_hash": f"s{n}",
                           "event_data": None, "trigger_id": None}).encode()
        request = urllib.request.Request(f"{web.url}/gradio_api/queue/join", data=body,
                                         headers={"Content-Type": "application/json", "Cookie": cookie})
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        results = list(pool.map(join, range(40)))
    statuses = [s for s, _ in results]
    assert 503 not in statuses and 200 in statuses and 429 in statuses, statuses
    full = next(body for s, body in results if s == 429)
    assert full["detail"] == messages.QUEUE_FULL and "Queue" not in json.dumps(full)


# ----------------------------------------------------------------------------- row 11 (last: it locks a user)


def test_row11_no_openapi_schema_without_a_login(web):
    for path in ("/openapi.json", "/gradio_api/openapi.json", "/docs"):
        status, body = web.get(path)
        assert status in (401, 404), (path, status)
        assert b"/gradio_api/" not in body and b"paths" not in body


def test_row11_repeated_wrong_passwords_lock_the_user_out(web):
    started = time.time()
    statuses = [web.post("/login", *login_form(USER, f"guess-{i}"))[0] for i in range(200)]
    assert statuses[:5] == [400] * 5 and set(statuses[5:]) == {429}
    status, body = web.post("/login", *login_form(USER, PASSWORD))
    assert status == 429, "the right password must not get through during a lockout"
    assert json.loads(body)["detail"].startswith("เข้าสู่ระบบผิดหลายครั้งเกินไป")
    assert time.time() - started < 60
    assert web.post("/login", *login_form("someone-else", "wrong"))[0] == 400  # other names are not locked


def test_login_throttle_per_address_and_window():
    now = [0.0]
    throttle = LoginThrottle(max_user=3, max_address=5, window_s=60, lockout_s=30, clock=lambda: now[0])
    for i in range(5):  # five names from one address
        assert throttle.retry_after([f"user:n{i}", "addr:10.0.0.9"]) == 0
        throttle.failed([f"user:n{i}", "addr:10.0.0.9"])
    assert throttle.retry_after(["user:fresh", "addr:10.0.0.9"]) == 30
    assert throttle.retry_after(["user:fresh", "addr:10.0.0.10"]) == 0
    now[0] = 31
    assert throttle.retry_after(["user:fresh", "addr:10.0.0.9"]) == 0
    throttle.failed(["user:a", "addr:x"])
    throttle.failed(["user:a", "addr:x"])
    now[0] = 200  # outside the window: the old failures no longer count
    throttle.failed(["user:a", "addr:x"])
    assert throttle.retry_after(["user:a"]) == 0


# ----------------------------------------------------------------------------- row 8: unusable DATA_DIR


def test_row8_an_unusable_data_dir_still_starts_answers_and_says_what_failed(built, tmp_path):
    not_a_folder = tmp_path / "data-is-a-file"
    not_a_folder.write_text("x")
    web = Web(built, tmp_path, not_a_folder, LINE_CHANNEL_SECRET="secret", LINE_CHANNEL_ACCESS_TOKEN="token")
    try:
        client = web.client()
        answer = chat_reply(client.predict("รูปแบบการให้เงินอุดหนุนมีกี่ขั้นตอน", [], api_name="/ask"))
        assert "4 ขั้นตอน" in answer
        status, _ = client.predict("ดีมาก", api_name="/feedback_up")
        assert status.startswith("บันทึกความคิดเห็นไม่สำเร็จ") and "รหัสอ้างอิง" in status
        result = client.predict(SITUATION, "auto", api_name="/checklist")
        assert "Performance-based Contracting" in result[0] and result[2] is not None
        assert chat_reply(client.predict("Commissioning มีกี่ขั้นตอน", [], api_name="/ask")).count("6 ขั้นตอน")
    finally:
        log = web.stop()
    assert "FileExistsError" in log or "NotADirectoryError" in log  # the operator is told, with an incident id
    assert "incident" in log


# ----------------------------------------------------------------------------- row 10: no exception text in the UI


@pytest.fixture
def chroma(tmp_path):
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent))
    port = free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(tmp_path / "chroma"), "--host", "127.0.0.1", "--port",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_serving(proc, port, timeout=60)
    yield proc, port
    proc.kill()
    proc.wait(10)


def test_row10_combined_mode_shows_a_thai_message_with_an_id_when_chroma_goes_down(built, embedder, tmp_path,
                                                                                     chroma):
    from assistant.index import build

    proc, port = chroma
    build(built.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": port}), progress=False,
          embedder=embedder)
    web = Web(built, tmp_path, CHROMA_HOST="127.0.0.1", CHROMA_PORT=port, LINE_CHANNEL_SECRET="secret",
              LINE_CHANNEL_ACCESS_TOKEN="token")
    try:
        client = web.client()
        assert "4 ขั้นตอน" in chat_reply(client.predict("รูปแบบการให้เงินอุดหนุนมีกี่ขั้นตอน", [], api_name="/ask"))
        proc.kill()
        proc.wait(10)
        with socket.socket() as s:  # the port is really closed now
            assert s.connect_ex(("127.0.0.1", port)) != 0
        result = client.predict("Commissioning มีกี่ขั้นตอน", [], api_name="/ask")
        text = chat_reply(result)
        assert "รหัสอ้างอิง" in text and not any(leak in json.dumps(result, ensure_ascii=False) for leak in LEAKS)
    finally:
        log = web.stop()
    incident = text.split("รหัสอ้างอิง ")[1].split(")")[0]
    assert f"incident {incident}" in log  # the operator finds the traceback by the id
