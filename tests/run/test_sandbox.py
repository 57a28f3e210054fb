"""The worker session API, error mapping, limits and slot recovery, on both levels."""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import numpy as np
import pytest

from grader.config import Limits
from grader.errors import InternalError, SandboxUnavailable
from grader.run import levels
from grader.run import limits as policy
from grader.run.errors import (
    LimitExceeded,
    ProtocolError,
    StudentError,
    WorkerCrashed,
    WorkerFailure,
)
from grader.run.sandbox import SandboxSlot, describe_level
from grader.run.wire import Handle
from grader.run.zygote import WORKER_NICENESS

HOSTILE = Path(__file__).parent / "hostile"
LIMITS = Limits(call_timeout=10.0, submission_timeout=60.0, cpu_seconds=1, memory_mb=1024,
                max_processes=16, max_open_files=64, max_file_bytes=2**20,
                max_output_bytes=16 * 1024)
NET = '''
import numpy as np
print("net module imported")


class Net:
    def __init__(self, n, scale=1.0):
        self.params = {"W": np.ones(n) * scale}
        self.calls = 0

    def loss(self, x):
        self.calls += 1
        return float(self.params["W"] @ x)


def boom(message):
    raise ValueError(message)


def helper_raises():
    return boom("deep")


def identity(*args, **kwargs):
    return args, kwargs
'''


def skip_unless_available(level: str) -> None:
    if (why := levels.prerequisite(level)) is not None:
        pytest.skip(f"{level} unavailable: {why}")


@pytest.fixture(scope="module", params=["process", "landlock", "bwrap"])
def slot(request, tmp_path_factory):
    skip_unless_available(request.param)
    slot = SandboxSlot(level=request.param, limits=LIMITS,
                       workdir=tmp_path_factory.mktemp("slot") / request.param)
    yield slot
    slot.close()


def stage(tmp_path: Path, **modules: str) -> Path:
    root = tmp_path / "staged"
    (root / "cs231n").mkdir(parents=True)
    (root / "cs231n" / "__init__.py").write_text("")
    for name, source in modules.items():
        if "\n" not in source:
            shutil.copy(HOSTILE / f"{source}.py", root / "cs231n" / f"{name}.py")
        else:
            (root / "cs231n" / f"{name}.py").write_text(source)
    return root


def test_levels_are_chosen_by_a_live_probe_and_describe_themselves(monkeypatch):
    from grader.run import probe as probing
    levels.choose.cache_clear()
    monkeypatch.setattr(levels, "prerequisite", lambda level: None)
    outcome = {"bwrap": probing.Probe("bwrap", False, "bwrap: no user namespaces"),
               "landlock": probing.Probe("landlock", True, leaks=(("read a file outside "
                                                                  "its folder"),)),
               "process": probing.Probe("process", True, leaks=("signal the grader",))}
    monkeypatch.setattr(probing, "probe", outcome.get)
    try:
        choice = levels.choose("auto")
        assert choice.level == "process"  # a level that leaks is passed over, with its reason
        assert [level for level, _ in choice.passed_over] == ["bwrap", "landlock"]
        assert "could read a file outside its folder" in choice.warning()
        with pytest.raises(SandboxUnavailable, match="^--sandbox bwrap is not usable: bwrap: "):
            levels.choose("bwrap")
        with pytest.raises(SandboxUnavailable, match="required sandbox level is landlock"):
            levels.choose("auto", "landlock")
        outcome["landlock"] = probing.Probe("landlock", True)
        levels.choose.cache_clear()
        assert levels.choose("auto", "landlock").level == "landlock"
    finally:
        levels.choose.cache_clear()
    assert "NOT protected" in describe_level("process")
    assert "no network" in describe_level("bwrap")
    assert "Landlock" in describe_level("landlock")


@pytest.mark.parametrize("level", ["process", "landlock", "bwrap"])
def test_the_live_probe_finds_what_each_level_lets_through(level):
    skip_unless_available(level)
    found = probing_probe(level)
    assert found.started, found.reason
    if level == "process":  # the files and folders it reaches are only permissions
        assert "read a file outside its folder" in found.leaks
        assert "write outside its folder" in found.leaks
    else:
        assert found.leaks == ()
    # seccomp closes these at every level
    assert "open a network connection" not in found.leaks
    assert "keep SysV shared memory" not in found.leaks
    assert "hold memory outside its limit (memfd)" not in found.leaks


def probing_probe(level):
    from grader.run.probe import probe
    return probe(level)


