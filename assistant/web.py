"""The Gradio web UI civil servants use: chat with visible sources, the checklist tool, the guide itself, and
feedback. Every handler goes through the same `Assistant` and `checklist.draft` as the other channels.

Contract (issue 13): no handler ever raises into Gradio: a failure is logged with an incident id and the user
sees a Thai message with that id. Questions are answered even when DATA_DIR is unusable (feedback then says,
in Thai, that it could not be saved). Nothing under DATA_DIR is on Gradio's file route: checklist downloads are
written to a private temp folder and deleted after EXPORT_TTL_S (Gradio's cached copy on the same schedule).
The app is always served as FastAPI + `mount_gradio_app` behind `WebGuard` (login throttling, Thai "queue
full"), with no OpenAPI schema and errors never shown in the browser. Feedback goes to the shared database
(`assistant/database.py`), so every web process and LINE worker writes to one place; behind a reverse proxy
under a sub-path, WEB_ROOT_PATH is that path (tests/test_web_proxy.py runs it behind nginx).

The document manager tab exists only behind the login (WEB_USERNAME/WEB_PASSWORD). A change runs
`documents.add/remove` (one at a time: a second click while one is indexing gets a Thai "busy"), then swaps in
`Assistant.reloaded()`; until the swap every handler keeps answering with the old assistant (`live[0]`).
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

from assistant import errors
from assistant import messages as msg
from assistant.answer import Answer
from assistant.channels.conversation import remember
from assistant.checklist import Checklist, draft
from assistant.corpus import Section, squash
from assistant.database import Database, open_database
from assistant.datastore import export_root, new_export_folder, sweep_exports
from assistant.export import (
    cycle_png,
    numbered_citations,
    readiness_markdown,
    summary_markdown,
    to_docx,
    to_markdown,
    to_xlsx,
)
from assistant.feedback import FeedbackStore
from assistant.partnership import NAMES
from assistant.settings import Settings, get_settings

log = logging.getLogger(__name__)
MODEL_CHOICES = [(msg.UI_AUTO_MODEL, "auto")] + [(NAMES[m], m) for m in NAMES]
CSS = """
.sources mark { background: #fff3b0; padding: 0 2px; }
.sources .cite { border-left: 3px solid #2563eb; padding: 4px 10px; margin: 8px 0; }
.sources .meta { font-weight: 600; }
"""


# ----------------------------------------------------------------------------- pure helpers (tested directly)


def highlight(passage: str, quote: str) -> str:
    """HTML of a passage with the quoted sentence marked, whitespace-tolerant as citations are."""
    target = squash(quote)
    plain = passage
    # map positions of the whitespace-free text back onto the passage
    positions = [i for i, ch in enumerate(plain) if not ch.isspace()]
    start = squash(plain).find(target)
    if start < 0 or not target:
        return html.escape(plain)
    a, b = positions[start], positions[start + len(target) - 1] + 1
    return f"{html.escape(plain[:a])}<mark>{html.escape(plain[a:b])}</mark>{html.escape(plain[b:])}"


def render_sources(answer: Answer | None, sections: dict[str, Section]) -> str:
    if answer is None or not answer.citations:
        return ""
    parts = [f"<div class='sources'><h3>{msg.SOURCES_HEADING}</h3>"]
    for n, c in enumerate(answer.citations, 1):
        page = msg.page_label(c.page)
        section = sections.get(c.section_id)
        paragraph = next((p for p in (section.text.split("\n\n") if section else [])
                          if squash(c.text) in squash(p)), c.text)
        parts.append(f"<div class='cite' id='cite-{n}'><div class='meta'>[{n}] {html.escape(c.source)} · {page}</div>"
                     f"<div>{highlight(paragraph, c.text)}</div></div>")
    parts.append("</div>")
    return "".join(parts)


def document_choices(sections: dict[str, Section]) -> list[tuple[str, str]]:
    """(title, id) of every document, in corpus order, for the guide tab's document picker."""
    seen: dict[str, str] = {}
    for s in sections.values():
        seen.setdefault(s.document, s.document_title or s.document)
    return [(title, doc) for doc, title in seen.items()]


def toc_choices(sections: dict[str, Section], document: str | None = None) -> list[tuple[str, str]]:
    """The table of contents of one document (or all) as an indented list with printed pages (figures and
    footnotes left out)."""
    out = []
    for s in sections.values():
        if s.kind in ("figure", "footnote") or (document and s.document != document):
            continue
        depth = len(s.path) - 1
        page = f" · {msg.PAGE.format(page=s.page)}" if s.page else ""
        out.append((f"{'　' * depth}{'└ ' if depth else ''}{s.title}{page}", s.id))
    return out


def section_markdown(section: Section | None) -> str:
    if section is None:
        return ""
    page = msg.page_label(section.page)
    body = section.text or msg.UI_SECTION_HAS_CHILDREN
    return f"### {section.title}\n\n*{section.path_text} · {page}*\n\n{body}"


def documents_markdown(infos, manifest: dict) -> str:
    """The document manager's table: every document with its pages, sections and chunks, and when the index
    was built."""
    head = "| " + " | ".join(msg.UI_DOCS_HEADERS) + " |"
    rows = [head, "|" + "---|" * len(msg.UI_DOCS_HEADERS)]
    for i in infos:
        cells = (i.file, i.title, i.kind, i.pages or "–", i.sections, i.chunks, i.problems or "–")
        rows.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    built = msg.DOCS_INDEX_BUILT.format(**manifest) if manifest.get("built_at") else msg.DOCS_NO_INDEX
    return "\n".join(rows) + f"\n\n{built}"


def chat_text(answer: Answer) -> str:
    if answer.error:
        return f"⚠️ {answer.error}"
    if answer.refused:
        return f"🔎 {answer.answer}"
    return answer.answer


def checklist_summary(result: Checklist) -> str:
    """Everything above the task boxes: recommendation, reasons, why not the others, readiness checks."""
    if result.error:
        return f"⚠️ {result.error}"
    _, index = numbered_citations(result)
    return summary_markdown(result, index) + "\n".join(readiness_markdown(result, index))


def item_labels(result: Checklist) -> list[str]:
    """Checkbox labels: the step (or set-up), the task, who does it and what it produces, its citation."""
    _, index = numbered_citations(result)
    labels = []
    for i in result.items:
        where = msg.STEP_LABEL.format(step=i.step) if i.step else msg.XLSX_SETUP
        text = i.text if i.text.startswith(where) else f"{where} · {i.text}"
        owner = f" — {msg.OWNER}: {i.owner}" if i.owner else ""
        output = f" → {i.output}" if i.output else ""
        optional = f" ({i.optional_note})" if i.optional else ""
        labels.append(f"{text}{owner}{output}{optional} [{index[id(i.citation)]}]")
    return labels


def model_diagram(sections: dict[str, Section], recommender, section_id: str | None):
    """The cycle of the model a guide section belongs to (its part or a step), for the guide tab; else None."""
    from assistant import ids
    from assistant.diagram import cycle_png as draw
    from assistant.diagram import step_labels

    model = ids.model_of(section_id or "")
    if model is None or (section_id != model and ids.part_of(section_id) != "steps"):
        return None
    task_file = recommender.task_files.get(model)
    labels = step_labels(sections, model, task_file.steps if task_file else {})
    return _image(draw(task_file.cycle if task_file else NAMES[model], labels))


def _image(png: bytes | None):
    if png is None:
        return None
    from io import BytesIO

    from PIL import Image

    return Image.open(BytesIO(png))


# ----------------------------------------------------------------------------- the app


def build_app(assistant, settings: Settings, db: Database | None = None):
    import threading

    import gradio as gr

    live = [assistant]  # the document manager swaps in a new assistant once a change is indexed
    changing = threading.Lock()  # one document change at a time

    def sections() -> dict[str, Section]:
        return live[0].default.sections  # parsed once per corpus, by the assistant
    stores: list[FeedbackStore] = []

    def store() -> FeedbackStore:
        """The feedback store, opened on first use (and retried later if the database was unusable)."""
        if not stores:
            stores.append(FeedbackStore(db if db is not None else open_database(settings)))
        return stores[0]

    try:
        store()
    except Exception as exc:  # the UI still starts and answers; feedback says it could not be saved
        errors.report("feedback store", exc, logging.WARNING)

    def respond(message: str, chat: list, state: dict):
        chat = list(chat or [])
        state = state if isinstance(state, dict) else {}
        history = state.get("history", [])
        question = message if isinstance(message, str) else ""
        chat = [*chat, {"role": "user", "content": question}]
        answer = None
        try:
            for event in live[0].stream(question, history):
                if event["type"] == "token":
                    partial = (chat[-1]["content"] if chat[-1]["role"] == "assistant" else "") + event["text"]
                    chat = chat[:-1] + [{"role": "assistant", "content": partial}] if chat[-1]["role"] == "assistant" \
                        else [*chat, {"role": "assistant", "content": partial}]
                    yield chat, "", gr.update(), gr.update(), state, gr.update()
                else:
                    answer = event["answer"]
        except Exception as exc:  # Chroma down, a bug: a Thai message with the incident id, the session goes on
            answer = Answer("", False, error=errors.handle("web chat", exc))
        if chat[-1]["role"] == "assistant":
            chat = chat[:-1]
        chat = [*chat, {"role": "assistant", "content": chat_text(answer)}]
        if not answer.error:
            state = {"history": remember(history, question, answer, settings.history_turns), "last": {"question": question,
                     "history": state.get("history", []), "answer": answer.as_dict()}}
        backend = msg.UI_BACKEND_LLM.format(name=answer.backend[4:]) if answer.backend.startswith("llm:") \
            else msg.UI_BACKEND_DEFAULT
        cited = [(f"[{n}] {c.source}", c.section_id) for n, c in enumerate(answer.citations, 1)]
        yield (chat, "", render_sources(answer, sections()), "" if answer.error else backend, state,
               gr.update(choices=cited, value=cited[0][1] if cited else None, visible=bool(cited)))

    def new_conversation():
        return [], "", "", "", {}, gr.update(choices=[], value=None, visible=False), ""

    def give_feedback(rating: int, comment: str, state: dict):
        last = state.get("last") if isinstance(state, dict) else None
        if not last:
            return msg.UI_NO_ANSWER_YET, comment
        try:
            store().add(question=last["question"], answer=last["answer"], rating=rating,
                        comment=comment if isinstance(comment, str) else "", history=last["history"], channel="web")
        except Exception as exc:  # DATA_DIR unusable or gone read-only: say so in Thai, keep the comment
            return msg.FEEDBACK_NOT_SAVED.format(incident=errors.report("web feedback", exc)), comment
        return msg.UI_THANKS, ""

    def open_in_guide(section_id: str | None):
        section = sections().get(section_id or "")
        document = section.document if section else None
        return (gr.Tabs(selected="guide"), gr.update(value=document),
                gr.update(choices=toc_choices(sections(), document), value=section_id), section_markdown(section))

    def make_checklist(situation: str, model: str):
        empty = gr.update(choices=[], value=[])
        try:
            result = draft(live[0].recommender, situation if isinstance(situation, str) else "",
                           None if model in (None, "auto") else model)
        except Exception as exc:
            return f"⚠️ {errors.handle('web checklist', exc)}", None, empty, None, None, None
        if result.error:
            return checklist_summary(result), None, empty, None, None, None
        summary = checklist_summary(result)
        try:
            diagram = cycle_png(result, sections())
        except Exception as exc:  # the checklist is still shown without its picture
            diagram = None
            errors.report("web checklist diagram", exc)
        if diagram is None:
            summary += f"\n\n{msg.CYCLE_NO_FONT}"
        items = gr.update(choices=item_labels(result), value=[])
        try:
            sweep_exports(export_root(), settings.export_ttl_s)
            folder = new_export_folder()
            docx = to_docx(result, folder / "checklist.docx", diagram)
            xlsx = to_xlsx(result, folder / "checklist.xlsx")
            md = folder / "checklist.md"
            md.write_text(to_markdown(result), encoding="utf-8")
        except Exception as exc:  # the checklist is still shown; only the downloads are missing
            note = msg.EXPORT_NOT_SAVED.format(incident=errors.report("web checklist export", exc))
            return f"{summary}\n\n⚠️ {note}", _image(diagram), items, None, None, None
        return summary, _image(diagram), items, str(docx), str(xlsx), str(md)

    def show_section(section_id: str | None):
        image = model_diagram(sections(), live[0].recommender, section_id)
        return section_markdown(sections().get(section_id)), gr.update(value=image, visible=image is not None)

    def show_document(document: str | None):
        choices = toc_choices(sections(), document)
        first = choices[0][1] if choices else None
        return gr.update(choices=choices, value=first)

    # -- the document manager (signed-in users only) --
    def documents_view(status: str = ""):
        from assistant import documents

        try:
            infos, manifest = documents.listing(settings)
        except Exception as exc:  # a document that no longer reads: the tab still opens and says why
            return f"⚠️ {msg.INTERNAL_ERROR.format(incident=errors.report('web documents', exc))}", status, \
                gr.update(choices=[]), gr.update()
        files = [i.file for i in infos]
        return (documents_markdown(infos, manifest), status, gr.update(choices=files, value=None),
                gr.update(choices=document_choices(sections())))

    def change_documents(apply) -> str:
        """Run one change (add or remove), then swap in an assistant over the new index. The old assistant
        answers until the swap; a failed change leaves corpus/ and the index as they were."""
        from assistant import documents

        if not changing.acquire(blocking=False):
            return msg.UI_DOCS_BUSY
        try:
            status = apply(documents, live[0].searcher.embedder)
            live[0] = live[0].reloaded()
            return status
        except documents.DocumentRefused as exc:
            return f"⚠️ {exc}"
        except ValueError as exc:  # a document already in corpus/ that cannot be read
            return f"⚠️ {getattr(exc, 'thai', None) or msg.UI_DOCS_FAILED.format(incident=errors.report('docs', exc))}"
        except Exception as exc:
            return f"⚠️ {msg.UI_DOCS_FAILED.format(incident=errors.report('web documents', exc))}"
        finally:
            changing.release()

    def add_document(upload, replace: bool):
        """Add (or replace) the uploaded file; the upload box is emptied whatever happened, so the next click
        never sends the same file again by mistake."""
        path = upload if isinstance(upload, str) else getattr(upload, "name", None)
        if not path:
            return *documents_view(msg.UI_DOCS_NO_FILE), None
        name = Path(path).name  # Gradio keeps the uploaded file's own name

        def apply(documents, embedder):
            report = documents.add(Path(path), settings, replace=bool(replace), name=name, embedder=embedder)
            return msg.DOCS_ADDED.format(name=name, chunks=report.chunks, embedded=report.embedded,
                                         seconds=report.seconds)
        return *documents_view(change_documents(apply)), None

    def remove_document(name: str | None):
        if not name:
            return documents_view(msg.UI_DOCS_PICK_ONE)

        def apply(documents, embedder):
            report = documents.remove(name, settings, embedder=embedder)
            return msg.DOCS_REMOVED.format(name=name, chunks=report.chunks)
        return documents_view(change_documents(apply))

    ttl = max(1, int(settings.export_ttl_s))
    with gr.Blocks(title=msg.UI_TITLE, analytics_enabled=False, delete_cache=(min(ttl, 600), ttl)) as app:
        gr.Markdown(f"# {msg.UI_TITLE}\n{msg.UI_SUBTITLE}")
        state = gr.State({})
        with gr.Tabs() as tabs:
            with gr.Tab(msg.UI_TAB_CHAT, id="chat"):
                chatbot = gr.Chatbot(label=msg.UI_CHAT_LABEL, height=420, feedback_options=None,
                                     elem_id="chatbot", placeholder=msg.UI_CHAT_PLACEHOLDER)
                with gr.Row():
                    box = gr.Textbox(placeholder=msg.UI_INPUT_PLACEHOLDER, show_label=False, scale=8,
                                     max_lines=6, elem_id="question")
                    send = gr.Button(msg.UI_SEND, variant="primary", scale=1, elem_id="send")
                gr.Examples(examples=msg.UI_EXAMPLES, inputs=box, label=msg.UI_EXAMPLES_LABEL)
                backend = gr.Markdown(elem_id="backend")
                sources = gr.HTML(elem_id="sources")
                with gr.Row():
                    cited = gr.Dropdown(label=msg.UI_CITED_SECTIONS, choices=[], visible=False, scale=4)
                    open_guide = gr.Button(msg.UI_OPEN_IN_GUIDE, scale=1, elem_id="open-guide")
                with gr.Row():
                    up = gr.Button("👍 " + msg.UI_HELPFUL, elem_id="thumbs-up")
                    down = gr.Button("👎 " + msg.UI_NOT_HELPFUL, elem_id="thumbs-down")
                    comment = gr.Textbox(placeholder=msg.UI_COMMENT_PLACEHOLDER, show_label=False, scale=3,
                                         elem_id="comment")
                    reset = gr.Button(msg.UI_NEW_CONVERSATION, variant="secondary", elem_id="new-conversation")
                feedback_status = gr.Markdown(elem_id="feedback-status")
            with gr.Tab(msg.UI_TAB_CHECKLIST, id="checklist"):
                situation = gr.Textbox(label=msg.UI_SITUATION_LABEL, placeholder=msg.UI_SITUATION_PLACEHOLDER,
                                       lines=3, elem_id="situation")
                with gr.Row():
                    model = gr.Dropdown(label=msg.UI_MODEL_LABEL, choices=MODEL_CHOICES, value="auto", scale=3)
                    run = gr.Button(msg.UI_DRAFT, variant="primary", scale=1, elem_id="draft")
                summary = gr.Markdown(elem_id="recommendation")
                cycle = gr.Image(label=msg.UI_CYCLE_LABEL, type="pil", format="png", interactive=False, height=520,
                                 elem_id="cycle")
                items = gr.CheckboxGroup(label=msg.UI_ITEMS_LABEL, choices=[], elem_id="items")
                with gr.Row():
                    docx_file = gr.File(label=msg.UI_DOWNLOAD_DOCX, elem_id="docx")
                    xlsx_file = gr.File(label=msg.UI_DOWNLOAD_XLSX, elem_id="xlsx")
                    md_file = gr.File(label=msg.UI_DOWNLOAD_MD, elem_id="md")
            with gr.Tab(msg.UI_TAB_GUIDE, id="guide"):
                first_doc = next(iter(sections().values())).document
                opening = "framework" if "framework" in sections() else toc_choices(sections(), first_doc)[0][1]
                document = gr.Dropdown(label=msg.UI_DOCUMENT_LABEL, choices=document_choices(sections()),
                                       value=sections()[opening].document, elem_id="document")
                toc = gr.Dropdown(label=msg.UI_TOC_LABEL, value=opening, elem_id="toc",
                                  choices=toc_choices(sections(), sections()[opening].document))
                view = gr.Markdown(section_markdown(sections().get(opening)), elem_id="section-view")
                guide_cycle = gr.Image(label=msg.UI_CYCLE_LABEL, type="pil", format="png", interactive=False,
                                       height=520, visible=False, elem_id="guide-cycle")
            if settings.web_username and settings.web_password:  # only behind the login
                with gr.Tab(msg.UI_TAB_DOCS, id="documents") as docs_tab:
                    gr.Markdown(msg.UI_DOCS_INTRO)
                    docs_table = gr.Markdown(elem_id="docs-table")
                    with gr.Row():
                        upload = gr.File(label=msg.UI_DOCS_UPLOAD.format(limit=settings.docs_max_bytes // 1_000_000),
                                         type="filepath", elem_id="docs-upload", scale=3)
                        with gr.Column(scale=1):
                            replace = gr.Checkbox(label=msg.UI_DOCS_REPLACE, elem_id="docs-replace")
                            add = gr.Button(msg.UI_DOCS_ADD, variant="primary", elem_id="docs-add")
                    with gr.Row():
                        to_remove = gr.Dropdown(label=msg.UI_DOCS_REMOVE_PICK, choices=[], scale=3,
                                                elem_id="docs-remove-pick")
                        remove = gr.Button(msg.UI_DOCS_REMOVE, variant="stop", scale=1, elem_id="docs-remove")
                    docs_status = gr.Markdown(elem_id="docs-status")
                docs_outputs = [docs_table, docs_status, to_remove, document]
                docs_tab.select(documents_view, None, docs_outputs, api_name="documents")
                add.click(add_document, [upload, replace], [*docs_outputs, upload], api_name="add_document")
                remove.click(remove_document, to_remove, docs_outputs, api_name="remove_document")

        outputs = [chatbot, box, sources, backend, state, cited]
        box.submit(respond, [box, chatbot, state], outputs, api_name="ask")
        send.click(respond, [box, chatbot, state], outputs, api_name="ask_button")
        reset.click(new_conversation, None, [chatbot, box, sources, backend, state, cited, feedback_status],
                    api_name="new_conversation")
        up.click(lambda c, s: give_feedback(1, c, s), [comment, state], [feedback_status, comment],
                 api_name="feedback_up")
        down.click(lambda c, s: give_feedback(-1, c, s), [comment, state], [feedback_status, comment],
                   api_name="feedback_down")
        open_guide.click(open_in_guide, cited, [tabs, document, toc, view], api_name="open_in_guide")
        document.input(show_document, document, toc, api_name="document")
        toc.change(show_section, toc, [view, guide_cycle], api_name="section")
        run.click(make_checklist, [situation, model], [summary, cycle, items, docx_file, xlsx_file, md_file],
                  api_name="checklist")
    return app


def create_web_app(assistant, settings: Settings, host: str = "127.0.0.1", port: int = 7860):
    """The ASGI app: Gradio mounted on FastAPI (with POST /line/webhook beside it when LINE is configured),
    behind WebGuard."""
    import gradio as gr
    from fastapi import FastAPI

    from assistant.webguard import WebGuard

    try:
        db = open_database(settings)
    except Exception as exc:  # PostgreSQL down at start: answers still work, feedback retries on use; LINE is
        # not mounted (its events could not be stored: LINE gets 404 and redelivers to a webhook that can)
        errors.report("web database (the LINE webhook is not mounted)", exc, logging.WARNING)
        db = None
    blocks = build_app(assistant, settings, db)
    # two cores: two answers at a time, the rest wait (a full queue gets a Thai message from WebGuard)
    blocks.queue(default_concurrency_limit=settings.web_concurrency, max_size=settings.web_queue_size)
    auth = (settings.web_username, settings.web_password) if settings.web_username and settings.web_password else None
    if settings.line_channel_secret and settings.line_channel_access_token and db is not None:
        from assistant.line_bot import create_app

        app = create_app(assistant, settings, db, port=port)
    else:
        app = FastAPI(title="web", docs_url=None, redoc_url=None, openapi_url=None)
    data_dir = str(Path(settings.data_dir).resolve())
    gr.mount_gradio_app(
        app, blocks, path="/", server_name=host, server_port=port, footer_links=[], run_history=False,
        app_kwargs={"docs_url": None, "redoc_url": None, "openapi_url": None},
        auth=auth, auth_message=msg.UI_LOGIN, show_error=False, ssr_mode=False, css=CSS,
        root_path=(settings.web_root_path or "").rstrip("/") or None,
        max_file_size=settings.docs_max_bytes,  # refused while streaming in; WebGuard turns it into Thai
        allowed_paths=[], blocked_paths=[data_dir],  # DATA_DIR is never served, whatever else is allowed
        # no web fonts: nothing is fetched from outside
        theme=gr.themes.Default(primary_hue="blue", font=["Tahoma", "Noto Sans Thai", "sans-serif"],
                                font_mono=["monospace"]),
    )
    return WebGuard(app, settings)


def serve(host: str = "127.0.0.1", port: int = 7860) -> None:
    """Serve the UI; with LINE credentials set, the LINE webhook is mounted beside it on the same port."""
    import uvicorn

    from assistant.pipeline import get_assistant

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    app = create_web_app(get_assistant(), settings, host, port)
    print(msg.UI_STARTED.format(url=f"http://{host}:{port}"), flush=True)
    if settings.line_channel_secret and settings.line_channel_access_token:
        print(msg.LINE_STARTED.format(url=f"http://{host}:{port}/line/webhook"), flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)
