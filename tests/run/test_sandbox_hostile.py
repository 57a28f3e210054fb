"""Hostile submissions against both sandbox levels, in one slot per level.

Every test stages one module of tests/run/hostile/ as ``cs231n/layers.py``; the
slot is shared, so the well-behaved submission that runs after each hostile one
(``assert_next_submission_fine``) checks nothing leaks from one to the next.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from grader.config import Limits
from grader.run.errors import LimitExceeded, StudentError, WorkerCrashed, WorkerFailure
from grader.run.levels import prerequisite
from grader.run.sandbox import SandboxSlot
from grader.run.scratch import scratch_root
from grader.run.wire import Handle

HOSTILE = Path(__file__).parent / "hostile"
PROJECT = Path(__file__).resolve().parents[2]
LIMITS = Limits(call_timeout=1.0, submission_timeout=6.0, cpu_seconds=10, memory_mb=1024,
                max_processes=24, max_open_files=64, max_file_bytes=2**20,
                max_output_bytes=32 * 1024)
SECRET = "grader-secret-4c1f9"


@pytest.fixture(scope="module", params=["process", "landlock", "bwrap"])
def slot(request, tmp_path_factory):
    if (why := prerequisite(request.param)) is not None:
        pytest.skip(f"{request.param} unavailable: {why}")
    os.environ["GRADER_SECRET"] = SECRET  # the grader's environment: never the worker's
    slot = SandboxSlot(level=request.param, limits=LIMITS,
                       workdir=tmp_path_factory.mktemp("slot") / request.param)
    slot.start()
    yield slot
    slot.close()
    os.environ.pop("GRADER_SECRET", None)


def stage(tmp_path: Path, module: str) -> Path:
    root = tmp_path / module
    (root / "cs231n").mkdir(parents=True)
    (root / "cs231n" / "__init__.py").write_text("")
    shutil.copy(HOSTILE / f"{module}.py", root / "cs231n" / "layers.py")
    return root


def open_session(slot, tmp_path, module, *, imported=True):
    session = slot.open(stage(tmp_path, module))
    if imported:
        session.import_module("cs231n.layers")
    return session


def assert_no_survivors(slot) -> None:
    deadline = time.monotonic() + 2
    while slot.submission_processes() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert slot.submission_processes() == []


def assert_next_submission_fine(slot, tmp_path) -> None:
    assert_no_survivors(slot)
    with open_session(slot, tmp_path / "next", "correct") as session:
        x = np.arange(12.0).reshape(3, 4)
        out, _mask = session.call("cs231n.layers:dropout_forward", x, 0.5, 0)
        assert type(out) is np.ndarray and out.shape == x.shape
        assert session.call("cs231n.layers:add", 2, 3) == 5
        private = ["/tmp", "/dev/shm", "/dev/mqueue"] if slot.level == "bwrap" else []
        leftovers = session.call("cs231n.layers:leftovers", private)
        assert all(names in ([], ["cs231n"]) for names in leftovers.values()), leftovers


def test_sys_exit_at_import_is_a_student_error(slot, tmp_path):
    with open_session(slot, tmp_path, "exit_at_import_sys_exit", imported=False) as session:
        with pytest.raises(StudentError) as info:
            session.import_module("cs231n.layers")
        assert info.value.type_name == "SystemExit"
    assert_next_submission_fine(slot, tmp_path)


def test_os_exit_at_import_is_a_crash(slot, tmp_path):
    with (open_session(slot, tmp_path, "exit_at_import_os_exit", imported=False) as session,
          pytest.raises(WorkerCrashed, match="exited with code 0")):
        session.import_module("cs231n.layers")
    assert_next_submission_fine(slot, tmp_path)


def test_exit_in_call_then_fresh_worker(slot, tmp_path):
    with open_session(slot, tmp_path, "exit_in_call") as session:
        with pytest.raises(StudentError, match="sys.exit"):
            session.call("cs231n.layers:quit_politely")
        with pytest.raises(WorkerCrashed, match="code 0"):
            session.call("cs231n.layers:quit_hard")
        with pytest.raises(StudentError):  # a fresh worker, re-imported, answers again
            session.call("cs231n.layers:quit_politely")
        assert session.forks == 2


def test_infinite_loop_ignoring_sigterm_hits_the_call_limit(slot, tmp_path):
    with open_session(slot, tmp_path, "infinite_loop") as session:
        started = time.monotonic()
        with pytest.raises(LimitExceeded) as info:
            session.call("cs231n.layers:spin")
        assert info.value.limit == "wall time per call (1 s)"
        assert time.monotonic() - started < 3
    assert_next_submission_fine(slot, tmp_path)


def test_sleep_at_import_hits_the_call_limit(slot, tmp_path):
    with (open_session(slot, tmp_path, "sleeps_at_import", imported=False) as session,
          pytest.raises(LimitExceeded, match="wall time per call")):
        session.import_module("cs231n.layers")


def test_submission_budget_is_spent_then_every_call_fails(slot, tmp_path):
    with open_session(slot, tmp_path, "infinite_loop") as session:
        session.spent = LIMITS.submission_timeout - 0.3
        with pytest.raises(LimitExceeded, match="submission wall time"):
            session.call("cs231n.layers:spin")
        with pytest.raises(LimitExceeded, match="submission wall time"):
            session.call("cs231n.layers:spin")


def test_ten_gigabytes_hit_the_memory_limit(slot, tmp_path):
    with open_session(slot, tmp_path, "allocates_10gb") as session:
        with pytest.raises(LimitExceeded) as info:
            session.call("cs231n.layers:grab")
        assert info.value.limit == "memory (1024 MB)"
    assert_next_submission_fine(slot, tmp_path)


def test_fork_bomb_is_contained(slot, tmp_path):
    with (open_session(slot, tmp_path, "fork_bomb") as session,
          pytest.raises(WorkerFailure)):
        session.call("cs231n.layers:bomb")
    assert_next_submission_fine(slot, tmp_path)


@pytest.mark.parametrize("function", ["children", "daemonize", "subprocess_sleeper"])
def test_no_process_outlives_its_submission(slot, tmp_path, function):
    starts = slot.starts
    with open_session(slot, tmp_path, "spawns_orphans") as session:
        session.call(f"cs231n.layers:{function}")
        assert len(slot.submission_processes()) >= 2
    assert slot.submission_processes() == []
    assert slot.starts == starts  # cleaned up by the zygote, not by restarting the slot
    assert_next_submission_fine(slot, tmp_path)


def test_non_daemon_thread_does_not_hold_up_close(slot, tmp_path):
    session = open_session(slot, tmp_path, "threads")
    assert session.call("cs231n.layers:busy_thread") == "started"
    time.sleep(0.1)
    started = time.monotonic()
    session.close()
    assert time.monotonic() - started < 2
    assert "still here" in session.output()
    assert_next_submission_fine(slot, tmp_path)


def test_stdin_is_empty(slot, tmp_path):
    with open_session(slot, tmp_path, "reads_stdin") as session:
        assert session.call("cs231n.layers:read_all") == ""
        with pytest.raises(StudentError, match="EOF"):
            session.call("cs231n.layers:ask")


def test_segfault_is_reported_by_signal(slot, tmp_path):
    with (open_session(slot, tmp_path, "segfaults") as session,
          pytest.raises(WorkerCrashed, match=r"signal 11 \(segmentation fault\)")):
        session.call("cs231n.layers:crash")
    assert_next_submission_fine(slot, tmp_path)


def test_output_is_bounded_and_flooding_cannot_deadlock(slot, tmp_path):
    with open_session(slot, tmp_path, "floods_output") as session:
        assert session.call("cs231n.layers:chatty", 10_000) == 10_000
        text = session.output()
        assert text.startswith("line 0\nline 1\n")
        assert "[output truncated:" in text and len(text) < LIMITS.max_output_bytes + 200
        with pytest.raises(LimitExceeded, match="output size"):
            session.call("cs231n.layers:flood")
        assert session.call("cs231n.layers:chatty", 1) == 1  # a fresh worker may print again
        # More than a pipe holds, less than the kill threshold: between calls nobody
        # drains, so the thread blocks on a full pipe, and closing must not wait for it.
        assert session.call("cs231n.layers:flood_in_background", 2**20) == "flooding"
        time.sleep(0.2)
        started = time.monotonic()
    assert time.monotonic() - started < 2
    assert len(session.output()) < LIMITS.max_output_bytes + 200
    assert_next_submission_fine(slot, tmp_path)


def test_environment_holds_no_secrets(slot, tmp_path):
    with open_session(slot, tmp_path, "snoops") as session:
        env = session.call("cs231n.layers:environment")
        assert "GRADER_SECRET" not in env and SECRET not in repr(env)
        assert set(env) <= {"PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "OMP_NUM_THREADS",
                            "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"}
        assert SECRET not in repr(session.call("cs231n.layers:other_environments"))


def test_no_capabilities_and_no_new_privileges(slot, tmp_path):
    with open_session(slot, tmp_path, "snoops") as session:
        status = session.call("cs231n.layers:capabilities")
    assert int(status["CapEff"], 16) == 0 and int(status["CapPrm"], 16) == 0
    assert status["NoNewPrivs"] == "1"


def test_grader_files_are_out_of_reach_when_isolated(slot, tmp_path):
    solution = PROJECT / "solutions"
    # bwrap shows nothing of them; Landlock leaves them in place but refuses to open them.
    refused = "FileNotFoundError" if slot.level == "bwrap" else "PermissionError"
    with open_session(slot, tmp_path, "snoops") as session:
        if slot.level == "process":
            assert "NOT protected" in slot.description and "host file" in slot.description
            pytest.skip("the process level documents that it does not hide host files")
        for path in (solution, PROJECT / "grader" / "suites"):
            with pytest.raises(StudentError, match=refused):
                session.call("cs231n.layers:list_dir", str(path))
        # When the Python environment lives inside the project (setup.sh's .venv, tox's
        # .tox), the folders leading down to its numpy exist as empty mount points; nothing
        # else of the project may be visible.
        numpy_dir = Path(np.__file__).resolve().parent
        allowed = ({numpy_dir.relative_to(PROJECT).parts[0]}
                   if numpy_dir.is_relative_to(PROJECT) else set())
        try:
            visible = set(session.call("cs231n.layers:list_dir", str(PROJECT)))
        except StudentError as error:
            assert refused in str(error)
        else:
            assert allowed and visible <= allowed, visible
        with pytest.raises(StudentError, match=refused):
            session.call("cs231n.layers:read_file", str(solution / "cs231n" / "layers.py"))
        with pytest.raises(StudentError, match="FileNotFoundError|PermissionError"):
            session.call("cs231n.layers:list_dir", str(Path(np.__file__).parents[1] / "pytest"))
        with pytest.raises(StudentError, match="FileNotFoundError|PermissionError"):
            session.call("cs231n.layers:read_file", "/etc/passwd")


def test_writes_outside_the_scratch_do_not_reach_the_host(slot, tmp_path):
    target = tmp_path / "written-by-student"
    tmp_path.chmod(0o777)
    with open_session(slot, tmp_path, "snoops") as session:
        if slot.level == "process":
            pytest.skip("the process level documents that world-writable places are reachable")
        for path in (target, PROJECT / "grades-by-student", Path("/usr/student")):
            with pytest.raises(StudentError):
                session.call("cs231n.layers:write_file", str(path))
        if slot.level == "bwrap":  # its own private /tmp
            assert session.call("cs231n.layers:write_file", "/tmp/ok") == "/tmp/ok"
        else:
            with pytest.raises(StudentError, match="PermissionError"):
                session.call("cs231n.layers:write_file", "/tmp/ok")
        assert session.call("cs231n.layers:leave_files") == "left"
    assert not target.exists() and not Path("/tmp/ok").exists()
    assert_next_submission_fine(slot, tmp_path)


def test_no_network_at_any_level(slot, tmp_path):
    """bwrap has no network namespace to reach; at every level the seccomp filter refuses
    to make a socket at all."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    threading.Thread(target=lambda: server.accept()[0].sendall(b"hello"), daemon=True).start()
    try:
        with (open_session(slot, tmp_path, "snoops") as session,
              pytest.raises(StudentError, match="PermissionError|ConnectionRefused|OSError")):
            session.call("cs231n.layers:connect", "127.0.0.1", port)
    finally:
        server.close()


