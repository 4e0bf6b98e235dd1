"""Bytes and load time of the demo consultation page in real Chromium on an emulated slow
3G phone, plus the axe-core violation count.

A production-like server: DEBUG off, collected + compressed static files served by
WhiteNoise, daphne, SQLite in a temporary folder with the demo loaded.
Profile "slow-3g": 400 kbit/s down, 400 kbit/s up, 400 ms round trip (Chromium's
Network.emulateNetworkConditions), CPU slowed 4x (Emulation.setCPUThrottlingRate), empty cache.

Last line: ``frontend bytes=<n> slow3g_ms=<n> axe_violations=<n>``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SLOW_3G = {
    "offline": False,
    "latency": 400,  # ms round trip
    "downloadThroughput": 400 * 1000 / 8,  # bytes per second
    "uploadThroughput": 400 * 1000 / 8,
}
CPU_SLOWDOWN = 4
DEMO_PATH = "/ai-rules-2026/"


def measure(browser, url: str, throttle: bool = True) -> dict:
    """Load ``url`` once in a fresh context; sum the bytes on the wire (headers + bodies as
    transferred, i.e. compressed) of every request up to the load event."""
    context = browser.new_context(viewport={"width": 412, "height": 915})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    transferred: dict[str, float] = {}
    cdp.on(
        "Network.loadingFinished",
        lambda event: transferred.__setitem__(event["requestId"], event["encodedDataLength"]),
    )
    if throttle:
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    try:
        page.goto(url, wait_until="load", timeout=60_000)
        load_ms = page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0];"
            " return n.loadEventEnd - n.startTime; }"
        )
        page.wait_for_timeout(300)  # let the last loadingFinished events arrive
        return {
            "bytes": int(sum(transferred.values())),
            "requests": len(transferred),
            "load_ms": int(load_ms),
        }
    finally:
        context.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server did not answer at {url}")


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from tests.a11y import run_axe
    from tests.i18n_tools import compile_messages

    compile_messages()
    tmp = Path(tempfile.mkdtemp(prefix="bench-frontend-"))
    env = {
        **os.environ,
        "SECRET_KEY": "bench-frontend-not-secret",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "CONSULT_VAR_DIR": str(tmp),
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    python = sys.executable
    for args in (["migrate", "--noinput"], ["load_demo"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [python, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
        )
    port = _free_port()
    daphne = Path(python).with_name("daphne")
    server = subprocess.Popen(
        [str(daphne), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base + "/healthz")
        from playwright.sync_api import sync_playwright

        from tests.conftest import CHROMIUM, CHROMIUM_ARGS

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            results = {}
            for lang, prefix in (("en", ""), ("ur", "/ur")):
                url = base + prefix + DEMO_PATH
                measure(browser, url, throttle=False)  # warm the server, not the browser
                results[lang] = measure(browser, url, throttle=True)
                page = browser.new_page()
                page.goto(url)
                results[lang]["axe"] = len(run_axe(page))
                page.close()
                print(f"{lang}: {results[lang]}")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    worst_bytes = max(r["bytes"] for r in results.values())
    worst_ms = max(r["load_ms"] for r in results.values())
    violations = sum(r["axe"] for r in results.values())
    print(
        "profile slow-3g: 400 kbit/s down/up, 400 ms RTT, CPU x4; "
        "figures are the worse of English and Urdu"
    )
    print(f"frontend bytes={worst_bytes} slow3g_ms={worst_ms} axe_violations={violations}")


if __name__ == "__main__":
    main()
