"""The web UI's budgets (issue 10): initial JavaScript, the calendar month with 1,000 posts, the composer's counters.

    .venv/bin/python benchmarks/ui_budget.py [--runs 7] [--keystrokes 50] [--posts 1000]

Needs the built UI (`cd frontend && npm run build`) and Debian's Chromium (/usr/bin/chromium, driven
through Playwright with the browser tests' flags). Prints one JSON document: each value, its budget
and whether it passed.

(a) initial JavaScript, gzipped: read from frontend/build without a browser. Counted: every script
    index.html names (its `modulepreload` links and the modules its inline script imports: SvelteKit's
    start and app entries and the root layout), and every module those import statically, transitively
    (`import … from "./x.js"` / `import "./x.js"`, never `import()`); each file once, gzipped alone at
    level 6 (what GZipMiddleware sends). The route a first visit lands on is loaded by the app entry with `import()`: the
    heaviest route (its node and the static imports it adds) is counted on top, so the budgeted figure
    is the worst first screen a link can open. Each route's figure is listed too.
(b) calendar month with 1,000 posts: `postwizard serve --demo` from this tree (a fresh database on
    POSTWIZARD_BENCH_DATABASE_URL's or POSTWIZARD_TEST_DATABASE_URL's server, else an embedded
    PostgreSQL); a user with a Bluesky sandbox channel schedules --posts posts through the API over
    next month (Europe/Berlin), and the benchmark waits until the calendar read model has them all.
    Then Chromium (Europe/Berlin, 1280x900), signed in, opens /calendar?view=month on that month in a
    tab: once with a cold cache (reported apart), then --runs times in the same tab (the budgeted
    figure), then --runs times each in a new tab (reported too: a new renderer process each time).
    Measured from navigation start (performance.timeOrigin) to the moment the grid holds every chip
    it shows (three a day and one "+N more" per busier day) and the last chip takes keyboard focus
    (checked once per animation frame: ready), then to the next frame (requestAnimationFrame + a
    task: painted). The API requests' timings are listed for the median run. Budget: median painted
    < 500 ms.
(c) composer counter per keystroke: /compose with three channels selected (Bluesky, and X and
    Mastodon sandbox accounts connected on Channels through the simulator's consent pages), the base
    text filled with 3,000 - --keystrokes characters, then --keystrokes key presses at its end. Per
    key: from the keydown event's timeStamp to the end of the work it causes (a task after the input
    handler and Svelte's update, after a forced layout), each counter checked to show the new length;
    and, for information, to the next animation frame.
    Budget: p95 of the work < 16 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ENV_URL, ROOT, free_port, log, machine, percentile, rerun  # noqa: E402

from adapters.shared.database_url import DatabaseLocation  # noqa: E402
from adapters.shared.embedded_postgres import start_embedded_postgres  # noqa: E402

BUILD = ROOT / "frontend" / "build"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # as tests/integration/browser.py
ZONE = "Europe/Berlin"
USER = {"email": "budget@example.com", "password": "correct horse battery"}
BUDGETS = {"initial_js_gzip_kb": 150, "calendar_month_ms": 500, "counter_keystroke_ms": 16}


# ----- (a) initial JavaScript -----------------------------------------------------------------

STATIC_IMPORT = re.compile(r"""(?:\bimport|\bexport)\s*(?:[\w$*{}\s,]*?\bfrom\s*)?["'](\.{1,2}/[^"']+?\.js)["']""")
ROUTE_LEAF = re.compile(r'"(/[^"]*)":\[(?:[^\]]*?[,\[])?~?(\d+)\]')


def _closure(files: list[Path]) -> set[Path]:
    """`files` and every module they import statically, transitively."""
    seen: set[Path] = set()
    todo = list(files)
    while todo:
        path = todo.pop().resolve()
        if path in seen or not path.exists():
            continue
        seen.add(path)
        todo.extend(path.parent / m for m in STATIC_IMPORT.findall(path.read_text(encoding="utf-8")))
    return seen


def _gzip_kb(files: set[Path]) -> float:
    return round(sum(len(gzip.compress(f.read_bytes(), 6)) for f in files) / 1024, 1)


def initial_javascript() -> dict:
    html = (BUILD / "index.html").read_text(encoding="utf-8")
    named = re.findall(r'<link href="(/_app/[^"]+\.js)" rel="modulepreload"', html)
    named += re.findall(r'import\("(/_app/[^"]+\.js)"\)', html)
    entry = _closure([BUILD / n.lstrip("/") for n in dict.fromkeys(named)])
    app = next(f for f in entry if f.name.startswith("app.") and f.parent.name == "entry")
    nodes = {int(p.name.split(".")[0]): p for p in (BUILD / "_app" / "immutable" / "nodes").glob("*.js")}
    routes = {}
    for route, leaf in ROUTE_LEAF.findall(app.read_text(encoding="utf-8")):
        if int(leaf) in nodes:
            added = _closure([nodes[int(leaf)]]) - entry
            routes[route] = {"added_files": len(added), "total_gzip_kb": _gzip_kb(entry | added)}
    worst = max(routes.items(), key=lambda kv: kv[1]["total_gzip_kb"]) if routes else ("(none found)", {"total_gzip_kb": _gzip_kb(entry)})
    value = worst[1]["total_gzip_kb"]
    return {"value_kb": value, "budget_kb": BUDGETS["initial_js_gzip_kb"], "pass": value < BUDGETS["initial_js_gzip_kb"],
            "index_html_gzip_kb": _gzip_kb(entry), "index_html_files": sorted(str(f.relative_to(BUILD)) for f in entry),
            "heaviest_route": worst[0], "routes": routes,
            "counted": "index.html's modulepreload links and inline import()s, their static imports (transitively), "
                       "plus the heaviest route's node and the static imports it adds; gzip level 6 per file, as the server sends them"}


# ----- the app --------------------------------------------------------------------------------

def database_server(tmp: Path) -> tuple[DatabaseLocation, object | None, str]:
    url = os.environ.get(ENV_URL) or os.environ.get("POSTWIZARD_TEST_DATABASE_URL")
    if url:
        return DatabaseLocation.parse(url), None, "server"
    location, handle = start_embedded_postgres(tmp)
    return location, handle, "embedded"


def start_app(database_url: str, tmp: Path, port: int) -> subprocess.Popen:
    """`postwizard serve --demo` of this tree (its src/ and frontend/build), migrations run at start."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTWIZARD_")}
    env.update(PYTHONPATH=str(ROOT / "src"), POSTWIZARD_DATABASE_URL=database_url, POSTWIZARD_DATA_DIR=str(tmp / "data"),
               POSTWIZARD_FRONTEND_DIR=str(BUILD), POSTWIZARD_LOG_LEVEL="WARNING")
    return subprocess.Popen([sys.executable, "-c", "from entrypoints.cli.main import app; app()", "serve", "--demo",
                             "--port", str(port)], env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def wait_until_up(base: str, app: subprocess.Popen) -> None:
    deadline = time.monotonic() + 180
    while True:
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or app.poll() is not None:
            raise RuntimeError("postwizard serve --demo did not start")
        time.sleep(0.3)


async def seed(base: str, posts: int, month: datetime) -> dict:
    """Sign up, connect the Bluesky sandbox, schedule `posts` posts over `month`."""
    async with httpx.AsyncClient(base_url=base, timeout=120) as api:
        (await api.post("/api/auth/signup", json={**USER, "name": "Budget", "workspace_name": "Budget bakery"})).raise_for_status()
        login = await api.post("/api/auth/login", json=USER)
        login.raise_for_status()
        workspace = login.json()["workspaces"][0]["id"]
        api.headers["X-CSRF-Token"] = login.json()["csrf_token"]
        channels = f"/api/workspaces/{workspace}/channels"
        bluesky = await api.post(f"{channels}/app-password", json={"identifier": "sandbox.bsky.social",
                                                                     "app_password": "sandbox-app-password"})
        bluesky.raise_for_status()
        days = (month.replace(month=month.month % 12 + 1, year=month.year + month.month // 12) - month).days
        queue: asyncio.Queue[int] = asyncio.Queue()
        for k in range(posts):
            queue.put_nowait(k)

        async def create() -> None:
            while not queue.empty():
                k = queue.get_nowait()
                at = month + timedelta(days=k % days, hours=8 + (k // days) % 12, minutes=(k * 7) % 60)
                r = await api.post(f"/api/workspaces/{workspace}/posts", json={
                    "text": f"Post {k}: fresh bread and pastries at the bakery today", "channel_ids": [bluesky.json()["id"]],
                    "schedule_at": at.strftime("%Y-%m-%dT%H:%M"), "timezone": ZONE})
                r.raise_for_status()

        started = time.monotonic()
        await asyncio.gather(*(create() for _ in range(8)))
        log(f"  {posts} posts scheduled in {time.monotonic() - started:.1f} s")
        end = month + timedelta(days=days)
        query = {"start": month.astimezone(ZoneInfo("UTC")).isoformat(), "end": end.astimezone(ZoneInfo("UTC")).isoformat()}
        deadline = time.monotonic() + 120
        while len((await api.get(f"/api/workspaces/{workspace}/calendar", params=query)).json()) < posts:
            if time.monotonic() > deadline:
                raise RuntimeError("the calendar read model did not catch up in 120 s")
            await asyncio.sleep(0.5)
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            (await api.get(f"/api/workspaces/{workspace}/calendar", params=query)).raise_for_status()
            timings.append((time.perf_counter() - started) * 1000)
        return {"days": days, "calendar_api_ms": round(statistics.median(timings), 1)}


# ----- (b) and (c) in Chromium ------------------------------------------------------------------

def cpu_ms_of_descendants() -> dict[str, float]:
    """CPU time (user + system) of every live process started from this one, by program: the app
    (python), Playwright's driver (node) and Chromium's processes. On a shared machine wall time
    grows with other people's load; this does not, so it says how much work a run is."""
    parents: dict[int, int] = {}
    cpu: dict[int, tuple[str, int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, tail = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        fields, pid = tail.split(), int(stat.parent.name)
        parents[pid], cpu[pid] = int(fields[1]), (head.split("(", 1)[1], int(fields[11]) + int(fields[12]))
    mine, grew = {os.getpid()}, True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in mine} - mine
        grew, mine = bool(found), mine | found
    by_program: dict[str, float] = {}
    for pid in mine - {os.getpid()}:
        name, ticks = cpu[pid]
        program = "chromium" if "chrom" in name.lower() else "app" if "python" in name.lower() else name
        by_program[program] = by_program.get(program, 0) + ticks * 1000 / os.sysconf("SC_CLK_TCK")
    return by_program


CALENDAR_PROBE = """
window.__calendar = new Promise((resolve) => {
    const chips = %d, more = %d;
    // Checked once a frame (a MutationObserver's checks would cost the page more than they measure).
    const check = () => {
        const grid = document.querySelector('[data-testid=calendar-month]');
        const shown = grid ? grid.querySelectorAll('[data-testid=calendar-entry]') : [];
        const last = shown[shown.length - 1];
        if (shown.length !== chips || grid.querySelectorAll('[data-testid=calendar-more]').length !== more) return requestAnimationFrame(check);
        last.focus();
        if (document.activeElement !== last) return requestAnimationFrame(check);
        const ready = performance.now();
        requestAnimationFrame(() => setTimeout(() => resolve({
            ready, painted: performance.now(),
            dom_content_loaded: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
            requests: performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/')).map((e) =>
                [new URL(e.name).pathname.replace(/[0-9a-f-]{36}/g, ':id'), Math.round(e.startTime), Math.round(e.responseEnd)])
        })));
    };
    requestAnimationFrame(check);
});
"""

KEYSTROKE_PROBE = """
window.__keys = [];
document.addEventListener('keydown', (event) => {
    if (event.target.id !== 'compose-text') return;
    const start = event.timeStamp;
    const record = { start };
    window.__keys.push(record);
    requestAnimationFrame(() => { record.frame = performance.now() - start; });
    setTimeout(() => {
        const counts = [...document.querySelectorAll('[data-testid=compose-counter] .count')];
        counts.forEach((c) => c.getBoundingClientRect());
        record.work = performance.now() - start;
        record.length = event.target.value.length;
        record.counters = counts.map((c) => c.textContent);
    });
}, true);
"""


async def calendar_month(browser, base: str, month: datetime, days: int, posts: int, runs: int) -> dict:
    per_day = [posts // days + (1 if d < posts % days else 0) for d in range(days)]
    chips, more = sum(min(n, 3) for n in per_day), sum(1 for n in per_day if n > 3)
    context = await browser.new_context(timezone_id=ZONE, locale="en-US", viewport={"width": 1280, "height": 900})
    url = f"{base}/calendar?view=month&date={month:%Y-%m-%d}"

    async def run(page) -> dict:
        cpu_before = cpu_ms_of_descendants()
        await page.goto(url)
        result = await page.evaluate("window.__calendar")
        result["cpu"] = {k: v - cpu_before.get(k, 0) for k, v in cpu_ms_of_descendants().items()}
        return result

    try:
        (await context.request.post(f"{base}/api/auth/login", data=USER)).ok or sys.exit("login failed")
        await context.add_init_script(CALENDAR_PROBE % (chips, more))
        tab = await context.new_page()
        cold = await run(tab)
        same_tab = [await run(tab) for _ in range(runs)]
        new_tabs = []
        for _ in range(runs):
            page = await context.new_page()
            new_tabs.append(await run(page))
            await page.close()
    finally:
        await context.close()

    def summary(results: list[dict]) -> dict:
        painted = sorted(r["painted"] for r in results)
        median = next(r for r in results if r["painted"] == painted[len(painted) // 2])
        return {"median_painted_ms": round(statistics.median(painted), 1), "painted_ms": [round(p, 1) for p in painted],
                "ready_ms": [round(r["ready"], 1) for r in results],
                "cpu_ms_median": {program: round(statistics.median(r["cpu"].get(program, 0) for r in results))
                                  for program in results[-1]["cpu"]},
                "timeline_of_median_run_ms": {k: v for k, v in median.items() if k != "cpu"}}

    warm = summary(same_tab)
    value = warm["median_painted_ms"]
    return {"value_ms": value, "budget_ms": BUDGETS["calendar_month_ms"], "pass": value < BUDGETS["calendar_month_ms"],
            "measure": "median over warm navigations in a tab (page.goto of the month URL, assets cached) from "
                       "navigation start to every chip shown and the last one focused, then the next frame",
            "cold_first_visit_ms": {k: round(cold[k], 1) for k in ("ready", "painted")},
            "same_tab": warm, "new_tab": summary(new_tabs),
            "cpu_what": "CPU time of the app, Playwright's driver and Chromium during a run (PostgreSQL not included): "
                        "the work done, whatever else the machine runs; a new tab also pays for a new renderer process",
            "chips_shown": chips, "more_links": more, "posts": posts}


async def connect_oauth(page, base: str, platform: str, instance: str | None = None) -> None:
    """Connect a sandbox account on Channels through the simulator's consent page, as a user does."""
    await page.goto(f"{base}/channels")
    form = page.get_by_role("form", name=platform, exact=True)
    if instance:
        await form.get_by_label("Instance").fill(instance)
    await form.get_by_role("button", name=f"Connect {platform}").click()
    await page.get_by_role("button", name="Authorize").click()
    await page.get_by_test_id("channels-notice").filter(has_text=f"on {platform}.").wait_for()


async def composer_counter(browser, base: str, keystrokes: int) -> dict:
    context = await browser.new_context(timezone_id=ZONE, locale="en-US", viewport={"width": 1280, "height": 900})
    try:
        (await context.request.post(f"{base}/api/auth/login", data=USER)).ok or sys.exit("login failed")
        await context.add_init_script(KEYSTROKE_PROBE)
        page = await context.new_page()
        await connect_oauth(page, base, "Mastodon", instance="sandbox.social")
        await connect_oauth(page, base, "X")
        await page.goto(f"{base}/compose")
        await page.get_by_test_id("compose-counter").first.wait_for()
        for box in await page.get_by_test_id("compose-channel").all():
            if not await box.is_checked():
                await box.check()
        counters = page.get_by_test_id("compose-counter")
        if await counters.count() != 3:
            raise RuntimeError(f"expected 3 counters, found {await counters.count()}")
        text = page.get_by_role("textbox", name="Base text")
        words = "Fresh sourdough, croissants and rye bread from the oven at seven. #bakery https://example.com/menu "
        await text.fill((words * 40)[: 3000 - keystrokes])
        await text.press("End")
        await page.evaluate("window.__keys.length = 0")
        for i in range(keystrokes):
            await page.keyboard.press("a" if i % 5 else "Space")
            while not await page.evaluate(f"window.__keys.length > {i} && 'work' in window.__keys[{i}] && 'frame' in window.__keys[{i}]"):
                await asyncio.sleep(0.01)
        keys = await page.evaluate("window.__keys")
    finally:
        await context.close()
    for key in keys:  # each counter shows the new length (every platform counts these characters as one)
        if not all(c.split(" / ")[0].strip().isdigit() for c in key["counters"]):
            raise RuntimeError(f"a counter is not a number: {key['counters']}")
    grew = all(int(b["counters"][0].split(" / ")[0]) == int(a["counters"][0].split(" / ")[0]) + 1 for a, b in zip(keys, keys[1:]))
    work, frame = sorted(k["work"] for k in keys), sorted(k["frame"] for k in keys)
    p95 = round(percentile(work, 95), 2)
    return {"value_p95_ms": p95, "median_ms": round(statistics.median(work), 2), "budget_ms": BUDGETS["counter_keystroke_ms"],
            "pass": p95 < BUDGETS["counter_keystroke_ms"] and grew, "counters_followed_every_key": grew,
            "final_length": keys[-1]["length"], "keystrokes": len(keys),
            "to_next_frame_ms": {"median": round(statistics.median(frame), 2), "p95": round(percentile(frame, 95), 2)},
            "measure": "keydown timeStamp -> a task after the input handler, Svelte's update and a forced layout of the counters"}


async def in_chromium(base: str, month: datetime, days: int, args: argparse.Namespace) -> tuple[dict, dict]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            log(f"calendar month: {args.runs} warm runs after a cold one")
            calendar = await calendar_month(browser, base, month, days, args.posts, args.runs)
            log(f"composer: {args.keystrokes} keystrokes on a 3,000-character text")
            composer = await composer_counter(browser, base, args.keystrokes)
        finally:
            await browser.close()
    return calendar, composer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keystrokes", type=int, default=50)
    parser.add_argument("--posts", type=int, default=1000)
    args = parser.parse_args()
    if not (BUILD / "index.html").exists():
        sys.exit("the UI is not built: cd frontend && npm run build")
    initial = initial_javascript()

    tmp = Path(tempfile.mkdtemp(prefix="pw-bench-ui-"))
    location, embedded, kind = database_server(tmp / "pg")
    name = f"pw_bench_ui_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(location.libpq_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = start_app(location.with_dbname(name).libpq_url(), tmp, port)
    try:
        wait_until_up(base, app)
        now = datetime.now(ZoneInfo(ZONE))
        month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        month = month.replace(month=month.month % 12 + 1, year=month.year + month.month // 12)
        log(f"seeding on {kind} PostgreSQL: {args.posts} posts over {month:%B %Y}")
        seeded = asyncio.run(seed(base, args.posts, month))
        calendar, composer = asyncio.run(in_chromium(base, month, seeded["days"], args))
        calendar["calendar_api_alone_median_ms"] = seeded["calendar_api_ms"]
    finally:
        app.terminate()
        app.wait(30)
        with psycopg.connect(location.libpq_url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if embedded is not None:
            embedded.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    results = {"initial_js": initial, "calendar_month_1000": calendar, "composer_counter": composer}
    print(json.dumps({"benchmark": "ui_budget", "database": kind, "machine": machine(),
                      "all_pass": all(r["pass"] for r in results.values()), **results,
                      "rerun": rerun([".venv/bin/python", "benchmarks/ui_budget.py", *sys.argv[1:]])}, indent=2))


if __name__ == "__main__":
    main()
