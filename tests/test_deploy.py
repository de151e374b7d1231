"""The deployment files (deploy/) run the commands the tests run: every `python -m assistant …` in them parses
with the real CLI, and the variables they set are settings the app reads."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

from assistant.cli import build_parser
from assistant.settings import ROOT, Settings

DEPLOY = ROOT / "deploy"


def assistant_commands() -> list[tuple[str, list[str]]]:
    found = []
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    for name, service in compose["services"].items():
        command = service.get("command") or []
        if command[:3] == ["python", "-m", "assistant"]:
            found.append((f"compose {name}", command[3:]))
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        (line,) = [x for x in unit.read_text().splitlines() if x.startswith("ExecStart=")]
        args = shlex.split(line.removeprefix("ExecStart="))
        found.append((unit.name, args[args.index("assistant") + 1:]))
    cmd = re.search(r'CMD \[(.*)\]', (DEPLOY / "Dockerfile").read_text()).group(1)
    found.append(("Dockerfile", [a.strip(' "') for a in cmd.split(",")][3:]))
    return found


def test_every_deployed_command_is_one_the_cli_accepts():
    commands = assistant_commands()
    assert {args[0] for _, args in commands} >= {"serve", "line", "worker", "index"}
    for where, args in commands:
        parsed = build_parser().parse_args(args)  # exits (fails the test) on an unknown option
        assert callable(parsed.func), where
    line = [args for where, args in commands if args[0] == "line"]
    assert all("--intake-only" in args for args in line)  # the webhook stores; the workers answer


def test_every_variable_they_set_is_a_setting():
    known = {name.upper() for name in Settings.model_fields}
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    names = set()
    for service in compose["services"].values():
        if service.get("image", "").startswith("assistant"):
            names |= set(service.get("environment") or {})
    names |= {line.split("=", 1)[0] for line in (DEPLOY / "env.example").read_text().splitlines()
              if line and not line.startswith("#")}
    unknown = names - known - {"POSTGRES_PASSWORD"}  # for the postgres container itself
    assert not unknown, unknown
    assert "DATABASE_URL" in names and "WEB_ROOT_PATH" in names
    assert Path(DEPLOY / "nginx-location.conf").read_text().count("location") == 2