def test_calls_objects_and_batches(slot, tmp_path):
    with slot.open(stage(tmp_path, net=NET)) as session:
        session.import_module("cs231n.net")
        net = session.new("cs231n.net:Net", 3, scale=2.0)
        assert isinstance(net, Handle) and net.type_name == "Net"
        assert session.call_method(net, "loss", np.ones(3)) == 6.0
        params = session.get_attr(net, "params")
        assert type(params["W"]) is np.ndarray and params["W"].tolist() == [2.0, 2.0, 2.0]
        session.set_item(net, "params", "W", np.arange(3.0))
        session.set_attr(net, "calls", 10)
        assert session.call_method(net, "loss", np.ones(3)) == 3.0
        assert session.get_attr(net, "calls") == 11
        assert session.call("cs231n.net:identity", net, k=net) == ((net,), {"k": net})
        batch = session.many([("call", ("cs231n.net:identity", i), {}) for i in range(3)]
                             + [("call", ("cs231n.net:boom", "no"), {}),
                                ("set_attr", (net, "calls", 0), {}),
                                ("call_method", (net, "loss", np.ones(3)), {}),
                                ("get_attr", (net, "calls"), {})])
        assert batch[:3] == [((0,), {}), ((1,), {}), ((2,), {})]
        assert isinstance(batch[3], StudentError) and batch[3].message == "no"
        assert batch[4:] == [None, 3.0, 1]  # in order, after a failure too
        session.drop(net)
        with pytest.raises(ProtocolError, match="unknown object"):
            session.call_method(net, "loss", np.ones(3))
        assert session.output() == "net module imported\n"


def test_student_errors_show_only_student_frames(slot, tmp_path):
    with slot.open(stage(tmp_path, net=NET)) as session, pytest.raises(StudentError) as info:
        session.call("cs231n.net:helper_raises")
    error = info.value
    assert (error.type_name, error.message) == ("ValueError", "deep")
    assert 'File "cs231n/net.py", line 21, in helper_raises' in error.traceback_text
    assert 'File "cs231n/net.py", line 17, in boom' in error.traceback_text
    assert "zygote" not in error.traceback_text and "worker_main" not in error.traceback_text
    assert str(slot.workdir) not in error.traceback_text
    with (slot.open(stage(tmp_path / "2", net="def broken(:\n")) as session,
          pytest.raises(StudentError, match="SyntaxError") as info):
        session.import_module("cs231n.net")
    assert 'cs231n/net.py", line 1' in info.value.traceback_text
    with slot.open(stage(tmp_path / "3", net=NET)) as session:
        with pytest.raises(StudentError, match="AttributeError"):
            session.call("cs231n.net:missing")
        with pytest.raises(StudentError, match="ModuleNotFoundError"):
            session.call("cs231n.nothere:f")


def test_worker_sees_only_stdlib_and_numpy(slot, tmp_path):
    with slot.open(stage(tmp_path, snoops="snoops")) as session:
        modules, path, uid = session.call("cs231n.snoops:loaded")
    assert not [m for m in modules if m.split(".")[0] in ("grader", "pytest", "sympy", "_pytest")]
    assert not [p for p in path if "site-packages" in p and not p.endswith("numpy")], path
    assert uid != 0 or (slot.level == "process" and os.geteuid() != 0)
    if slot.level == "process" and os.geteuid() == 0:
        assert uid == slot.worker_uid  # its own user: not shared with any other slot


