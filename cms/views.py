"""Admin views (thin adapters): import a draft into clauses, review orphaned comments."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.importer import DraftImportError, split_bilingual, text_from_upload
from cms.models import ConsultationPage
from cms.services import check_can_edit_draft, plan_import, replace_working_draft
from consult.models import Submission
from consult.pagination import page_of
from consult.roles import is_moderator
from consult.selectors import orphaned_submissions
from consult.services import keep_on_old_version, reattach_submission

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class ImportForm(forms.Form):
    pasted = forms.CharField(
        label=gettext_lazy("Paste the draft"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=gettext_lazy(
            'Clauses start at numbered headings: "1.", "7(2)", "Section 3", "Rule 4", "۱۔".'
        ),
    )
    upload = forms.FileField(
        label=gettext_lazy("…or upload a .docx, .md or .txt file"), required=False
    )

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        if upload:
            if upload.size > MAX_UPLOAD_BYTES:
                raise ValidationError(
                    _("The file is %(size)d bytes; the limit is %(limit)d.")
                    % {"size": upload.size, "limit": MAX_UPLOAD_BYTES}
                )
            try:
                data["text"] = text_from_upload(upload.name, upload.read())
            except DraftImportError as error:
                raise ValidationError(str(error)) from error
        else:
            data["text"] = data.get("pasted") or ""
        if not data["text"].strip():
            raise ValidationError(_("Paste the draft's text or upload a file."))
        return data


def _posted_clauses(request) -> list[dict]:
    clauses = json.loads(request.POST.get("clauses", "[]"))
    if not isinstance(clauses, list) or not all(
        isinstance(c, dict)
        and isinstance(c.get("identifier"), str)
        and isinstance(c.get("text"), str)
        for c in clauses
    ):
        raise ValueError(_("The imported clauses were not understood: start again."))
    return clauses


def import_clauses(request, page_id: int):
    """Step 1: paste/upload a draft (English, or English and Urdu) and see what would change.
    Step 2: confirm, choosing what happens to headings and Urdu the import lacks, to replace
    the working draft. Nothing is dropped unless the editor ticks that it may be."""
    page = get_object_or_404(ConsultationPage, pk=page_id)
    check_can_edit_draft(page, request.user)
    clauses, form, plan = None, ImportForm(), None
    keep_missing = request.POST.get("missing", "keep") != "drop"
    if request.method == "POST" and request.POST.get("confirm"):
        try:
            clauses = _posted_clauses(request)
            replace_working_draft(
                page,
                clauses,
                request.user,
                keep_missing=keep_missing,
                accept_losses=bool(request.POST.get("accept_losses")),
            )
        except (ValueError, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            if clauses:
                plan = plan_import(page, clauses, keep_missing)
        else:
            messages.success(
                request,
                _("Imported %(n)d clauses as a draft revision. Review and publish the page.")
                % {"n": len(clauses)},
            )
            return redirect("wagtailadmin_pages:edit", page.pk)
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                clauses = [c.as_dict() for c in split_bilingual(form.cleaned_data["text"])]
            except DraftImportError as error:
                form.add_error(None, str(error))
                clauses = []
            if not clauses:
                if not form.errors:
                    form.add_error(None, _("No numbered clauses were found in this text."))
                clauses = None
            else:
                plan = plan_import(page, clauses)
    return render(
        request,
        "cms/admin/import_clauses.html",
        {
            "page": page,
            "form": form,
            "clauses": clauses if plan is not None else None,
            "plan": plan,
            "keep_missing": keep_missing,
            "clauses_json": json.dumps(clauses or [], ensure_ascii=False),
        },
    )


def orphan_review(request):
    """Comments a revised draft left behind: re-attach them to new words, or keep them."""
    if not is_moderator(request.user):
        raise PermissionDenied
    if request.method == "POST":
        submission_id = _row_id(request.POST.get("submission"))
        if submission_id is None:
            messages.error(request, _("Choose a comment from the list."))
            return redirect(reverse("cms_orphans"))
        submission = get_object_or_404(Submission, pk=submission_id)
        try:
            if request.POST.get("action") == "keep":
                keep_on_old_version(submission, request.user)
                messages.success(request, _("Kept on its original version."))
            else:
                clause_id = _row_id(request.POST.get("clause"))
                words = request.POST.get("words", "").strip()
                from drafts.models import ClauseVersion

                clause = ClauseVersion.objects.filter(pk=clause_id).first() if clause_id else None
                if clause is None:
                    raise ValidationError(_("Choose a clause of the current version."))
                language, start = _where(clause, words, request.POST, submission)
                reattach_submission(
                    submission, clause.pk, start, start + len(words), request.user, language
                )
                messages.success(request, _("Re-attached to the new words."))
        except (ValueError, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect(reverse("cms_orphans"))
    page = page_of(request, orphaned_submissions(), ORPHANS_PER_PAGE)
    items, clause_texts = [], {}
    for submission in page:
        latest = submission.consultation.current_version()
        choices = list(latest.clauses.order_by("position")) if latest else []
        script_id = f"clause-texts-{submission.consultation_id}"
        if script_id not in clause_texts:
            clause_texts[script_id] = {
                c.pk: {code: c.text_in(code) for code in c.languages()} for c in choices
            }
        same_key = submission.clause.key if submission.clause else ""
        chosen = next((c for c in choices if c.key == same_key), choices[0] if choices else None)
        items.append(
            {
                "submission": submission,
                "choices": choices,
                "chosen": chosen,
                "current_texts": [(code, chosen.text_in(code)) for code in chosen.languages()]
                if chosen
                else [],
                "old": _marked_quote(submission),
            }
        )
    return render(
        request,
        "cms/admin/orphans.html",
        {"items": items, "page": page, "clause_texts": clause_texts},
    )


def _marked_quote(submission) -> dict:
    """The clause the comment was written on, split around the words it quoted."""
    text = submission.clause.text_in(submission.anchor_language) if submission.clause else ""
    start, end = submission.anchor_start, submission.anchor_end
    if start is None or end is None or text[start:end] != submission.anchor_exact:
        return {"before": "", "quote": submission.anchor_exact, "after": ""}
    return {"before": text[:start], "quote": text[start:end], "after": text[end:]}


def _where(clause, words: str, post, submission) -> tuple[str, int]:
    """The language and offset of ``words`` in ``clause``: where the moderator selected
    them (``start`` and ``language`` from the page's selection), else their first place,
    in the language of the comment's old words first."""
    if not words:
        raise ValidationError(_("Select the words in the clause, or type them."))
    start, language = post.get("start", ""), post.get("language", "")
    if start:
        understood = start.isascii() and start.isdigit() and len(start) < 10
        if not understood or language not in clause.languages():
            raise ValidationError(_("Select the words again: the selection was not understood."))
        offset = int(start)
        if clause.text_in(language)[offset : offset + len(words)] != words:
            raise ValidationError(
                _("Select the words again: the selection does not match the clause's text.")
            )
        return language, offset
    languages = [submission.anchor_language]
    languages += [code for code in clause.languages() if code not in languages]
    for code in languages:
        found = clause.text_in(code).find(words)
        if found >= 0:
            return code, found
    raise ValidationError(_("Those words are not in the chosen clause's text."))


ORPHANS_PER_PAGE = 50
BIGINT_MAX = 2**63 - 1


def _row_id(value) -> int | None:
    """A row id from a form field, or None for anything that cannot be one (text, huge)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= BIGINT_MAX else None
