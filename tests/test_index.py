"""The Chroma index on disk: incremental, atomic, model-checked, and clear about what is wrong."""

import pytest

from assistant.index import IndexUnavailable, build, open_index


class CountingEmbedder:
    """The real embedder, counting how many passages it embeds (and able to die part-way)."""

    def __init__(self, real, fail_after: int | None = None):
        self.real, self.fail_after, self.embedded = real, fail_after, 0

    def embed_passages(self, texts, progress=False):
        if self.fail_after is not None:
            raise KeyboardInterrupt("build killed half-way")
        self.embedded += len(texts)
        return self.real.embed_passages(texts)


def test_build_is_incremental(settings, embedder):
    first = build(settings, progress=False, embedder=CountingEmbedder(embedder))
    assert first.embedded == first.chunks > 50 and not first.up_to_date
    counting = CountingEmbedder(embedder)
    again = build(settings, progress=False, embedder=counting)
    assert again.up_to_date and counting.embedded == 0 and again.collection == first.collection

    extra = settings.corpus_dir / "แนวปฏิบัติกรม.md"
    extra.write_text("# การรายงานผล\n\nให้หน่วยงานรายงานผลการดำเนินงานภาคีหุ้นส่วนทุกไตรมาส\n")
    third = build(settings, progress=False, embedder=counting)
    assert counting.embedded == 1 and third.reused == first.chunks
    index = open_index(settings)
    assert [c.document for c in index.chunks].count("แนวปฏิบัติกรม") == 1

    rebuilt = build(settings, rebuild=True, progress=False, embedder=counting)
    assert rebuilt.embedded == rebuilt.chunks and rebuilt.collection != third.collection


def test_a_build_killed_half_way_leaves_the_previous_index_usable(settings, embedder):
    first = build(settings, progress=False, embedder=embedder)
    (settings.corpus_dir / "ใหม่.md").write_text("# หัวข้อ\n\nเนื้อหาใหม่ที่ต้องฝังเวกเตอร์\n")
    with pytest.raises(KeyboardInterrupt):
        build(settings, rebuild=True, progress=False, embedder=CountingEmbedder(embedder, fail_after=0))
    index = open_index(settings)
    assert index.manifest["collection"] == first.collection and len(index.chunks) == first.chunks
    vector = embedder.embed_queries(["การให้เงินอุดหนุนมีกี่ขั้นตอน"])[0]
    assert index.dense(vector, 3)[0][0].split(":")[1].startswith("grant.steps")


def test_missing_index_says_how_to_build_it(settings):
    with pytest.raises(IndexUnavailable, match="python -m assistant index"):
        open_index(settings)


def test_another_embedding_model_is_a_clear_error(settings, embedder):
    build(settings, progress=False, embedder=embedder)
    other = settings.model_copy(update={"embedding_model": "BAAI/bge-m3"})
    with pytest.raises(IndexUnavailable, match="--rebuild"):
        open_index(other)


def test_corrupt_index_is_a_clear_error(settings, embedder):
    build(settings, progress=False, embedder=embedder)
    for f in settings.index_dir.rglob("*.sqlite3"):
        f.write_bytes(b"this is not a database" * 100)
    with pytest.raises(IndexUnavailable):
        open_index(settings)


def test_a_stale_index_is_reported(settings, embedder, caplog):
    build(settings, progress=False, embedder=embedder)
    (settings.corpus_dir / "เพิ่ม.md").write_text("# ใหม่\n\nข้อความที่ยังไม่ได้ทำดัชนี\n")
    with caplog.at_level("WARNING"):
        open_index(settings)
    assert "older than the corpus" in caplog.text