def test_process_slots_run_as_different_users(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("only root can give each slot its own user")
    slots = [SandboxSlot(level="process", limits=LIMITS, workdir=tmp_path / f"slot{n}")
             for n in range(2)]
    users = []
    for n, slot in enumerate(slots):
        with slot.open(stage(tmp_path / str(n), snoops="snoops")) as session:
            users.append(session.call("cs231n.snoops:loaded")[2])
    for slot in slots:
        slot.close()
    assert users[0] != users[1] and 0 not in users


def test_after_a_crash_a_fresh_worker_reimports_and_old_handles_fail(slot, tmp_path):
    with slot.open(stage(tmp_path, net=NET, crash="exit_in_call")) as session:
        session.import_module("cs231n.net")
        net = session.new("cs231n.net:Net", 2)
        with pytest.raises(WorkerCrashed, match="exited with code 0"):
            session.call("cs231n.crash:quit_hard")
        with pytest.raises(WorkerCrashed, match="Net object #1 was lost"):
            session.call_method(net, "loss", np.ones(2))
        assert session.call("cs231n.net:identity", 1) == ((1,), {})
        assert session.output().count("net module imported") == 2 and session.forks == 2


def test_after_a_crash_in_a_batch_the_rest_run_as_they_would_alone(slot, tmp_path):
    with slot.open(stage(tmp_path, net=NET, crash="exit_in_call")) as session:
        session.import_module("cs231n.net")
        net = session.new("cs231n.net:Net", 2)
        results = session.many([("call", ("cs231n.net:identity", 1), {}),
                                ("call", ("cs231n.crash:quit_hard",), {}),
                                ("call_method", (net, "loss", np.ones(2)), {}),
                                ("call", ("cs231n.net:identity", 2), {}),
                                ("new", ("cs231n.net:Net", 2), {})])
        assert results[0] == ((1,), {})
        assert isinstance(results[1], WorkerCrashed) and "exited with code 0" in str(results[1])
        # The net lived in the worker that is gone; the other calls get a fresh one.
        assert isinstance(results[2], WorkerCrashed) and "was lost" in str(results[2])
        assert results[3] == ((2,), {}) and isinstance(results[4], Handle)
        assert session.forks == 2


def test_handles_do_not_cross_sessions(slot, tmp_path):
    with slot.open(stage(tmp_path / "a", net=NET)) as first:
        stolen = first.new("cs231n.net:Net", 2)
    with slot.open(stage(tmp_path / "b", net=NET)) as second:
        second.import_module("cs231n.net")
        with pytest.raises(WorkerCrashed, match="lost"):
            second.call_method(stolen, "loss", np.ones(2))


def test_one_submission_at_a_time(slot, tmp_path):
    session = slot.open(stage(tmp_path, net=NET))
    with pytest.raises(InternalError):
        slot.open(stage(tmp_path / "2", net=NET))
    session.close()
    session.close()
    with pytest.raises(RuntimeError):
        session.call("cs231n.net:identity")


@pytest.mark.parametrize("function,limit", [
    ("write_big_file", "file size (1 MB)"), ("open_many_files", "open files (64)"),
    ("burn_cpu", "CPU time (1 s)"), ("many_processes", "processes (16)"),
])
def test_rlimits_are_named_in_plain_words(slot, tmp_path, function, limit):
    with slot.open(stage(tmp_path, limits="hits_limits")) as session:
        with pytest.raises(LimitExceeded) as info:
            session.call(f"cs231n.limits:{function}")
        assert info.value.limit == limit
        assert session.worker is None and slot.submission_processes() == []
        assert session.call("cs231n.limits:fine") == "fine"


@pytest.mark.parametrize("function,error", [
    ("huge_frame", "size of a returned value"), ("garbage", "magic"),
    ("evil_dtype", "dtype not allowed"), ("forged_reply", "does not answer"),
])
def test_protocol_violations_end_the_worker(slot, tmp_path, function, error):
    # A frame announcing more than a reply may weigh is refused before it is read, as the
    # student's limit.
    expected = LimitExceeded if function == "huge_frame" else ProtocolError
    with slot.open(stage(tmp_path, proto="breaks_protocol")) as session:
        with pytest.raises(expected, match=error):
            session.call(f"cs231n.proto:{function}")
        assert session.worker is None
        assert session.call("cs231n.proto:fine") == "fine"


def test_closed_channel_is_a_crash_not_a_hang(slot, tmp_path):
    with slot.open(stage(tmp_path, proto="breaks_protocol")) as session:
        started = time.monotonic()
        with pytest.raises(WorkerCrashed, match="channel was closed"):
            session.call("cs231n.proto:close_channel")
        assert time.monotonic() - started < LIMITS.call_timeout + 0.5


def test_a_dead_or_stopped_zygote_is_replaced(slot, tmp_path, monkeypatch):
    monkeypatch.setattr(slot, "control_timeout", 1.0)
    with slot.open(stage(tmp_path, net=NET)) as session:
        session.import_module("cs231n.net")
    starts = slot.starts
    zygote = slot.zygote_host_pid()
    os.kill(zygote, signal.SIGKILL)
    with slot.open(stage(tmp_path / "2", net=NET)) as session:
        assert session.call("cs231n.net:identity", 1) == ((1,), {})
    assert slot.starts == starts + 1
    os.kill(slot.zygote_host_pid(), signal.SIGSTOP)
    with slot.open(stage(tmp_path / "3", net=NET)) as session:
        assert session.call("cs231n.net:identity", 2) == ((2,), {})
    assert slot.starts == starts + 2


def test_failures_are_verdict_data_not_grader_errors():
    for failure in (StudentError("ValueError", "x"), LimitExceeded("memory (1 MB)"),
                    WorkerCrashed("killed"), ProtocolError("bad")):
        assert isinstance(failure, WorkerFailure) and not isinstance(failure, InternalError)
    assert str(LimitExceeded("memory (2048 MB)", "MemoryError: ")) == (
        "limit exceeded: memory (2048 MB): MemoryError: ")


def test_slot_close_leaves_nothing(tmp_path):
    slot = SandboxSlot(level="process", limits=LIMITS, workdir=tmp_path / "slot")
    session = slot.open(stage(tmp_path, orphans="spawns_orphans"))
    session.call("cs231n.orphans:daemonize")
    zygote = slot._proc.pid
    slot.close()
    assert not (tmp_path / "slot").exists()
    with pytest.raises(ProcessLookupError):
        os.kill(zygote, 0)


GRADER_THAT_DIES = """
import sys, time
from pathlib import Path
from grader.config import Limits
from grader.run.sandbox import SandboxSlot
slot = SandboxSlot(level=sys.argv[1], limits=Limits(), workdir=Path(sys.argv[2]))
session = slot.open(Path(sys.argv[3]))
session.call("cs231n.orphans:daemonize")
session.call("cs231n.orphans:children")
print(slot.zygote_host_pid(), *slot.submission_processes(), flush=True)
time.sleep(600)
"""


def test_when_the_grader_dies_its_sandbox_dies_with_it(slot, tmp_path):
    import subprocess
    import sys
    grader = subprocess.Popen(
        [sys.executable, "-c", GRADER_THAT_DIES, slot.level, str(tmp_path / "slot"),
         str(stage(tmp_path, orphans="spawns_orphans"))], stdout=subprocess.PIPE, text=True)
    pids = [int(p) for p in grader.stdout.readline().split()]
    assert len(pids) >= 4
    grader.kill()
    grader.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.05)
    assert not [pid for pid in pids if _alive(pid)]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("level", ["process", "landlock", "bwrap"])
