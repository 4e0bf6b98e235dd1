"""Starting an analysis run: the service checks the analyst's permission and runs one at a
time per consultation (analysis/services.py). The admin views and the report drafted from a
run are cms's: tests/cms/test_analysis_admin.py."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError

from analysis.models import AnalysisRun
from analysis.services import start_analysis
from consult.models import AuditLog
from consult.roles import ANALYST, MINISTRY_EDITOR, MODERATOR
from tests.analysis.test_analysis_db import SMALL


def _user(django_user_model, name, *roles):
    user = django_user_model.objects.create_user(name, f"{name}@example.org", "pw")
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    return django_user_model.objects.get(pk=user.pk)


@pytest.fixture
def analyst(django_user_model):
    return _user(django_user_model, "ana", ANALYST)


@pytest.mark.django_db
def test_running_an_analysis_is_a_permission_the_analyst_group_holds(demo, django_user_model):
    assert Permission.objects.filter(
        content_type__app_label="analysis", codename="run_analysis"
    ).exists()
    assert Group.objects.get(name=ANALYST).permissions.filter(codename="run_analysis").exists()
    for number, roles in enumerate(((), (MODERATOR,), (MINISTRY_EDITOR,))):
        user = _user(django_user_model, f"user{number}", *roles)
        with pytest.raises(PermissionDenied):
            start_analysis(demo, user=user, parameters=SMALL)
    assert not AnalysisRun.objects.exists()
    analyst = _user(django_user_model, "ana", ANALYST)
    run = start_analysis(demo, user=analyst, parameters=SMALL)
    assert run.created_by == analyst and run.status == AnalysisRun.Status.QUEUED
    assert AuditLog.objects.filter(actor=analyst, action="analysis_started").exists()


@pytest.mark.django_db
def test_a_second_run_waits_for_the_first(demo, analyst):
    start_analysis(demo, user=analyst, parameters=SMALL)
    with pytest.raises(ValidationError):
        start_analysis(demo, user=analyst, parameters=SMALL)
    assert AnalysisRun.objects.count() == 1
