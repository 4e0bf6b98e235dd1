"""Stored town-hall data written before live payloads named people by handle: the event log
loses its participant ids ("u:<pk>", "a:..."), and every line others see is redacted as new
ones are (questions, answers, raised-hand names, announcements, captions, polls)."""

from django.db import migrations

from consult.live.identity import public_handle
from text.checks import redact_personal_data


def _speaker(entry, townhall_id):
    if not entry:
        return entry
    entry = dict(entry)
    entry["handle"] = public_handle(townhall_id, entry.pop("participant", None))
    entry["name"] = redact_personal_data(entry.get("name") or "")
    return entry


def _payload(event):
    payload = dict(event.payload or {})
    if event.type == "question" and "question" in payload:
        question = dict(payload["question"])
        if "author" in question:
            question["handle"] = public_handle(event.townhall_id, question.pop("author"))
        for key in ("text", "answer"):
            question[key] = redact_personal_data(question.get(key) or "")
        payload["question"] = question
    elif event.type == "speakers":
        payload["queue"] = [_speaker(s, event.townhall_id) for s in payload.get("queue", [])]
        payload["current"] = _speaker(payload.get("current"), event.townhall_id)
    elif event.type in ("announcement", "caption"):
        payload["text"] = redact_personal_data(payload.get("text") or "")
    elif event.type in ("poll", "tally"):
        polls = [payload["poll"]] if "poll" in payload else payload.get("polls", [])
        for poll in polls:
            poll["question"] = redact_personal_data(poll.get("question") or "")
            for option in poll.get("options", []):
                option["label"] = redact_personal_data(option.get("label") or "")
    return payload


def forwards(apps, schema_editor):
    LiveEvent = apps.get_model("live", "LiveEvent")
    changed = []
    for event in LiveEvent.objects.iterator(chunk_size=2000):
        payload = _payload(event)
        if payload != event.payload:
            event.payload = payload
            changed.append(event)
    LiveEvent.objects.bulk_update(changed, ["payload"], batch_size=500)
    for model, fields in (
        ("Question", ("text", "answer")),
        ("SpeakerRequest", ("display_name",)),
        ("TownHall", ("announcement", "caption")),
        ("Poll", ("question",)),
        ("PollOption", ("label",)),
    ):
        Model = apps.get_model("live", model)
        rows = []
        for row in Model.objects.iterator(chunk_size=2000):
            before = [getattr(row, f) for f in fields]
            for field in fields:
                limit = Model._meta.get_field(field).max_length
                redacted = redact_personal_data(getattr(row, field) or "")
                setattr(row, field, redacted[:limit] if limit else redacted)
            if [getattr(row, f) for f in fields] != before:
                rows.append(row)
        Model.objects.bulk_update(rows, list(fields), batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("live", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