def test_monkeypatched_numpy_stays_in_the_worker(slot, tmp_path):
    with open_session(slot, tmp_path, "monkeypatches_numpy") as session:
        zeros = session.call("cs231n.layers:zeros")
    assert not np.allclose(zeros, 1.0) and not np.array_equal(zeros, np.ones(3))
    assert_next_submission_fine(slot, tmp_path)


def test_lying_values_arrive_as_plain_data_or_handles(slot, tmp_path):
    with open_session(slot, tmp_path, "lying_values") as session:
        liar = session.call("cs231n.layers:liar")
        assert type(liar) is np.ndarray
        assert np.array_equal(liar, np.arange(6.0).reshape(2, 3))
        assert isinstance(session.call("cs231n.layers:always_equal"), Handle)
        bomb = session.call("cs231n.layers:pickle_bomb")
        assert isinstance(bomb["model"], Handle) and bomb["ok"] == 1
        assert session.call("cs231n.layers:named") == (1, np.float32(2.5))
        with pytest.raises(WorkerFailure, match="nested deeper"):
            session.call("cs231n.layers:deep")
    assert not Path("/tmp/pickle-bomb-ran").exists()


def test_memory_outside_rlimit_as_is_refused_or_bounded(slot, tmp_path):
    """memfds, SysV segments and the keyring are refused at every level; files kept in
    memory are bounded by bwrap's size-limited tmpfs or by the slot's memory cgroup."""
    from grader.run import cgroups
    with open_session(slot, tmp_path, "hoards_memory") as session:
        for call, args in (("memfds", (4,)), ("sysv", (4,)), ("keyring", ("student-a",))):
            with pytest.raises(StudentError, match="PermissionError|Operation not permitted"):
                session.call(f"cs231n.layers:{call}", *args)
    limits = Limits(call_timeout=20.0, submission_timeout=30.0, memory_mb=256,
                    max_file_bytes=2**20)
    # Where grader run puts its slots: a memory filesystem when there is one.
    if scratch_root() is None and slot.level != "bwrap":
        pytest.skip("no memory filesystem for scratch here: files go to disk, not memory")
    memory_fs = Path(tempfile.mkdtemp(prefix="hoard-", dir=scratch_root()))
    with SandboxSlot(level=slot.level, limits=limits, workdir=memory_fs / "slot") as small:
        with open_session(small, tmp_path / "a", "hoards_memory") as session:
            if slot.level == "bwrap":
                with pytest.raises(StudentError, match="No space left"):
                    session.call("cs231n.layers:fill_files", 800, 1)
            elif cgroups.available() is not None:
                with pytest.raises(LimitExceeded) as info:  # 800 MB > 256 MB + headroom
                    session.call("cs231n.layers:fill_files", 800, 1)
                assert info.value.limit == "memory (256 MB)"
            else:
                pytest.skip("no memory cgroup here: the level's description says so")
        assert_next_submission_fine(small, tmp_path / "b")
    shutil.rmtree(memory_fs, ignore_errors=True)


