"""The documents in `corpus/`: list them, add one, replace one, remove one — each change re-indexed
incrementally and atomically (`index.build` embeds only new chunks and swaps the manifest when the new
collection is complete, so the old index keeps serving until then).

An upload is checked before anything changes: size (DOCS_MAX_BYTES), type by content and not by name (a PDF
starts "%PDF-", a .docx is a zip holding word/document.xml, .md/.txt must be UTF-8 text without NUL bytes),
a safe file name, and that its reader can read it (an encrypted PDF is refused). A change whose re-index fails
is rolled back: the corpus folder is as it was. Every refusal is a `DocumentRefused` with a Thai message.
The web UI's document manager (web.py, signed-in users) and `python -m assistant docs list|add|remove`
both call these functions.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from assistant import messages
from assistant.corpus import corpus_files
from assistant.settings import Settings

SAFE_NAME = re.compile(r"^[\w\u0e00-\u0e7f][\w\u0e00-\u0e7f .()-]{0,120}\.(md|txt|pdf|docx)$", re.IGNORECASE)


class DocumentRefused(ValueError):
    """A change that was not made; `str()` is the Thai message for the user."""


@dataclass
class DocumentInfo:
    file: str
    title: str
    kind: str
    pages: int
    sections: int
    chunks: int
    problems: int

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def listing(settings: Settings) -> tuple[list[DocumentInfo], dict]:
    """Every document with its pages, sections and chunks, and the index's manifest (when it was built)."""
    from assistant.chunks import document_chunks
    from assistant.corpus import load_corpus
    from assistant.index import client, read_manifest

    infos = []
    for doc in load_corpus(settings.corpus_dir):
        pages = doc.pages or len({s.page for s in doc.sections.values() if s.page})
        infos.append(DocumentInfo(doc.file.name, doc.title, doc.file.suffix.lower().lstrip("."), pages,
                                  len(doc.sections), len(document_chunks([doc])), len(doc.problems)))
    try:
        manifest = read_manifest(client(settings), settings)
    except Exception:  # no index yet, or the server is down: the listing still shows the files
        manifest = {}
    return infos, manifest


def check_upload(path: Path, settings: Settings, name: str | None = None) -> str:
    """The name the file will have in corpus/, or DocumentRefused: too big, wrong type, unsafe name."""
    name = Path(name or path.name).name
    if not path.is_file():
        raise DocumentRefused(messages.DOCS_NOT_A_FILE.format(path=path))
    if not SAFE_NAME.fullmatch(name) or name.startswith("~$"):
        raise DocumentRefused(messages.DOCS_BAD_NAME.format(name=name))
    size = path.stat().st_size
    if size > settings.docs_max_bytes:
        raise DocumentRefused(messages.DOCS_TOO_LARGE.format(name=name, limit=settings.docs_max_bytes // 1_000_000))
    if size == 0 or not _content_matches(path, Path(name).suffix.lower()):
        raise DocumentRefused(messages.DOCS_WRONG_TYPE.format(name=name))
    return name


def _content_matches(path: Path, suffix: str) -> bool:
    head = path.open("rb").read(8192)
    if suffix == ".pdf":
        return head.startswith(b"%PDF-")
    if suffix == ".docx":
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(path) as z:
                return "word/document.xml" in z.namelist()
        except zipfile.BadZipFile:
            return False
    try:  # .md / .txt: UTF-8 text, no NUL bytes (an executable renamed .txt has them)
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


def add(path: Path, settings: Settings, replace: bool = False, name: str | None = None, embedder=None):
    """Copy a checked document into corpus/ and re-index; on any failure corpus/ is left as it was."""
    from assistant.readers import UnreadableDocument, read_document

    name = check_upload(path, settings, name)
    target = settings.corpus_dir / name
    clash = [p for p in corpus_files(settings.corpus_dir) if p.stem == target.stem and p.name != name]
    if clash or (target.exists() and not replace):
        raise DocumentRefused(messages.DOCS_EXISTS.format(name=(clash[0].name if clash else name)))
    with tempfile.TemporaryDirectory() as tmp:  # read it where it cannot disturb the corpus
        trial = Path(tmp) / name
        shutil.copyfile(path, trial)
        try:
            doc = read_document(trial)
        except UnreadableDocument as exc:
            raise DocumentRefused(exc.thai) from exc
        if not any(s.text.strip() for s in doc.sections.values()):
            raise DocumentRefused(messages.DOCS_NO_TEXT.format(name=name))
    return _change(settings, embedder, put=(path, target))


def remove(name: str, settings: Settings, embedder=None):
    """Take a document out of corpus/ and re-index; the last document cannot be removed."""
    files = corpus_files(settings.corpus_dir)
    target = next((p for p in files if p.name == Path(name).name), None)
    if target is None:
        raise DocumentRefused(messages.DOCS_UNKNOWN.format(name=name))
    if len(files) == 1:
        raise DocumentRefused(messages.DOCS_LAST_ONE)
    return _change(settings, embedder, drop=target)


def _change(settings: Settings, embedder, put: tuple[Path, Path] | None = None, drop: Path | None = None):
    """Apply one change to corpus/ and rebuild the index; undo the change if the rebuild fails."""
    from assistant.index import build

    backup_dir = Path(tempfile.mkdtemp(prefix="assistant-docs-"))
    touched = put[1] if put else drop
    staged = touched.with_name(f".{touched.name}.part")
    backup = backup_dir / touched.name
    had = touched.exists()
    done = False
    try:
        if had:
            shutil.copy2(touched, backup)
        if put:
            shutil.copyfile(put[0], staged)
            staged.replace(touched)  # atomic within the folder
        else:
            touched.unlink()
        report = build(settings, progress=False, embedder=embedder)
        done = True
        return report
    finally:  # also on Ctrl-C during a long re-index: never lose the document
        if not done:
            staged.unlink(missing_ok=True)
            if had:
                shutil.copy2(backup, touched)
            else:
                touched.unlink(missing_ok=True)
        shutil.rmtree(backup_dir, ignore_errors=True)
