"""The transcription interface and its two engines (faster-whisper, openai-whisper).

Both engines get audio already decoded by PyAV (``faster_whisper.decode_audio``), so neither
needs the ``ffmpeg`` binary, and both read the same weights. A loaded model is kept per
process: a worker pays the model load once, not per voice note.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings

SAMPLE_RATE = 16000
ENGINES = ("faster", "openai")


class TranscriptionError(RuntimeError):
    """The audio could not be transcribed (undecodable, empty, or the model failed)."""


@dataclass
class Word:
    start: float
    end: float
    word: str
    probability: float


@dataclass
class Segment:
    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float = 0.0
    words: list[Word] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        """exp(avg_logprob): a 0..1 figure a reviewer can read."""
        return float(np.exp(min(self.avg_logprob, 0.0)))


@dataclass
class TranscriptResult:
    text: str
    language: str
    language_probability: float
    duration: float
    engine: str
    segments: list[Segment] = field(default_factory=list)

    def to_dict(self, words: bool = True) -> dict:
        data = asdict(self)
        for segment, raw in zip(self.segments, data["segments"], strict=True):
            raw["confidence"] = round(segment.confidence, 4)
            if not words:
                raw.pop("words")
        return data

    @classmethod
    def from_dict(cls, data: dict) -> TranscriptResult:
        segments = [
            Segment(
                start=s["start"],
                end=s["end"],
                text=s["text"],
                avg_logprob=s["avg_logprob"],
                no_speech_prob=s.get("no_speech_prob", 0.0),
                words=[Word(**w) for w in s.get("words", [])],
            )
            for s in data.get("segments", [])
        ]
        fields = {k: data[k] for k in ("text", "language", "language_probability", "duration")}
        return cls(engine=data.get("engine", ""), segments=segments, **fields)


def normalise_text(text: str) -> str:
    """Lower case, no punctuation, single spaces: for comparing engines' transcripts."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(" " if unicodedata.category(ch).startswith("P") else ch for ch in text)
    return re.sub(r"\s+", " ", text).strip()


def decode(source) -> np.ndarray:
    """Decode any audio file PyAV can read to 16 kHz mono float32 samples."""
    if isinstance(source, np.ndarray):
        return source.astype(np.float32, copy=False)
    from faster_whisper import decode_audio

    try:
        samples = decode_audio(str(source) if isinstance(source, Path) else source)
    except Exception as exc:  # PyAV raises many types; all mean "not decodable audio"
        raise TranscriptionError(f"The audio could not be decoded: {exc}") from exc
    return samples.astype(np.float32, copy=False)


def _restricted_language(probabilities: dict[str, float]) -> tuple[str, float]:
    """Pick the likeliest of the platform's languages, renormalised among them only."""
    allowed = [code for code in settings.TRANSCRIPTION_LANGUAGES if code in probabilities]
    if not allowed:
        best = max(probabilities, key=probabilities.get)
        return best, float(probabilities[best])
    total = sum(probabilities[code] for code in allowed) or 1.0
    best = max(allowed, key=lambda code: probabilities[code])
    return best, float(probabilities[best] / total)


class Transcriber:
    engine = ""

    def __init__(self, threads: int | None = None):
        self.threads = threads or settings.TRANSCRIPTION_THREADS
        self.beam_size = settings.TRANSCRIPTION_BEAM_SIZE
        self._lock = threading.Lock()

    def transcribe(self, source, language: str | None = None, word_timestamps: bool = True):
        samples = decode(source)
        if samples.size == 0:
            raise TranscriptionError("The recording contains no audio samples.")
        with self._lock:  # one model instance; concurrent callers take turns
            return self._transcribe(samples, language or None, word_timestamps)

    def _transcribe(self, samples, language, word_timestamps) -> TranscriptResult:
        raise NotImplementedError