def test_what_a_worker_left_in_world_writable_places_is_removed(slot, tmp_path):
    if slot.level != "process" or os.geteuid() != 0:
        pytest.skip("only a slot's own user (root grader, process level) can leave files "
                    "outside its folder that are told apart from others'")
    with open_session(slot, tmp_path, "snoops") as session:
        assert session.call("cs231n.layers:leave_files") == "left"
        owner = slot.worker_uid
        assert Path("/tmp/left-behind").stat().st_uid == owner
    assert_next_submission_fine(slot, tmp_path)  # the sweep runs before the next fork
    for place in ("/tmp", "/dev/shm"):
        assert not Path(place, "left-behind").exists()


def test_what_a_submission_returns_is_bounded_per_call_per_batch_and_in_all(slot, tmp_path):
    """A submission returning the same large array on every call once drove the judge to
    11 GB; replies are refused before they are read once over the limits."""
    limits = Limits(call_timeout=20.0, submission_timeout=60.0, memory_mb=2048,
                    max_reply_bytes=8 * 2**20, max_returned_bytes=40 * 2**20)
    with SandboxSlot(level=slot.level, limits=limits, workdir=tmp_path / "slot") as small:
        with open_session(small, tmp_path / "one", "returns_big") as session:
            with pytest.raises(LimitExceeded) as info:
                session.call("cs231n.layers:big", 12)
            assert info.value.limit == "size of a returned value (8 MB)"
            assert session.call("cs231n.layers:big", 1).nbytes == 2**20  # a fresh worker
            batch = session.many([("call", ("cs231n.layers:big", 6), {})] * 8)
            assert [type(r).__name__ for r in batch[:5]] == ["ndarray"] * 5
            failures = [r for r in batch if isinstance(r, LimitExceeded)]
            assert failures and failures[0].limit == "data returned at once (32 MB)"
            with pytest.raises(LimitExceeded) as info:
                for _ in range(10):
                    session.call("cs231n.layers:big", 6)
            assert info.value.limit == "data returned per submission (40 MB)"
            with pytest.raises(LimitExceeded, match="per submission"):
                session.call("cs231n.layers:big", 1)  # and nothing more is taken from it
        assert_next_submission_fine(small, tmp_path / "next")


