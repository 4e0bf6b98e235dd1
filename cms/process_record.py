"""The process record: a public timeline of how a consultation was run. It lists what the
platform already knows (opened, closing date moved, closed, each draft version, each town
hall, each published report) and the ministry's meetings with stakeholders during the
consultation, entered by editors as a snippet with the minutes as a document: the lobbying
disclosure civil society asks for."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel

from text.public_fields import refuse_personal_data


class StakeholderMeeting(models.Model):
    """A meeting of the ministry with stakeholders about a consultation; public."""

    consultation = models.ForeignKey(
        "cms.ConsultationPage",
        on_delete=models.CASCADE,
        related_name="stakeholder_meetings",
        verbose_name=gettext_lazy("consultation"),
    )
    held_at = models.DateTimeField(gettext_lazy("held at"))
    who = models.CharField(
        gettext_lazy("who attended"),
        max_length=500,
        help_text=gettext_lazy("Organisations and officials present, as they may be named."),
    )
    topic = models.CharField(gettext_lazy("topic"), max_length=500)
    minutes = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("minutes"),
    )

    panels = [
        FieldPanel("consultation"),
        FieldPanel("held_at"),
        FieldPanel("who"),
        FieldPanel("topic"),
        FieldPanel("minutes"),
    ]

    class Meta:
        ordering = ["held_at", "pk"]
        verbose_name = gettext_lazy("meeting with stakeholders")
        verbose_name_plural = gettext_lazy("meetings with stakeholders")

    def __str__(self):
        return f"{self.held_at:%Y-%m-%d}: {self.who} ({self.topic})"

    def clean(self):
        super().clean()
        refuse_personal_data(self, ("who", "topic"))  # public, as written (text.public_fields)


PROCESS_RECORD_TTL = 300  # bounds what no signal tells of (a document's new file name)


def cached_process_timeline(consultation) -> list[dict]:
    """``process_timeline`` from the cache. Every reading page shows the record, and
    building it (revisions, versions, town halls, reports, meetings) was a quarter of a
    page's CPU; it changes when one of those does (consult.reading_cache's process
    generation, started by cms/signals.py) or when the closing time passes."""
    from django.core.cache import cache

    from consult.reading_cache import process_generation

    key = ":".join(
        str(part)
        for part in (
            "process:timeline",
            consultation.pk,
            consultation.latest_revision_id,
            translation.get_language(),
            int(consultation.closes_at <= timezone.now()),
            process_generation(consultation.pk),
        )
    )
    events = cache.get(key)
    if events is None:
        events = process_timeline(consultation)
        cache.set(key, events, PROCESS_RECORD_TTL)
    return events


def process_timeline(consultation) -> list[dict]:
    """Every event of the consultation's process, oldest first, as JSON-ready rows:
    ``at`` (ISO), ``kind``, ``text`` (in the reader's language) and ``url`` (or "")."""
    from wagtail.models import PageLogEntry

    from cms.report_pages import ReportPage
    from cms.town_hall_pages import TownHallPage
    from cms.wayfinding import localised

    now = timezone.now()
    events = [_event(consultation.opens_at, "opened", _("The consultation opened."))]
    urdu = translation.get_language() == "ur"
    for old, new, at, reason, reason_ur in _closing_dates(consultation):
        dates = {"old": f"{old:%Y-%m-%d}", "new": f"{new:%Y-%m-%d}"}
        reason = (reason_ur if urdu and reason_ur else reason).strip()
        if not reason:
            text = _("The closing date moved from %(old)s to %(new)s.") % dates
        elif new > old:
            text = _("The closing date was extended from %(old)s to %(new)s: %(reason)s") % (
                dates | {"reason": reason}
            )
        else:
            text = _("The closing date was brought forward from %(old)s to %(new)s: %(reason)s") % (
                dates | {"reason": reason}
            )
        events.append(_event(at, "extended" if new > old else "shortened", text))
    if consultation.closes_at <= now:
        events.append(_event(consultation.closes_at, "closed", _("The consultation closed.")))
    for version in consultation.versions.live().order_by("number"):
        text = _("Draft version %(number)s was published.") % {"number": version.number}
        if version.note:
            text += f" {version.note}"
        url = f"{consultation.url}?version={version.number}" if consultation.url else ""
        events.append(_event(version.created_at, "version", text, url))
    for hall in TownHallPage.objects.live().child_of(consultation).order_by("starts_at"):
        events.append(
            _event(
                hall.starts_at,
                "town_hall",
                _("Town hall: %(title)s.") % {"title": localised(hall, "title")},
                hall.url or "",
            )
        )
    reports = ReportPage.objects.child_of(consultation).live()
    for report in reports:
        for entry in PageLogEntry.objects.filter(page=report, action="wagtail.publish").exclude(
            revision=None
        ):
            events.append(
                _event(
                    entry.timestamp,
                    "report",
                    _("The analysis report was published."),
                    report.url + report.reverse_subpage("version", args=[entry.revision_id]),
                )
            )
    for meeting in consultation.stakeholder_meetings.select_related("minutes"):
        events.append(
            _event(
                meeting.held_at,
                "meeting",
                _("The ministry met %(who)s about %(topic)s.")
                % {"who": meeting.who, "topic": meeting.topic},
                meeting.minutes.url if meeting.minutes else "",
            )
        )
    events.sort(key=lambda e: e["at"])
    return events


def _event(at, kind: str, text: str, url: str = "") -> dict:
    return {"at": at.isoformat(), "date": at, "kind": kind, "text": text, "url": url}


def _closing_dates(consultation) -> list[tuple]:
    """(old, new, when, reason, Urdu reason) each time a published revision moved the
    closing date."""
    from wagtail.models import PageLogEntry

    changes, previous = [], None
    entries = (
        PageLogEntry.objects.filter(page=consultation, action="wagtail.publish")
        .exclude(revision=None)
        .select_related("revision")
        .order_by("timestamp", "pk")
    )
    for entry in entries:
        value = entry.revision.content.get("closes_at")
        if value is None:
            continue
        closes = models.DateTimeField().to_python(value)
        if previous is not None and not same_moment(closes, previous):
            content = entry.revision.content
            changes.append(
                (
                    previous,
                    closes,
                    entry.timestamp,
                    content.get("closes_at_reason") or "",
                    content.get("closes_at_reason_ur") or "",
                )
            )
        previous = closes
    return changes


def same_moment(a, b) -> bool:
    """Equal to the minute: the admin's date widget keeps minutes only (a closing time with
    seconds came back "moved" on every save), and a revision's JSON keeps milliseconds."""
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def check_closing_date_reason(page) -> None:
    """Validation for the page form (Wagtail runs the model's ``clean``): moving the closing
    date of a published consultation needs a reason, and a new one each time."""
    if not page.pk or not page.live:
        return
    live = type(page).objects.filter(pk=page.pk).values("closes_at", "closes_at_reason").first()
    if live is None or page.closes_at is None:
        return
    if same_moment(page.closes_at, live["closes_at"]):
        page.closes_at_reason = page.closes_at_reason_ur = ""
        return
    reason = (page.closes_at_reason or "").strip()
    if not reason or reason == (live["closes_at_reason"] or "").strip():
        raise ValidationError(
            {
                "closes_at_reason": gettext_lazy(
                    "Say why the closing date moved: the public process record shows it."
                )
            }
        )


def audit_closing_date_change(page, revision) -> None:
    """When a publish moves the closing date: one audit entry with who, the old and new
    dates and the reason (``consult.audit.record``). Runs from ``page_published``, which
    Wagtail sends before it logs this publish, so the newest logged one is the previous."""
    from wagtail.models import PageLogEntry

    from consult.audit import record

    if revision is None or revision.content.get("closes_at") is None:
        return
    previous = (
        PageLogEntry.objects.filter(page=page, action="wagtail.publish")
        .exclude(revision=None)
        .exclude(revision=revision)
        .select_related("revision")
        .order_by("-timestamp", "-pk")
        .first()
    )
    if previous is None or previous.revision.content.get("closes_at") is None:
        return
    field = models.DateTimeField()
    old = field.to_python(previous.revision.content["closes_at"])
    new = field.to_python(revision.content["closes_at"])
    if same_moment(old, new):
        return
    record(
        "consultation.closing_date",
        actor=getattr(revision, "user", None),
        target=page,
        reason="extended" if new > old else "brought_forward",
        explanation="\n".join(
            r
            for key in ("closes_at_reason", "closes_at_reason_ur")
            if (r := revision.content.get(key))
        ),
        before_text=old.isoformat(),
        after_text=new.isoformat(),
    )
