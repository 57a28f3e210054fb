"""The review app over HTTP: the token, escaping, decisions, overrides, export."""

from __future__ import annotations

import csv
import http.cookiejar
import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from review_helpers import HOSTILE, SCRIPT_ANSWER, grader

from grader.review.decisions import DecisionStore
from grader.store import FILENAME


class Client:
    def __init__(self, live) -> None:
        self.live = live
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str, *, token: bool = False) -> tuple[int, str]:
        url = self.live.url(path) if token else self.live.base + path
        return self._open(urllib.request.Request(url))

    def post(self, path: str, data: dict, headers: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.live.base + path, data=body,
                                         headers=headers or {}, method="POST")
        return self._open(request)

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def logged_in(live) -> Client:
    client = Client(live)
    status, _ = client.get("/", token=True)
    assert status == 200
    return client


def test_no_token_or_a_wrong_one_is_403(live, run_out):
    app = live(run_out)
    assert Client(app).get("/")[0] == 403
    assert Client(app).get("/?token=wrong")[0] == 403
    assert Client(app).get("/f/0/student?id=ada")[0] == 403
    assert Client(app).get("/static/review.js")[0] == 403
    assert Client(app).post("/f/0/override", {"student": "ada"})[0] == 403


def test_the_token_in_the_address_becomes_a_cookie_and_leaves_the_address(live, run_out):
    app = live(run_out)
    client = Client(app)
    status, page = client.get("/", token=True)
    assert status == 200 and "What is left to grade" in page
    assert app.token not in page.split("name=\"token\"")[0]  # only in forms, never in links
    assert client.get("/f/0/students")[0] == 200


def test_a_post_needs_the_token_in_its_form_and_the_same_origin(live, run_out):
    app = live(run_out)
    client = logged_in(app)
    form = {"student": "ada", "target": "", "points": "15", "reason": "ok", "seen": "0"}
    assert client.post("/f/0/override", form)[0] == 403  # cookie alone is not enough
    form["token"] = app.token
    assert client.post("/f/0/override", form,
                       {"Origin": "http://evil.example"})[0] == 403
    assert DecisionStore(run_out / FILENAME).count() == 0
    assert client.post("/f/0/override", form, {"Origin": app.base})[0] == 200


def test_a_script_in_an_answer_and_in_a_student_id_stays_text(live, run_out):
    app = live(run_out)
    client = logged_in(app)
    pages = [client.get("/f/0/students")[1],
             client.get("/f/0/student?" + urllib.parse.urlencode({"id": HOSTILE}))[1],
             client.get("/f/0/question?" + urllib.parse.urlencode(
                 {"q": "Inline Question 2", "show": "all", "student": HOSTILE}))[1]]
    for page in pages:
        assert "<script>" not in page.replace('<script src="/static/review.js" defer></script>',
                                              "")
    assert "&lt;script&gt;alert(" in pages[0]
    assert "&lt;script&gt;document.title=" in pages[2]


def _decide(client, app, question: str, action: str, **extra) -> tuple[int, str]:
    page = client.get("/f/0/question?" + urllib.parse.urlencode({"q": question}))[1]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    fields = {k: v.replace("&#34;", '"').replace("&amp;", "&") for k, v in fields.items()}
    return client.post("/f/0/decide", {**fields, "action": action, **extra})


def test_one_decision_grades_identical_answers_with_who_when_why(live, run_out):
    app = live(run_out, grader_name="Grace")
    client = logged_in(app)
    status, _page = _decide(client, app, "Inline Question 1", "partial", points="0.5",
                            comment="say why the expectation matters")
    assert status == 200
    current = DecisionStore(run_out / FILENAME).current("inline")
    decided = {k[1]: d for k, d in current.items() if k[2] == "Inline Question 1"}
    assert set(decided) == {"ada", HOSTILE}  # the same words, one decision
    assert {(d.verdict, d.points, d.by, d.reason) for d in decided.values()} == \
        {("partial", 0.5, "Grace", "say why the expectation matters")}
    assert all(d.at > 0 for d in decided.values())


def test_points_outside_the_question_are_refused(live, run_out):
    app = live(run_out)
    client = logged_in(app)
    assert _decide(client, app, "Inline Question 1", "partial", points="7")[0] == 400
    assert DecisionStore(run_out / FILENAME).count() == 0


def test_a_decision_made_meanwhile_is_not_overwritten(live, run_out):
    app = live(run_out)
    first, second = logged_in(app), logged_in(app)
    page = second.get("/f/0/question?q=Inline+Question+1")[1]
    assert _decide(first, app, "Inline Question 1", "accept")[0] == 200
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    status, text = second.post("/f/0/decide", {**fields, "action": "reject"})
    assert status == 409 and "ta-one decided" in text
    current = DecisionStore(run_out / FILENAME).current("inline")
    assert {d.verdict for k, d in current.items() if k[2] == "Inline Question 1"} == {"accept"}