def test_the_control_socket_may_have_any_fd_number(level, tmp_path):
    """The grader's free fd numbers decide the control socket's; the zygote must not reuse
    them for its own descriptors (it once did for fds 20-24 and died silently)."""
    skip_unless_available(level)
    filler = []
    while True:  # occupy every fd below 20, so the socket pair gets 20 and 21
        fd = os.open("/dev/null", os.O_RDONLY)
        if fd >= 19:
            filler.append(fd)
            break
        filler.append(fd)
    try:
        staged = stage(tmp_path, layers="def f(x):\n    return x * 2\n")
        with SandboxSlot(level=level, limits=LIMITS, workdir=tmp_path / "slot") as slot, \
                slot.open(staged) as session:
            session.import_module("cs231n.layers")
            assert session.call("cs231n.layers:f", 21) == 42
    finally:
        for fd in filler:
            os.close(fd)


def test_no_bind_lands_where_the_sandbox_mounts_its_own_tmp():
    """A venv under /tmp (a checkout there) must still give the worker its numpy."""
    from dataclasses import replace
    rt = replace(policy.runtime(), numpy_dir="/tmp/ck/.venv/lib/python3/site-packages/numpy",
                 numpy_libs="/tmp/ck/.venv/lib/python3/site-packages/numpy.libs")
    argv = policy.bwrap_argv(rt, lib="/tmp/ck/slot/lib", tmp_bytes=2**20)
    binds = [(argv[i + 1], argv[i + 2]) for i, a in enumerate(argv) if a == "--ro-bind"]
    assert (rt.numpy_dir, f"{policy.SANDBOX_SITE}/numpy") in binds
    assert (rt.numpy_libs, f"{policy.SANDBOX_SITE}/numpy.libs") in binds
    assert not [dest for _, dest in binds if dest == "/tmp" or dest.startswith("/tmp/")]


@pytest.mark.parametrize("level", ["process", "landlock", "bwrap"])
def test_the_unseeded_stream_follows_the_submission(level, tmp_path):
    """Regrading gives the same verdict: a worker's global random state comes from its files,
    so the same files draw the same numbers and other files draw others."""
    skip_unless_available(level)

    def draws(slot, folder, text):
        with slot.open(stage(folder, layers=text)) as session:
            session.import_module("cs231n.layers")
            return session.call("numpy.random:rand", 5), session.call("random:random")

    with SandboxSlot(level=level, limits=LIMITS, workdir=tmp_path / "a") as first, \
            SandboxSlot(level=level, limits=LIMITS, workdir=tmp_path / "b") as second:
        one = draws(first, tmp_path / "1", "X = 1\n")
        again = draws(second, tmp_path / "2", "X = 1\n")
        other = draws(first, tmp_path / "3", "X = 2\n")
    assert np.array_equal(one[0], again[0]) and one[1] == again[1]
    assert not np.array_equal(one[0], other[0])


