"""The web UI behind a real nginx (Debian's nginx-light) under a sub-path, with a login, as a ministry's intranet
would run it: WEB_ROOT_PATH=/assistant, nginx stripping the prefix (deploy/nginx.conf is the same location
block). Through the proxy: the login, a question, feedback that lands in the database, and DATA_DIR not served."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.helpers import free_port, wait_until_serving
from tests.test_security_web import PASSWORD, USER, Web, chat_reply

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
LOCATION = (__import__("pathlib").Path(__file__).resolve().parent.parent / "deploy" / "nginx-location.conf")


def require_nginx() -> None:
    if not os.path.exists(NGINX):
        print("\n" + "!" * 78 + "\n!! SKIPPING the reverse-proxy test: nginx is missing (make test installs"
              " Debian's nginx-light as root)\n" + "!" * 78)
        pytest.skip("nginx is missing")


@pytest.fixture(scope="module")
def proxied(built, tmp_path_factory):
    require_nginx()
    tmp = tmp_path_factory.mktemp("proxy")
    web = Web(built, tmp, WEB_USERNAME=USER, WEB_PASSWORD=PASSWORD, WEB_ROOT_PATH="/assistant")
    port = free_port()
    conf = tmp / "nginx.conf"
    location = LOCATION.read_text().replace("127.0.0.1:7860", f"127.0.0.1:{web.port}")
    conf.write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
{location}
    }}
}}
""")
    nginx = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    wait_until_serving(nginx, port, timeout=30)
    yield web, f"http://127.0.0.1:{port}/assistant"
    nginx.terminate()
    nginx.wait(10)
    web.stop()


def get(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_login_question_and_feedback_through_the_proxy_under_a_sub_path(proxied):
    from gradio_client import Client

    web, public = proxied
    status, _ = get(public + "/config")
    assert status in (401, 403)  # the login holds through the proxy
    client = Client(public + "/", auth=(USER, PASSWORD), verbose=False, analytics_enabled=False,
                    download_files=False)
    cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    status, body = get(public + "/config", {"Cookie": cookies})
    assert status == 200 and json.loads(body)["root"].rstrip("/").endswith("/assistant")  # links go through it
    assert "9 ขั้นตอน" in chat_reply(client.predict("การทำสัญญาข้อตกลงมีกี่ขั้นตอน", [], api_name="/ask"))
    client.predict("ผ่าน proxy", api_name="/feedback_up")
    with sqlite3.connect(web.data / "assistant.sqlite3") as db:  # the same database as every other channel
        rows = db.execute("SELECT question, rating, comment, channel FROM feedback").fetchall()
    assert rows == [("การทำสัญญาข้อตกลงมีกี่ขั้นตอน", 1, "ผ่าน proxy", "web")]
    for name in ("assistant.sqlite3", "feedback.sqlite3"):  # nor is DATA_DIR served through the proxy
        status, body = get(f"{public}/gradio_api/file={web.data.resolve() / name}", {"Cookie": cookies})
        assert status in (401, 403, 404) and b"SQLite" not in body