class FasterWhisperTranscriber(Transcriber):
    engine = "faster"

    def __init__(self, threads: int | None = None):
        super().__init__(threads)
        from faster_whisper import WhisperModel

        from consult.voice.transcription.model_files import model_dir

        self.model = WhisperModel(
            str(model_dir()), device="cpu", compute_type="int8", cpu_threads=self.threads
        )

    def _transcribe(self, samples, language, word_timestamps):
        probability = 1.0
        if language is None:
            _lang, _prob, all_probs = self.model.detect_language(audio=samples)
            language, probability = _restricted_language(dict(all_probs))
        segments, info = self.model.transcribe(
            samples,
            language=language,
            beam_size=self.beam_size,
            vad_filter=True,
            word_timestamps=word_timestamps,
        )
        result = [
            Segment(
                start=round(s.start, 3),
                end=round(s.end, 3),
                text=s.text.strip(),
                avg_logprob=float(s.avg_logprob),
                no_speech_prob=float(s.no_speech_prob),
                words=[
                    Word(
                        round(float(w.start), 3),
                        round(float(w.end), 3),
                        w.word,
                        round(float(w.probability), 4),
                    )
                    for w in (s.words or [])
                ],
            )
            for s in segments
        ]
        return TranscriptResult(
            text=" ".join(s.text for s in result).strip(),
            language=language,
            language_probability=round(probability, 4),
            duration=round(len(samples) / SAMPLE_RATE, 3),
            engine=self.engine,
            segments=result,
        )


class OpenAIWhisperTranscriber(Transcriber):
    engine = "openai"

    def __init__(self, threads: int | None = None):
        super().__init__(threads)
        import torch
        import whisper

        from consult.voice.transcription.model_files import openai_checkpoint

        torch.set_num_threads(self.threads)
        checkpoint = torch.load(openai_checkpoint(), map_location="cpu", weights_only=False)
        dims = whisper.model.ModelDimensions(**checkpoint["dims"])
        model = whisper.model.Whisper(dims)
        model.load_state_dict(checkpoint["model_state_dict"])
        heads = checkpoint.get("alignment_heads")
        if heads:
            mask = torch.zeros(dims.n_text_layer, dims.n_text_head, dtype=torch.bool)
            for layer, head in heads:
                mask[layer, head] = True
            model.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)
        self.model = model.float().eval()

    def _transcribe(self, samples, language, word_timestamps):
        import torch
        import whisper

        probability = 1.0
        if language is None:
            mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(samples), self.model.dims.n_mels)
            with torch.no_grad():
                _tokens, probs = self.model.detect_language(mel)
            language, probability = _restricted_language(probs)
        with torch.no_grad():
            output = whisper.transcribe(
                self.model,
                samples,
                language=language,
                beam_size=self.beam_size,
                fp16=False,
                word_timestamps=word_timestamps,
                verbose=None,
            )
        segments = [
            Segment(
                start=round(float(s["start"]), 3),
                end=round(float(s["end"]), 3),
                text=s["text"].strip(),
                avg_logprob=float(s["avg_logprob"]),
                no_speech_prob=float(s["no_speech_prob"]),
                words=[
                    Word(
                        round(float(w["start"]), 3),
                        round(float(w["end"]), 3),
                        w["word"],
                        round(float(w["probability"]), 4),
                    )
                    for w in s.get("words", [])
                ],
            )
            for s in output["segments"]
        ]
        return TranscriptResult(
            text=" ".join(s.text for s in segments).strip(),
            language=language,
            language_probability=round(probability, 4),
            duration=round(len(samples) / SAMPLE_RATE, 3),
            engine=self.engine,
            segments=segments,
        )


_ENGINE_CLASSES = {"faster": FasterWhisperTranscriber, "openai": OpenAIWhisperTranscriber}
_loaded: dict[tuple, Transcriber] = {}
_loaded_lock = threading.Lock()


def get_transcriber(engine: str | None = None, threads: int | None = None) -> Transcriber:
    """The process-wide transcriber for an engine, loading the model on first use."""
    engine = engine or settings.TRANSCRIPTION_ENGINE
    if engine not in _ENGINE_CLASSES:
        raise ValueError(f"Unknown transcription engine {engine!r}; choose one of {ENGINES}")
    key = (engine, threads or settings.TRANSCRIPTION_THREADS, settings.WHISPER_MODEL_DIR)
    with _loaded_lock:
        if key not in _loaded:
            _loaded[key] = _ENGINE_CLASSES[engine](threads)
        return _loaded[key]
