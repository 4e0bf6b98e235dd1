"""What a process that does not analyse loads when it starts.

Every manage.py command, task worker and test subprocess runs ``django.setup()``, which
imports the apps' models, tasks, signals and admin hooks, and through them
``analysis.services``. scikit-learn (with SciPy's statistics) cost each of them about a
second and a half of CPU and 70 MB before it did anything; it is now imported where the
clustering runs. Server processes still load it on purpose, for the spam classifier
(config/startup.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.servers import ROOT

HEAVY = ("sklearn", "scipy.stats", "torch", "faster_whisper", "whisper", "dask", "weasyprint")

PROBE = f"""
import json, sys
import django
django.setup()
print(json.dumps([name for name in {HEAVY!r} if name in sys.modules]))
"""


def test_django_setup_loads_no_machine_learning_or_pdf_library():
    env = dict(os.environ, CONSULT_INSECURE_DEFAULTS="1", DJANGO_SETTINGS_MODULE="config.settings")
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert loaded == [], f"django.setup() imported {loaded}: import them where they are used"
