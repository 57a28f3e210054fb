"""Figures described by the sandboxed plotting shim, drawn on the trusted side."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from notebook_test_support import ROOT

from grader.notebooks.replay import render, saved_names

PNG = b"\x89PNG\r\n\x1a\n"


def shim_records(code: str) -> dict:
    """Run ``code`` against the shim in a fresh interpreter; return the runner's reply."""
    script = textwrap.dedent(f"""
        import json, sys
        sys.path.insert(0, {str(ROOT / 'grader' / 'notebooks')!r})
        import plotshim
        sys.modules['_grader_plotshim'] = plotshim
        import nbrunner
        nbrunner.start()
        reply = nbrunner.run_cell({code!r}, 1, 10)
        print(json.dumps(reply))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, timeout=60)
    return json.loads(done.stdout)


def test_the_dropout_plot_cell_is_recorded_and_redrawn():
    reply = shim_records(
        "import numpy as np\nimport matplotlib.pyplot as plt\n"
        "plt.rcParams['figure.figsize'] = (10.0, 8.0)\n"
        "plt.subplot(3, 1, 1)\nplt.plot(np.array([0.1, 0.5, 0.9]), 'o', label='1.00 dropout')\n"
        "plt.title('Train accuracy')\nplt.xlabel('Epoch')\nplt.legend(ncol=2, loc='lower right')\n"
        "plt.subplot(3, 1, 2)\nplt.plot([0.2, 0.3], 'o')\nplt.gcf().set_size_inches(15, 15)\n"
        "plt.savefig('../../dropout_accuracy.png')\nplt.show()\n"
        "import matplotlib\nmatplotlib.use('TkAgg')\nplt.style.use('ggplot')\n")
    assert reply["status"] == "ok", reply
    [figure] = reply["figures"]
    assert figure["size"] == [15.0, 15.0]
    assert [a["grid"] for a in figure["axes"]] == [[3, 1, 1], [3, 1, 2]]
    assert figure["axes"][0]["calls"][0] == ["plot", [[0.1, 0.5, 0.9], "o"],
                                             {"label": "1.00 dropout"}]
    assert reply["notes"] == ["plt.style.use() is not drawn when grading"]
    png, notes = render(figure)
    assert png.startswith(PNG) and notes == []
    assert saved_names(figure) == ["dropout_accuracy.png"]  # no path leaves the report folder


def test_subplots_and_axes_methods_are_recorded():
    reply = shim_records("import matplotlib.pyplot as plt\nfig, axes = plt.subplots(2, 2)\n"
                         "axes[0, 1].plot([1, 2])\naxes[1][0].set_title('t')\nfig")
    assert reply["status"] == "ok" and reply["result"] == "<Figure 1>"
    [figure] = reply["figures"]  # open figures are shown at the end of the cell, like inline
    assert len(figure["axes"]) == 4 and figure["axes"][1]["calls"] == [["plot", [[1, 2]], {}]]


def test_hostile_records_are_drawn_safely_or_skipped():
    record = {"size": [1e9, float("nan")], "title": "x" * 10_000, "saved": ["/etc/passwd", 3],
              "axes": [
                  {"grid": [1, 1, 1], "calls": [
                      ["plot", [[1, 2, 3]], {"color": "no-such-colour"}],
                      ["__class__", [], {}],
                      ["savefig", ["/tmp/x.png"], {}],
                      ["plot", [{"unsupported": "<object>"}], {}],
                      ["plot", [[1, 2]], {"picker": 5, "url": "http://example.com"}],
                  ]},
                  {"grid": [100, 1, 1], "calls": []},
                  "not a dict",
              ]}
    png, notes = render(record)
    assert png.startswith(PNG)
    assert any("could not be drawn" in n for n in notes)
    assert any("not understood" in n for n in notes)
    assert any("ignored keyword(s) picker, url" in n for n in notes)
    assert saved_names(record) == ["passwd.png"]
    assert render("junk") == (None, ["a figure could not be read"])


def test_too_many_points_stop_the_drawing():
    record = {"axes": [{"grid": [1, 1, 1], "calls": [["plot", [[0.0] * 45_000], {}]] * 8}]}
    png, notes = render(record)
    assert png.startswith(PNG) and any("too many points" in n for n in notes)
