"""axe-core on every page of the site: 0 violations of the WCAG 2.x A and AA rules.

The pages are not listed here: they are the routes of the generated permission suite's table
(`tests.permissions.routes`: the URL resolver walked, each route's parameters filled from the
planted scenario) whose view is a page. Each is opened as each persona below who gets a whole
HTML page for it (asked first with Django's test client, which is quick), in Chinese and in
English, on a 360 px phone, in one browser with one context per persona and language. A page
added tomorrow is checked the day it is added, as every persona who can open it.

axe-core is vendored for the tests only (`tests/browser/vendor/axe-core/`, MPL-2.0) and run
from an init script, so the pages' strict Content-Security-Policy is not loosened.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.test import Client

from tests.permissions.planted import plant
from tests.permissions.probing import GENERATED, user_of
from tests.permissions.routes import fill
from tests.scenario import make_scenario

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
LANGUAGES = ("zh-hans", "en")
# Citizen, anonymous, grid officer, dispatcher, department clerk, leader.
PERSONAS = ("anonymous", "citizen", "officer_a", "dispatcher", "clerk", "street_leader")
SHOWN = (200, 403, 404)  # the answers that are pages a person reads
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>")
KEPT = re.compile(r'\s((?:class|role|type|aria-[a-z]+)="[^"]*")')
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
  });
  return result.violations.map(v => ({
    rule: v.id,
    help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + ": " + n.failureSummary),
  }));
}"""


def page_paths(planted, people, city) -> list[tuple[str, str]]:
    """(route, path) of every page route, filled for the ordinary planted case."""
    paths = []
    for probe in GENERATED.probes:
        if probe.route.kind != "page" or probe.variant == "private":
            continue
        paths.append((probe.route.shown, fill(probe, planted, people, city)))
    return paths


def shapes(response) -> tuple[str, str] | None:
    """The page's markup without its texts and values (tags and their class, role, type and
    aria- attributes), split in two: the page around `<main>` (header, footer) and `<main>`
    itself. A page whose two parts both have already been checked, each on some page, shown
    to some persona, gets the same verdict: it is not opened again. None: not a whole HTML
    document (a fragment htmx swaps in, JSON, a redirect). A refusal or "not found" page is
    a page a person reads: it is checked too."""
    kind = response.get("Content-Type", "")
    body = response.content.decode("utf-8", errors="replace")
    if response.status_code not in SHOWN or not kind.startswith("text/html"):
        return None
    if "<html" not in body:
        return None
    start, end = body.find("<main"), body.find("</main>")
    if start < 0 or end < 0:
        return _markup(body), ""
    return _markup(body[:start] + body[end:]), _markup(body[start:end])


def _markup(html: str) -> str:
    return "".join(name + "".join(KEPT.findall(attrs)) for name, attrs in TAG.findall(html))


def test_every_page_has_no_accessibility_violations(browse, city, people):
    scenario = make_scenario(city, people)
    planted = plant(city, people, scenario)
    paths = page_paths(planted, people, city)
    assert len(paths) >= 20, paths

    # Who gets a whole page where: asked in-process first, so the browser opens only those,
    # and only where a persona is shown a frame or a content not checked yet.
    visits: dict[str, list[tuple[str, str]]] = {persona: [] for persona in PERSONAS}
    frames: set[str] = set()
    contents: set[tuple[str, str]] = set()
    for persona in PERSONAS:
        user = user_of(persona, people, scenario)
        client = Client()
        if user is not None:
            client.force_login(user)
        for route, path in paths:
            found = shapes(client.get(path))
            if found is None:
                continue
            frame, content = found
            if frame in frames and (route, content) in contents:
                continue
            frames.add(frame)
            contents.add((route, content))
            visits[persona].append((route, path))
    covered = {route for pages in visits.values() for route, _ in pages}
    assert {"", "submit/", "work/queue/", "work/cases/<tracking_id>/"} <= covered, covered

    started = time.monotonic()
    found: list[str] = []
    checked = 0
    for persona in PERSONAS:
        user = user_of(persona, people, scenario)
        for language in LANGUAGES:
            page = browse(user, language=language, **PHONE)
            page.context.add_init_script(path=str(AXE))
            for _route, path in visits[persona]:
                page.goto(path)  # a 403 or 404 is a page here too
                checked += 1
                for v in page.evaluate(RUN_AXE, WCAG):
                    found.append(
                        f"{path} as {persona} ({language}): {v['rule']} — {v['help']}\n    "
                        + "\n    ".join(v["nodes"])
                    )
            page.context.close()
    elapsed = time.monotonic() - started
    print(
        f"\naxe-core: {checked} page loads ({len(covered)} page routes, {len(PERSONAS)} "
        f"personas, {len(LANGUAGES)} languages, 360 px) in {elapsed:.0f} s, "
        f"{len(found)} violations"
    )
    assert not found, f"{len(found)} accessibility violations:\n" + "\n".join(found)


def test_the_check_itself_sees_a_violation(browse, city):
    """axe-core runs under the pages' policy and reports what it should: an unlabelled field
    put into a page is found."""
    page = browse(None, **PHONE)
    page.context.add_init_script(path=str(AXE))
    page.goto("/submit/")
    assert page.evaluate(RUN_AXE, WCAG) == []
    page.evaluate(
        """() => { const input = document.createElement("input");
        input.type = "text"; document.querySelector("main").append(input); }"""
    )
    assert [v["rule"] for v in page.evaluate(RUN_AXE, WCAG)] == ["label"]