def test_after_two_call_timeouts_the_rest_of_a_submission_fails_at_once(tmp_path):
    """A looping submission must not hold its slot for the whole submission budget."""
    limits = Limits(call_timeout=0.5, submission_timeout=60.0, cpu_seconds=30)
    with SandboxSlot(level="process", limits=limits, workdir=tmp_path / "slot") as slot:
        staged = stage(tmp_path, layers="def spin():\n    while True:\n        pass\n")
        with slot.open(staged) as session:
            session.import_module("cs231n.layers")
            for _ in range(2):
                with pytest.raises(LimitExceeded, match="did not finish in time"):
                    session.call("cs231n.layers:spin")
            started = time.monotonic()
            with pytest.raises(LimitExceeded, match="wall time per call.*2 calls already ran out"):
                session.call("cs231n.layers:spin")
            assert time.monotonic() - started < 0.25
        with slot.open(stage(tmp_path / "next", layers="X = 3\n")) as session:
            session.import_module("cs231n.layers")  # the count belongs to one submission only
            assert session.call("builtins:getattr", 7, "real") == 7


def test_a_batch_counts_call_timeouts_as_calls_made_one_by_one(tmp_path):
    limits = Limits(call_timeout=0.5, submission_timeout=60.0, cpu_seconds=30)
    with SandboxSlot(level="process", limits=limits, workdir=tmp_path / "slot") as slot:
        staged = stage(tmp_path, layers="def spin():\n    while True:\n        pass\n")
        with slot.open(staged) as session:
            session.import_module("cs231n.layers")
            spin, fine = ("call", ("cs231n.layers:spin",), {}), ("call", ("builtins:abs", -2), {})
            results = session.many([spin, fine, spin, fine])
        kinds = [r if r == 2 else str(r) for r in results]
        assert "did not finish in time" in kinds[0] and kinds[1] == 2
        assert "did not finish in time" in kinds[2]
        assert "2 calls already ran out" in kinds[3]


def test_student_code_runs_below_the_graders_cpu_priority(slot, tmp_path):
    source = "import os\n\n\ndef niceness():\n    return os.nice(0)\n"
    with slot.open(stage(tmp_path, probe=source)) as session:
        assert session.call("cs231n.probe:niceness") == os.nice(0) + WORKER_NICENESS


def test_held_items_stay_in_the_worker_and_come_back_as_arguments(slot, tmp_path):
    with slot.open(stage(tmp_path, net=NET)) as session:
        session.import_module("cs231n.net")
        args, held = session.call_holding("cs231n.net:identity", [1], 5)
        assert args == (5,) and isinstance(held, Handle) and held.type_name == "dict"
        assert session.call("cs231n.net:identity", held) == (({},), {})
        assert session.call_holding("builtins:len", [0], [1, 2]) == 2  # not a tuple: as is
        with pytest.raises(ProtocolError, match="hold"):
            session.call_holding("builtins:len", ["x"], [1, 2])
        assert session.call("cs231n.net:identity", 1) == ((1,), {})  # the worker carries on


def test_printed_paths_of_its_own_folder_are_relative_and_argv_is_empty(slot, tmp_path):
    """Same code, same feedback: nothing printed names the run's folders or the zygote."""
    source = ("import os, sys, warnings\nwarnings.warn('careful')\n"
              "print(os.getcwd(), sys.argv, sys.path[0])\n")
    outputs = []
    for run in range(2):
        with slot.open(stage(tmp_path / str(run), loud=source)) as session:
            session.import_module("cs231n.loud")
            outputs.append(session.output())
    assert outputs[0] == outputs[1]
    assert outputs[0].startswith("cs231n/loud.py:2: UserWarning: careful")
    assert "\n. [''] .\n" in outputs[0]
    assert str(slot.workdir) not in outputs[0] and "scratch" not in outputs[0]


def test_the_zygotes_configuration_is_not_on_its_command_line(slot, tmp_path):
    with slot.open(stage(tmp_path, net=NET)) as session:
        cmdline = session.call("builtins:open", "/proc/self/cmdline", "rb")
        assert isinstance(cmdline, Handle)  # a file object stays in the worker
        text = session.call_method(cmdline, "read").decode()
    assert "rlimits" not in text and "worker_path" not in text and "--config-fd=" in text
