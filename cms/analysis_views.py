"""The analysts' admin views (thin adapters): run an analysis of a consultation, watch its
progress, read the history of runs, reach the draft report it wrote. Here in cms, which owns
the admin and the pages; the runs themselves are analysis's (analysis.services)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from analysis import workspace
from analysis.models import AnalysisRun
from analysis.services import active_run, check_can_run_analysis, start_analysis
from cms.models import ConsultationPage
from cms.report_pages import ReportPage

MAX_HISTORY = 50

# What the progress bar says while a run is at each stage of the pipeline.
STAGE_LABELS = {
    "": gettext_lazy("Waiting for a worker"),
    "load": gettext_lazy("Reading the published submissions"),
    "normalise": gettext_lazy("Normalising the text"),
    "campaigns": gettext_lazy("Finding campaigns and duplicates"),
    "themes": gettext_lazy("Finding themes"),
    "clauses": gettext_lazy("Counting positions by clause"),
    "report": gettext_lazy("Drafting the report"),
    "done": gettext_lazy("Done"),
}


def _require_analyst(user) -> None:
    if not user.is_authenticated:
        raise PermissionDenied
    check_can_run_analysis(user)


def _report_edit_url(run: AnalysisRun, user) -> str | None:
    """The draft report's edit page, for those who may edit it (ministry editors)."""
    if run.status != AnalysisRun.Status.DONE:
        return None
    report = ReportPage.objects.child_of(run.consultation).order_by("path").first()
    if report is None or not report.permissions_for_user(user).can_edit():
        return None
    return reverse("wagtailadmin_pages:edit", args=[report.pk])


def progress_data(run: AnalysisRun, user) -> dict:
    done = run.status in (AnalysisRun.Status.DONE, AnalysisRun.Status.FAILED)
    stage = run.stage if run.stage in STAGE_LABELS else ""
    return {
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "stage": run.stage,
        "stage_label": str(STAGE_LABELS[stage]),
        "percent": run.progress,
        "done": done,
        "report_url": _report_edit_url(run, user),
    }


def consultations(request):
    """Every consultation with its latest run: where an analyst starts."""
    _require_analyst(request.user)
    pages = ConsultationPage.objects.order_by("-latest_revision_created_at")
    latest = {}
    for run in AnalysisRun.objects.filter(consultation__in=pages).order_by("created_at"):
        latest[run.consultation_id] = run
    rows = [(page, latest.get(page.pk)) for page in pages]
    return render(request, "analysis/admin/consultations.html", {"rows": rows})


def runs(request, page_id: int):
    """The "Run analysis" button, the progress of the current run, and every run so far."""
    _require_analyst(request.user)
    consultation = get_object_or_404(ConsultationPage, pk=page_id)
    history = list(
        AnalysisRun.objects.filter(consultation=consultation)
        .select_related("created_by")
        .order_by("-created_at")[:MAX_HISTORY]
    )
    current = active_run(consultation) or (history[0] if history else None)
    return render(
        request,
        "analysis/admin/runs.html",
        {
            "consultation": consultation,
            "history": history,
            "current": current,
            "current_progress": progress_data(current, request.user) if current else None,
            "busy": active_run(consultation) is not None,
        },
    )


@require_POST
def start(request, page_id: int):
    consultation = get_object_or_404(ConsultationPage, pk=page_id)
    _require_analyst(request.user)
    try:
        start_analysis(consultation, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The analysis has started. This page shows its progress."))
    return redirect("analysis_runs", consultation.pk)


def progress(request, run_id: int):
    """JSON for the progress bar (polled by js/analysis-progress.js)."""
    _require_analyst(request.user)
    run = get_object_or_404(AnalysisRun, pk=run_id)
    response = JsonResponse(progress_data(run, request.user))
    response["Cache-Control"] = "no-store"
    return response


WORKSPACE_ACTIONS = {
    "rename": lambda post, user: workspace.rename_theme(
        _id(post, "theme"), post.get("label", ""), user
    ),
    "merge": lambda post, user: workspace.merge_themes(
        _id(post, "theme"), into=_id(post, "into"), user=user
    ),
    "move": lambda post, user: workspace.move_submission(
        _id(post, "submission"), source=_id(post, "theme"), target=_id(post, "into"), user=user
    ),
    "pin": lambda post, user: workspace.pin_quote(
        _id(post, "theme"), _id(post, "submission"), user=user
    ),
    "scope": lambda post, user: workspace.set_out_of_scope(
        _id(post, "theme"), post.get("out_of_scope") == "1", user=user
    ),
    "split": lambda post, user: workspace.split_theme(
        _id(post, "theme"), user, parts=_id(post, "parts")
    ),
}

# What the workspace says about each change a re-run carried over (or could not).
CARRIED_LINES = {
    "merged": gettext_lazy("The merge that made %(label)s"),
    "split": gettext_lazy("The split into %(label)s"),
    "renamed": gettext_lazy("The name %(label)s"),
    "moved": gettext_lazy("Submission #%(id)s moved to %(label)s"),
    "pinned": gettext_lazy("Quote #%(id)s pinned first in %(label)s"),
    "out_of_scope": gettext_lazy("%(label)s set aside as out of scope"),
}


def carried_lines(items: list[dict]) -> list[str]:
    """One escaped line per carried change; the analyst's label isolated in <bdi>."""
    lines = []
    for item in items:
        message = CARRIED_LINES.get(item.get("change"))
        if message is not None:
            lines.append(
                mark_safe(  # noqa: S308 - the message and each value are escaped here
                    conditional_escape(str(message))
                    % {
                        "label": format_html("<bdi>{}</bdi>", item.get("label", "")),
                        "id": conditional_escape(str(item.get("submission", ""))),
                    }
                )
            )
    return lines


def _id(post, name: str) -> int:
    value = post.get(name, "")
    if not value.isascii() or not value.isdigit() or not 0 < int(value) < 2**63:
        raise ValidationError(_("Choose from the list."))
    return int(value)


def themes(request, run_id: int):
    """The analyst's workspace for one finished run: rename, merge, split, move, pin, set
    aside, and what a re-run carried over from the previous run's changes
    (analysis.workspace does each change; this view only reads the form)."""
    _require_analyst(request.user)
    run = get_object_or_404(AnalysisRun, pk=run_id, status=AnalysisRun.Status.DONE)
    if request.method == "POST":
        action = WORKSPACE_ACTIONS.get(request.POST.get("action", ""))
        try:
            if action is None:
                raise ValidationError(_("Choose an action."))
            action(request.POST, request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Saved. The report shows it once the ministry publishes it.")
            )
        return redirect("analysis_themes", run.pk)
    theme_list = list(run.themes.order_by("number"))
    summary = (run.results or {}).get("workspace")
    carried = summary and {
        "from_run": summary["from_run"],
        "kept": carried_lines(summary["carried"]),
        "lost": carried_lines(summary["not_carried"]),
    }
    return render(
        request,
        "analysis/admin/themes.html",
        {
            "run": run,
            "consultation": run.consultation,
            "themes": theme_list,
            "carried": carried,
            "split_choices": range(2, workspace.MAX_PARTS + 1),
        },
    )
