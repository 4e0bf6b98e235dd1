"""``manage.py transcribe FILE [--language ur] [--engine faster|openai]``: print a transcript
as JSON, offline, with the same code path the voice-note worker uses."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from consult.voice.transcription import ENGINES, TranscriptionError, get_transcriber


class Command(BaseCommand):
    help = "Transcribe an audio file with the offline Whisper model and print JSON."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--language",
            default=None,
            help="Language hint, e.g. ur or en. Default: detect among TRANSCRIPTION_LANGUAGES.",
        )
        parser.add_argument("--engine", choices=ENGINES, default=None)
        parser.add_argument("--words", action="store_true", help="Include word timestamps.")

    def handle(self, *args, file, language=None, engine=None, words=False, **options):
        engine = engine or settings.TRANSCRIPTION_ENGINE
        try:
            result = get_transcriber(engine).transcribe(
                file, language=language, word_timestamps=words
            )
        except TranscriptionError as exc:
            raise CommandError(str(exc)) from exc
        data = result.to_dict(words=words)
        for segment in data["segments"]:
            segment.pop("no_speech_prob", None)
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
