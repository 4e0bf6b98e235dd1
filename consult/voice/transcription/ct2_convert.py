"""Read a CTranslate2 Whisper ``model.bin`` and turn it into an openai-whisper checkpoint.

The platform ships one set of weights (CTranslate2 format, for faster-whisper); the
reference engine, openai-whisper, needs a PyTorch state dict. Converting ourselves keeps both
engines on exactly the same weights and avoids any download. The binary layout is the one
written by ``ctranslate2.specs.model_spec._serialize``.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

_DTYPES = {
    0: np.float32,
    1: np.int8,
    2: np.int16,
    3: np.int32,
    4: np.float16,
}


class _Reader:
    def __init__(self, data: bytes):
        self.data = memoryview(data)
        self.pos = 0

    def take(self, fmt: str):
        size = struct.calcsize(fmt)
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return values[0] if len(values) == 1 else values

    def string(self) -> str:
        length = self.take("<H")
        raw = bytes(self.data[self.pos : self.pos + length])
        self.pos += length
        return raw.rstrip(b"\0").decode("utf-8")


def read_ct2_model(path: Path) -> tuple[str, dict[str, np.ndarray]]:
    """Return (spec name, {variable name: array}) from a CTranslate2 model.bin."""
    reader = _Reader(Path(path).read_bytes())
    version = reader.take("<I")
    if version < 5:
        raise ValueError(f"Unsupported CTranslate2 model.bin version {version}")
    spec = reader.string()
    reader.take("<I")  # spec revision
    count = reader.take("<I")
    variables: dict[str, np.ndarray] = {}
    for _ in range(count):
        name = reader.string()
        rank = reader.take("<B")
        shape = [reader.take("<I") for _ in range(rank)]
        dtype_id = reader.take("<B")
        nbytes = reader.take("<I")
        if dtype_id not in _DTYPES:
            raise ValueError(f"{name}: unsupported dtype id {dtype_id} (bfloat16 or unknown)")
        raw = reader.data[reader.pos : reader.pos + nbytes]
        reader.pos += nbytes
        variables[name] = np.frombuffer(raw, dtype=_DTYPES[dtype_id]).reshape(shape).copy()
    alias_count = reader.take("<I") if reader.pos < len(reader.data) else 0
    for _ in range(alias_count):
        alias = reader.string()
        target = reader.string()
        if target in variables:
            variables[alias] = variables[target]
    return spec, variables


def _layer_count(variables: dict, prefix: str) -> int:
    n = 0
    while f"{prefix}/layer_{n}/ffn/linear_0/weight" in variables:
        n += 1
    return n


def _scalar(variables: dict, name: str, default: int) -> int:
    value = variables.get(name)
    return int(np.asarray(value).reshape(-1)[0]) if value is not None else default


def _linear(state: dict, ct2: dict, src: str, dst: str, bias: bool = True):
    state[f"{dst}.weight"] = ct2[f"{src}/weight"]
    if bias:
        state[f"{dst}.bias"] = ct2[f"{src}/bias"]


def _layer_norm(state: dict, ct2: dict, src: str, dst: str):
    state[f"{dst}.weight"] = ct2[f"{src}/gamma"]
    state[f"{dst}.bias"] = ct2[f"{src}/beta"]


def _split_rows(array: np.ndarray, parts: int) -> list[np.ndarray]:
    return np.split(array, parts, axis=0)


def _attention_fused_qkv(state: dict, ct2: dict, src: str, dst: str):
    q_w, k_w, v_w = _split_rows(ct2[f"{src}/linear_0/weight"], 3)
    q_b, _k_b, v_b = _split_rows(ct2[f"{src}/linear_0/bias"], 3)
    state[f"{dst}.query.weight"], state[f"{dst}.query.bias"] = q_w, q_b
    state[f"{dst}.key.weight"] = k_w  # openai-whisper's key projection has no bias
    state[f"{dst}.value.weight"], state[f"{dst}.value.bias"] = v_w, v_b
    _linear(state, ct2, f"{src}/linear_1", f"{dst}.out")


def to_openai_whisper(variables: dict[str, np.ndarray]) -> tuple[dict, dict]:
    """Map CTranslate2 variable names onto openai-whisper's; return (dims, state dict)."""
    ct2 = variables
    state: dict[str, np.ndarray] = {}
    n_audio_layer = _layer_count(ct2, "encoder")
    n_text_layer = _layer_count(ct2, "decoder")
    for conv in ("conv1", "conv2"):
        _linear(state, ct2, f"encoder/{conv}", f"encoder.{conv}")
    state["encoder.positional_embedding"] = ct2["encoder/position_encodings/encodings"]
    for i in range(n_audio_layer):
        src, dst = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        _attention_fused_qkv(state, ct2, f"{src}/self_attention", f"{dst}.attn")
        _layer_norm(state, ct2, f"{src}/self_attention/layer_norm", f"{dst}.attn_ln")
        _linear(state, ct2, f"{src}/ffn/linear_0", f"{dst}.mlp.0")
        _linear(state, ct2, f"{src}/ffn/linear_1", f"{dst}.mlp.2")
        _layer_norm(state, ct2, f"{src}/ffn/layer_norm", f"{dst}.mlp_ln")
    _layer_norm(state, ct2, "encoder/layer_norm", "encoder.ln_post")

    state["decoder.token_embedding.weight"] = ct2["decoder/embeddings/weight"]
    state["decoder.positional_embedding"] = ct2["decoder/position_encodings/encodings"]
    for i in range(n_text_layer):
        src, dst = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        _attention_fused_qkv(state, ct2, f"{src}/self_attention", f"{dst}.attn")
        _layer_norm(state, ct2, f"{src}/self_attention/layer_norm", f"{dst}.attn_ln")
        _linear(state, ct2, f"{src}/attention/linear_0", f"{dst}.cross_attn.query")
        k_w, v_w = _split_rows(ct2[f"{src}/attention/linear_1/weight"], 2)
        _k_b, v_b = _split_rows(ct2[f"{src}/attention/linear_1/bias"], 2)
        state[f"{dst}.cross_attn.key.weight"] = k_w
        state[f"{dst}.cross_attn.value.weight"] = v_w
        state[f"{dst}.cross_attn.value.bias"] = v_b
        _linear(state, ct2, f"{src}/attention/linear_2", f"{dst}.cross_attn.out")
        _layer_norm(state, ct2, f"{src}/attention/layer_norm", f"{dst}.cross_attn_ln")
        _linear(state, ct2, f"{src}/ffn/linear_0", f"{dst}.mlp.0")
        _linear(state, ct2, f"{src}/ffn/linear_1", f"{dst}.mlp.2")
        _layer_norm(state, ct2, f"{src}/ffn/layer_norm", f"{dst}.mlp_ln")
    _layer_norm(state, ct2, "decoder/layer_norm", "decoder.ln")

    n_audio_state = state["encoder.conv1.weight"].shape[0]
    n_text_state = state["decoder.token_embedding.weight"].shape[1]
    dims = {
        "n_mels": state["encoder.conv1.weight"].shape[1],
        "n_audio_ctx": state["encoder.positional_embedding"].shape[0],
        "n_audio_state": n_audio_state,
        "n_audio_head": _scalar(ct2, "encoder/num_heads", n_audio_state // 64),
        "n_audio_layer": n_audio_layer,
        "n_vocab": state["decoder.token_embedding.weight"].shape[0],
        "n_text_ctx": state["decoder.positional_embedding"].shape[0],
        "n_text_state": n_text_state,
        "n_text_head": _scalar(ct2, "decoder/num_heads", n_text_state // 64),
        "n_text_layer": n_text_layer,
    }
    return dims, state
