"""The review app in a real browser: Debian's Chromium driven by Playwright.

Covers grading a question with the keyboard, an override, the stale case after the
submission changed, and a student's <script> staying text. Skipped, saying why, where no
Chromium or no Playwright is installed (setup.sh installs both). With
GRADER_SCREENSHOTS=DIR set, the main pages are saved there as PNG (docs/ holds them).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from review_helpers import HOSTILE, SCRIPT_ANSWER

from grader.review.decisions import Decision, DecisionStore
from grader.store import FILENAME, Store

CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser")
                 if Path(p).exists()), shutil.which("chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = os.environ.get("GRADER_SCREENSHOTS")

sync_api = pytest.importorskip("playwright.sync_api",
                               reason="the playwright package is not installed (setup.sh "
                                      "installs it)")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here: install Debian's "
                                "'chromium' package (setup.sh does, as root)")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    blocked = []
    # Nothing may leave the machine: record any request that is not to the app.
    context.route("**/*", lambda route: (route.continue_() if route.request.url.startswith(
        "http://127.0.0.1") else (blocked.append(route.request.url), route.abort())))
    page = context.new_page()
    page.blocked = blocked
    yield page
    assert blocked == []
    context.close()


def _key(page, key: str) -> None:
    """Press a key that leaves the page, and wait for the next one.

    The key is pressed once the page's shortcuts are live: on a loaded machine a key
    pressed before the deferred script ran would be lost."""
    _ready(page)
    with page.expect_navigation():
        page.keyboard.press(key)


def _ready(page) -> None:
    page.wait_for_selector("html[data-keys=ready]", state="attached")


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / name), full_page=True)


def test_grading_the_review_queue_of_the_quiz_with_keys(live, fresh_quiz, page):
    app = live(fresh_quiz, grader_name="Grace")
    page.goto(app.url("/"))
    assert "token=" not in page.url
    page.click("text=Q1: Dropout forward >> xpath=../.. >> a")
    page.wait_for_selector("#decide")
    _shot(page, "review-question.png")
    _ready(page)
    page.keyboard.press("p")
    page.keyboard.type("1.5")
    _key(page, "Enter")  # a partial
    left = 0
    for _ in range(40):  # the rest of the queue, question after question: one key each
        if not page.query_selector("#decide"):
            break
        _key(page, "a")
        left += 1
    assert "nothing left to grade" in page.inner_text("body")
    current = DecisionStore(fresh_quiz / "review.sqlite").current("quiz")
    verdicts = sorted(d.verdict for d in current.values())
    assert "partial" in verdicts and len(verdicts) == left + 1
    assert all(d.by == "Grace" for d in current.values())
    assert any(d.points == 1.5 for d in current.values())


def test_a_script_in_an_answer_and_an_id_stays_text(live, run_out, page):
    app = live(run_out)
    page.goto(app.url("/f/0/question?q=Inline+Question+2&show=all"))
    texts = []
    for _ in range(3):
        texts.append(page.inner_text("#answer"))
        if not page.query_selector("#next"):
            break
        _key(page, "j")
    assert any(SCRIPT_ANSWER in text for text in texts)
    assert any(HOSTILE in text for text in texts)
    assert page.title() != "pwned"
    assert page.evaluate("document.querySelectorAll('main script').length") == 0


def test_an_override_then_the_stale_case_after_the_work_changed(live, run_out, page):
    app = live(run_out, grader_name="Grace")
    page.goto(app.url("/f/0/student?id=ada"))
    row = page.locator("tr", has_text="dropout_forward: zero fraction")
    row.locator("input[name=points]").fill("8")
    row.locator("input[name=reason]").fill("right mask, the test hit an edge case")
    with page.expect_navigation():
        row.locator("button", has_text="Override").click()
    assert page.inner_text("#score") == "13"
    assert "edge case" in page.inner_text(".adjustments")
    _shot(page, "review-student-override.png")

    # The student resubmits: the stored result gets new content.
    with Store(run_out / FILENAME) as store:
        [ada] = [r for r in store.latest() if r.student == "ada"]
        from dataclasses import replace
        store.put(replace(ada, content_hash="resubmitted"))
    page.reload()
    assert page.inner_text("#score") == "9"
    assert "stale" in page.inner_text(".adjustments")
    _shot(page, "review-student-stale.png")
    with page.expect_navigation():
        page.click("text=Apply to this version")
    assert page.inner_text("#score") == "13"
    history = DecisionStore(run_out / FILENAME).history("override", "ada")
    assert [d.content_hash for d in history] == ["hash-0", "resubmitted"]
    assert isinstance(history[-1], Decision) and history[-1].by == "Grace"


def test_the_inline_questions_are_cleared_in_the_browser(live, run_out, page):
    app = live(run_out)
    page.goto(app.url("/"))
    page.click("text=Inline Question 1 >> xpath=../.. >> a")
    for _ in range(10):
        if not page.query_selector("#decide"):
            break
        _key(page, "r")
    assert "nothing left to grade" in page.inner_text("body")
    _shot(page, "review-home.png")
