"""Looks for secrets: environment, other processes, the grader's files, the network."""
import os
import socket


def environment():
    return dict(os.environ)


def other_environments():
    found = {}
    try:
        pids = os.listdir("/proc")
    except OSError:  # not allowed to list: try every pid older than this one
        pids = [str(n) for n in range(1, os.getpid() + 64)]
    for pid in pids:
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    found[pid] = f.read().decode(errors="replace")
            except OSError:
                pass
    return found


def read_file(path):
    with open(path, "rb") as f:
        return f.read(200)


def list_dir(path):
    return sorted(os.listdir(path))


def write_file(path):
    with open(path, "w") as f:
        f.write("was here")
    return path


def connect(host, port):
    with socket.create_connection((host, port), timeout=2) as conn:
        return conn.recv(100)


def leave_files():
    for place in ("/tmp", os.environ["HOME"], "/dev/shm"):
        try:
            with open(os.path.join(place, "left-behind"), "w") as f:
                f.write("for the next submission")
        except OSError:
            pass
    return "left"


def loaded():
    import sys
    return sorted(sys.modules), list(sys.path), os.getuid()


def capabilities():
    with open("/proc/self/status") as f:
        return {k: v.strip() for k, v in (line.split(":", 1) for line in f)
                if k in ("CapEff", "CapPrm", "CapBnd", "NoNewPrivs", "Seccomp")}
