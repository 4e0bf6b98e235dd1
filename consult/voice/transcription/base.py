"""The transcription interface and its two engines (faster-whisper, openai-whisper).

Both engines get audio already decoded by PyAV (``faster_whisper.decode_audio``), so neither
needs the ``ffmpeg`` binary, and both read the same weights. A loaded model is kept per
process: a worker pays the model load once, not per voice note.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings

SAMPLE_RATE = 16000
logger = logging.getLogger(__name__)
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

    def transcribe_many(
        self, items, word_timestamps: bool = True, batch_size: int | None = None
    ) -> list[TranscriptResult | Exception]:
        """Transcribe several recordings: ``items`` is a list of ``(source, language)``.

        One answer per item, in order: a result, or the exception that item raised, so one
        bad recording never costs the others theirs. This engine does them one by one;
        faster-whisper decodes them together (:meth:`FasterWhisperTranscriber.transcribe_many`).
        """
        answers: list[TranscriptResult | Exception] = []
        for source, language in items:
            try:
                answers.append(self.transcribe(source, language, word_timestamps))
            except Exception as exc:  # handed back, per item
                answers.append(exc)
        return answers


class FasterWhisperTranscriber(Transcriber):
    engine = "faster"

    def __init__(self, threads: int | None = None):
        super().__init__(threads)
        from consult.voice.transcription.model_files import model_dir

        self.model = _model_class()(
            str(model_dir()), device="cpu", compute_type="int8", cpu_threads=self.threads
        )

    def _detect(self, samples, language) -> tuple[str, float]:
        if language is not None:
            return language, 1.0
        _lang, _prob, all_probs = self.model.detect_language(audio=samples)
        return _restricted_language(dict(all_probs))

    def _languages(self, encoder_output) -> list[tuple[str, float]]:
        """Each row's language among the platform's, read from an encoder output."""
        return [
            _restricted_language({token[2:-2]: prob for token, prob in languages})
            for languages in self.model.model.detect_language(encoder_output)
        ]

    def _detect_and_keep(self, samples) -> tuple[str, float]:
        """The language of a note without a hint, from the encoder pass that will decode its
        first window: that pass is kept for ``transcribe`` (``_WhisperModel.encode``), so the
        note is encoded once, not once to detect and again to decode (the encoder is most of
        a short note's cost). Read as the batch path reads it; where the reading is not
        clear-cut, or VAD leaves no speech, detected on the raw audio as before (the pass is
        kept for decoding all the same). VAD and the log-mel features are made again by
        ``transcribe``: hundredths of a second against the encoder's tenths."""
        from faster_whisper.audio import pad_or_trim

        speech = self._speech_features(samples)
        if speech is None:
            return self._detect(samples, None)
        _chunks, features, content_frames = speech
        first = min(content_frames, self.model.feature_extractor.nb_max_frames)
        window = pad_or_trim(features[:, :first])
        encoder_output = self.model.encode(window)
        language, probability = self._languages(encoder_output)[0]
        if probability < DETECTION_SURE:
            language, probability = self._detect(samples, None)
        self.model.keep(window, encoder_output)  # after _detect, whose own encode drops it
        return language, probability

    def _transcribe(self, samples, language, word_timestamps):
        if language is None:
            language, probability = self._detect_and_keep(samples)
        else:
            probability = 1.0
        segments, info = self.model.transcribe(
            samples,
            language=language,
            beam_size=self.beam_size,
            vad_filter=True,
            word_timestamps=word_timestamps,
        )
        return self._result(segments, samples, language, probability)

    def _result(self, segments, samples, language, probability) -> TranscriptResult:
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

    # --- Several notes per model call ---------------------------------------------------

    def transcribe_many(self, items, word_timestamps: bool = True, batch_size: int | None = None):
        """Transcribe queued notes together: one encoder call and one beam search per batch.

        The decoding is the one-by-one path's, step for step (same VAD, features, prompt and
        beam options), only with several notes in each model call, so each note gets the
        text it would get alone. A note without a language hint has its language read from
        the batch's encoder output (one encoder pass instead of two); when that reading is
        not clear-cut (under ``DETECTION_SURE``) the note is detected exactly as one by one.
        A note whose one-by-one run would not settle in one pass (speech longer than one
        30 s window, a temperature fallback, a "no speech" skip, an unfinished last
        segment) is transcribed one by one instead. Answers come back in order, one per
        item: a result or the exception that item raised.
        """
        batch_size = batch_size or transcription_batch_size()
        answers: list[TranscriptResult | Exception | None] = [None] * len(items)
        pending: list[_Prepared] = []
        for index, (source, language) in enumerate(items):
            try:
                samples = decode(source)
                if samples.size == 0:
                    raise TranscriptionError("The recording contains no audio samples.")
                note = self._prepare(index, samples, language or None)
            except Exception as exc:  # handed back for this item only
                answers[index] = exc
                continue
            if note is None:  # more than one window: one by one
                answers[index] = self._one_by_one(samples, language or None, word_timestamps)
            else:
                pending.append(note)
        for start in range(0, len(pending), batch_size):
            chunk = pending[start : start + batch_size]
            try:
                with self._lock:
                    decoded = self._decode_batch(chunk, word_timestamps)
            except Exception:
                # The batch call itself failed: each note gets its own attempt, so one
                # note cannot take the others down with it.
                logger.warning("Batched decoding failed; transcribing one by one", exc_info=True)
                decoded = [None] * len(chunk)
            for note, result in zip(chunk, decoded, strict=True):
                answers[note.index] = (
                    result
                    if result is not None
                    else self._one_by_one(note.samples, note.language, word_timestamps)
                )
        return answers

    def _one_by_one(self, samples, language, word_timestamps):
        try:
            with self._lock:
                return self._transcribe(samples, language, word_timestamps)
        except Exception as exc:
            return exc

    def _prepare(self, index, samples, language) -> _Prepared | None:
        """The one-by-one path's first window (VAD, log-mel) for a note, or None when the
        note's speech does not fit in one window."""
        speech = self._speech_features(samples)
        if speech is None:
            return None
        speech_chunks, features, content_frames = speech
        if content_frames > self.model.feature_extractor.nb_max_frames:
            return None
        return _Prepared(
            index=index,
            samples=samples,
            language=language,
            probability=1.0,
            speech_chunks=speech_chunks,
            features=features[:, :content_frames],
            content_frames=content_frames,
        )

    def _speech_features(self, samples) -> tuple[list, np.ndarray, int] | None:
        """What ``WhisperModel.transcribe`` decodes: the speech VAD keeps, its log-mel
        features and their length in frames; None when VAD finds no speech."""
        from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

        speech_chunks = get_speech_timestamps(samples, VadOptions())
        audio_chunks, _meta = collect_chunks(samples, speech_chunks)
        audio = np.concatenate(audio_chunks, axis=0)
        if audio.size == 0:
            return None
        features = self.model.feature_extractor(audio, chunk_length=None)
        return speech_chunks, features, features.shape[-1] - 1

    def _decode_batch(self, notes, word_timestamps):
        """Encode a batch once, detect missing languages, decode each language's notes
        together; a note whose one-by-one run would go further gets None."""
        import ctranslate2
        from faster_whisper.audio import pad_or_trim

        model = self.model
        encoder_output = model.encode(np.stack([pad_or_trim(note.features) for note in notes]))
        encoded = np.asarray(encoder_output)

        def rows(indices: list[int]):
            if len(indices) == len(notes):
                return encoder_output
            return ctranslate2.StorageView.from_array(np.ascontiguousarray(encoded[indices]))

        undetected = [i for i, note in enumerate(notes) if note.language is None]
        if undetected:
            detected = self._languages(rows(undetected))
            for i, (language, probability) in zip(undetected, detected, strict=True):
                if probability < DETECTION_SURE:  # not clear-cut: detect as one by one does
                    language, probability = self._detect(notes[i].samples, None)
                notes[i].language, notes[i].probability = language, probability
        answers: list[TranscriptResult | None] = [None] * len(notes)
        for language in dict.fromkeys(note.language for note in notes):
            group = [i for i, note in enumerate(notes) if note.language == language]
            decoded = self._generate(
                [notes[i] for i in group], language, rows(group), encoded[group], word_timestamps
            )
            for i, result in zip(group, decoded, strict=True):
                answers[i] = result
        return answers

    def _generate(self, notes, language, encoder_output, encoded, word_timestamps):
        import ctranslate2
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import Segment as FWSegment
        from faster_whisper.transcribe import Word as FWWord
        from faster_whisper.transcribe import (
            get_compression_ratio,
            get_suppressed_tokens,
            restore_speech_timestamps,
        )

        model = self.model
        tokenizer = Tokenizer(
            model.hf_tokenizer, model.model.is_multilingual, "transcribe", language
        )
        prompt = model.get_prompt(tokenizer, [], without_timestamps=False, prefix=None)
        # The arguments WhisperModel.generate_with_fallback passes at temperature 0.
        results = model.model.generate(
            encoder_output,
            [list(prompt) for _ in notes],
            length_penalty=1,
            repetition_penalty=1,
            no_repeat_ngram_size=0,
            max_length=model.max_length,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=get_suppressed_tokens(tokenizer, [-1]),
            max_initial_timestamp_index=int(round(1.0 / model.time_precision)),
            beam_size=self.beam_size,
            patience=1,
        )
        answers: list[TranscriptResult | None] = []
        for position, (note, generated) in enumerate(zip(notes, results, strict=True)):
            tokens = generated.sequences_ids[0]
            avg_logprob = generated.scores[0] * len(tokens) / (len(tokens) + 1)
            compression_ratio = get_compression_ratio(tokenizer.decode(tokens).strip())
            if compression_ratio > 2.4 or avg_logprob < -1.0 or generated.no_speech_prob > 0.6:
                answers.append(None)  # a fallback or a skip: the one-by-one path decides
                continue
            size = note.content_frames
            segments, seek, single_ending = model._split_segments_by_timestamps(
                tokenizer=tokenizer,
                tokens=tokens,
                time_offset=0.0,
                segment_size=size,
                segment_duration=size * model.feature_extractor.time_per_frame,
                seek=0,
            )
            if seek < size or (word_timestamps and not single_ending):
                answers.append(None)  # one by one would decode a second window
                continue
            if word_timestamps:
                own = ctranslate2.StorageView.from_array(
                    np.ascontiguousarray(encoded[position : position + 1])
                )
                model.add_word_timestamps(
                    [segments], tokenizer, own, size, PREPEND_PUNCTUATION, APPEND_PUNCTUATION, 0.0
                )
            kept = [
                s
                for s in segments
                if s["start"] != s["end"] and tokenizer.decode(s["tokens"]).strip()
            ]
            fw_segments = [
                FWSegment(
                    id=i,
                    seek=0,
                    start=s["start"],
                    end=s["end"],
                    text=tokenizer.decode(s["tokens"]),
                    tokens=s["tokens"],
                    temperature=0.0,
                    avg_logprob=avg_logprob,
                    compression_ratio=compression_ratio,
                    no_speech_prob=generated.no_speech_prob,
                    words=[FWWord(**w) for w in s["words"]] if word_timestamps else None,
                )
                for i, s in enumerate(kept, 1)
            ]
            restored = restore_speech_timestamps(fw_segments, note.speech_chunks, SAMPLE_RATE)
            answers.append(self._result(restored, note.samples, language, note.probability))
        return answers


# faster-whisper's defaults (WhisperModel.transcribe), used by the one-by-one path.
PREPEND_PUNCTUATION = "\"'“¿([{-"
APPEND_PUNCTUATION = "\"'.。,，!！?？:：”)]}、"
# A language read from the batch's encoder output is taken when its share among the
# platform's languages is at least this; below it the note is detected as one by one.
DETECTION_SURE = 0.9


@functools.cache
def _model_class():
    """faster-whisper's model, able to hand back one encoder pass made earlier.

    ``keep(window, output)`` stores an encoder output; the next ``encode`` of an equal window
    (compared in full: same shape, same values) returns it instead of running the encoder
    again. Any other call encodes as usual, and the kept pass is used at most once. Made on
    first use, so that importing this module does not import faster-whisper."""
    from faster_whisper import WhisperModel

    class _WhisperModel(WhisperModel):
        _kept: tuple | None = None

        def keep(self, window: np.ndarray, encoder_output) -> None:
            self._kept = (window, encoder_output)

        def encode(self, features: np.ndarray):
            kept, self._kept = self._kept, None
            if (
                kept is not None
                and kept[0].shape == features.shape
                and np.array_equal(kept[0], features)
            ):
                return kept[1]
            return super().encode(features)

    return _WhisperModel


@dataclass
class _Prepared:
    """A note ready for a batch: its decoded samples and its one window of features."""

    index: int
    samples: np.ndarray
    language: str | None
    probability: float
    speech_chunks: list
    features: np.ndarray
    content_frames: int


def transcription_batch_size() -> int:
    """How many notes go into one model call (``TRANSCRIPTION_BATCH_SIZE``, default 8)."""
    return max(1, int(getattr(settings, "TRANSCRIPTION_BATCH_SIZE", 8)))


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