def test_an_override_needs_a_reason_and_then_shows_in_every_report(live, run_out):
    app = live(run_out, grader_name="Grace")
    client = logged_in(app)
    target = "dropout_forward: zero fraction"
    form = {"token": app.token, "student": "ada", "target": target, "points": "9",
            "seen": "0"}
    assert client.post("/f/0/override", {**form, "reason": "  "})[0] == 400
    status, page = client.post("/f/0/override", {**form, "reason": "<i>mask</i> right, off by one"})
    assert status == 200 and "14" in page and "&lt;i&gt;mask" in page
    grader("review", run_out, "--export")
    row = next(r for r in csv.DictReader(io.StringIO((run_out / "gradebook.csv").read_text()))
               if r["student"] == "ada")
    assert (row["score"], row["raw_score"]) == ("14", "9")
    assert "Grace" in row["adjustments"] and "off by one" in row["adjustments"]
    data = json.loads((run_out / "ada" / "results.json").read_text())
    assert data["score"] == 14 and data["extra_data"]["adjustments"][0]["by"] == "Grace"
    feedback = (run_out / "ada" / "feedback.md").read_text()
    assert "Changes to your score" in feedback and "off by one" in feedback


def test_export_without_a_browser_writes_quiz_verdicts(fresh_quiz):
    from grader.review import quizdata
    from grader.review.decisions import Decision

    data = quizdata.load(fresh_quiz)
    emeka = next(r for r in data["results"] if r["student"] == "emeka")
    q1 = next(q for q in emeka["questions"] if q["qid"] == "q1")
    assert q1["verdict"] == "review"
    quizdata.store(fresh_quiz).record([Decision(
        "quiz", "emeka", "q1", quizdata.answer_hash(q1["answer"]), "partial", 1.0,
        "no 1/p scaling", "Grace")])
    grader("review", fresh_quiz, "--export")
    row = next(r for r in csv.DictReader(io.StringIO(
        (fresh_quiz / "quiz_gradebook.csv").read_text())) if r["student"] == "emeka")
    assert (row["q1"], row["q1_verdict"]) == ("1", "partial")
    assert "Graded by a TA (Grace): no 1/p scaling" in \
        (fresh_quiz / "emeka" / "feedback.md").read_text()
    assert "# emeka: Q1" not in (fresh_quiz / "review.md").read_text()


def test_inline_grades_are_exported(live, run_out):
    app = live(run_out, grader_name="Grace")
    client = logged_in(app)
    _decide(client, app, "Inline Question 1", "accept", comment="clear")
    grader("review", run_out, "--export")
    rows = list(csv.DictReader(io.StringIO((run_out / "inline_grades.csv").read_text())))
    q1 = [r for r in rows if r["question"] == "Inline Question 1"]
    assert {(r["verdict"], r["points"], r["by"]) for r in q1} == {("accept", "1", "Grace")}
    assert any(r["student"] == "'" + HOSTILE or r["student"] == HOSTILE for r in rows)


@pytest.mark.parametrize("make", ["missing", "plain"])
def test_a_folder_that_is_no_output_is_one_line(tmp_path, make):
    folder = tmp_path / "x"
    if make == "plain":
        folder.mkdir()
    done = grader("review", folder, "--export", check=False)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "grader: error:" in done.stderr and "Traceback" not in done.stderr


def test_the_script_answer_of_the_quiz_stays_text(live, fresh_quiz):
    app = live(fresh_quiz)
    client = logged_in(app)
    page = client.get("/f/0/question?q=q1&show=all&student=mallory")[1]
    assert SCRIPT_ANSWER.split(">")[0].replace("<", "&lt;") in page
    assert "<script>document" not in page


def test_the_command_serves_with_a_token_and_writes_the_reports_when_stopped(run_out):
    import signal
    import subprocess
    import sys

    from review_helpers import ROOT

    server = subprocess.Popen([sys.executable, "-m", "grader.cli", "review", str(run_out),
                               "--port", "0", "--grader-name", "Grace"], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = [server.stdout.readline(), server.stdout.readline()]
        assert "grading as Grace" in lines[0]
        address = lines[1].strip()
        assert address.startswith("http://127.0.0.1:") and "token=" in address
        base = address.split("/?")[0]
        try:
            urllib.request.urlopen(base + "/", timeout=30)
            raise AssertionError("served without the token")
        except urllib.error.HTTPError as error:
            assert error.code == 403
        browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with browser.open(address, timeout=30) as response:  # the token becomes a cookie
            assert response.status == 200 and "token=" not in response.url
        (run_out / "inline_grades.csv").unlink(missing_ok=True)
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert "inline_grades.csv" in out and (run_out / "inline_grades.csv").is_file()


def test_the_export_button_writes_the_reports(live, fresh_quiz):
    app = live(fresh_quiz)
    client = logged_in(app)
    (fresh_quiz / "review.md").unlink()
    status, page = client.post("/f/0/export", {"token": app.token})
    assert status == 200 and "wrote quiz_gradebook.csv, review.md" in page
    assert (fresh_quiz / "review.md").is_file()