def _cpu_seconds(pids) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def test_a_submissions_busy_children_share_one_core(slot, tmp_path):
    """With a cgroup the whole tree gets one core's worth of CPU, however many children it
    forks, so the other slots keep theirs: every process of the submission is in the
    slot's cgroup, whose quota is one period per period. The kernel enforces the quota
    every 100 ms; the usage bound below leaves 50 % for accounting granularity, so a
    correct quota fails it only if the kernel overran it for a whole period out of ten."""
    from grader.run import cgroups
    if cgroups.available() is None:
        pytest.skip("no cgroup here: the tree is bounded only by the process limit")
    with open_session(slot, tmp_path, "busy_children") as session:
        assert session.call("cs231n.layers:spin_children", 4) == 4
        pids = slot.submission_processes()
        assert len(pids) == 5
        cpu = slot.cgroup.folders["cpu"]
        members = set((cpu / ("cgroup.procs" if slot.cgroup.version == 2 else "tasks"))
                      .read_text().split())
        assert {str(pid) for pid in pids} <= members
        if slot.cgroup.version == 2:
            assert (cpu / "cpu.max").read_text().split() == ["100000", "100000"]
        else:
            assert int((cpu / "cpu.cfs_quota_us").read_text()) == int(
                (cpu / "cpu.cfs_period_us").read_text())
        before, started = _cpu_seconds(pids), time.monotonic()
        time.sleep(1.0)
        used = _cpu_seconds(pids) - before
        elapsed = time.monotonic() - started
    assert used <= 1.5 * elapsed, f"{used:.2f} CPU-s in {elapsed:.2f} s for the tree"
    assert_next_submission_fine(slot, tmp_path)
