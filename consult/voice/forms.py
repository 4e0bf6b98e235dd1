"""Forms for voice notes. They only shape input; rules live in consult.voice.services."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from consult.honeypot import HoneypotMixin
from consult.models import DisplayMode, Stakeholder, Stance
from drafts.models import ClauseVersion
from text.languages import LANGUAGE_NAMES

AUDIO_ACCEPT = "audio/*,.ogg,.opus,.oga,.webm,.m4a,.aac,.mp3,.wav,.flac,.amr"


DETECT_LABEL = _("Detect it for me")


def language_choices(blank_label=DETECT_LABEL):
    codes = settings.TRANSCRIPTION_LANGUAGES
    return [("", blank_label)] + [(c, LANGUAGE_NAMES.get(c, c)) for c in codes]


class ClauseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.identifier} {obj.heading}".strip()


class VoiceNoteForm(HoneypotMixin):
    audio = forms.FileField(
        label=_("Recording"),
        help_text=_(
            "ogg/opus (WhatsApp), webm, m4a, mp3, wav or flac; up to %(mb)d MB and "
            "%(minutes)d minutes."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": AUDIO_ACCEPT}),
    )
    clause = ClauseChoiceField(
        queryset=ClauseVersion.objects.none(),
        required=False,
        empty_label=_("The whole draft"),
        label=_("About"),
    )
    language_hint = forms.ChoiceField(label=_("Language you speak in"), required=False)
    stance = forms.ChoiceField(label=_("Your position"), choices=Stance.choices)
    stakeholder = forms.ChoiceField(label=_("You are"), choices=Stakeholder.choices)
    organisation = forms.CharField(label=_("Organisation (if any)"), required=False, max_length=255)
    display_mode = forms.ChoiceField(
        label=_("How to show you"), choices=DisplayMode.choices, initial=DisplayMode.PSEUDONYMOUS
    )
    name = forms.CharField(label=_("Name (optional)"), required=False, max_length=50)
    consent = forms.BooleanField(
        label=_(
            "I agree that my recording is stored until my transcript is confirmed and for "
            "%(days)d days after, then deleted. Only moderators can listen to it."
        ),
        required=True,
        error_messages={"required": _("Tick the box to agree that we store your recording.")},
    )

    def __init__(self, *args, consultation=None, **kwargs):
        super().__init__(*args, **kwargs)
        version = consultation.current_version() if consultation else None
        self.fields["clause"].queryset = (
            version.clauses.all() if version else ClauseVersion.objects.none()
        )
        self.fields["language_hint"].choices = language_choices()
        self.fields["audio"].help_text = self.fields["audio"].help_text % {
            "mb": settings.VOICE_MAX_BYTES // (1024 * 1024),
            "minutes": settings.VOICE_MAX_SECONDS // 60,
        }
        self.fields["consent"].label = self.fields["consent"].label % {
            "days": settings.VOICE_RETENTION_DAYS
        }


class IntakeRowForm(forms.Form):
    """One recording collected by a facilitator, with the consent they recorded."""

    audio = forms.FileField(
        label=_("Recording"), widget=forms.ClearableFileInput(attrs={"accept": AUDIO_ACCEPT})
    )
    clause = ClauseChoiceField(
        queryset=ClauseVersion.objects.none(),
        required=False,
        empty_label=_("The whole draft"),
        label=_("About"),
    )
    language_hint = forms.ChoiceField(label=_("Language"), required=False)
    stance = forms.ChoiceField(label=_("Position"), choices=Stance.choices)
    stakeholder = forms.ChoiceField(
        label=_("Speaker is"), choices=Stakeholder.choices, initial=Stakeholder.INDIVIDUAL
    )
    consent = forms.BooleanField(
        label=_("The speaker consented to storing this recording"),
        required=True,
        error_messages={"required": _("Record the speaker's consent for this recording.")},
    )
    consent_note = forms.CharField(label=_("How consent was given"), required=False, max_length=255)

    def __init__(self, *args, consultation=None, **kwargs):
        super().__init__(*args, **kwargs)
        version = consultation.current_version() if consultation else None
        self.fields["clause"].queryset = (
            version.clauses.all() if version else ClauseVersion.objects.none()
        )
        self.fields["language_hint"].choices = language_choices(_("Detect"))

    def has_changed(self):
        """A row without a file is an unused row (its selects still post their defaults)."""
        return bool(self.files.get(self.add_prefix("audio")))


IntakeFormSet = forms.formset_factory(IntakeRowForm, extra=3, max_num=50, absolute_max=50)


class ConfirmForm(forms.Form):
    text = forms.CharField(
        label=_("Your comment (correct the transcript if needed)"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=settings.SUBMISSION_MAX_CHARS,
    )
