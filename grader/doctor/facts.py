"""What ``grader doctor`` reads off the machine: the Python build, numpy, and the kernel
features each sandbox level is made of. Reading only: nothing here changes the system."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    name: str
    value: str
    ok: bool = True  # False: this is what keeps a level from working
    fix: str = ""


def python_build() -> Fact:
    base = os.path.realpath(sys.base_prefix)
    exe = os.path.realpath(sys.executable)
    if os.path.isdir(os.path.join(base, "conda-meta")):
        kind = "conda"
    elif "/.pyenv/" in exe:
        kind = "pyenv"
    elif "/uv/python/" in exe or "/.local/share/uv/" in exe:
        kind = "uv standalone"
    elif exe.startswith(("/usr/bin/", "/bin/")):
        kind = "the distribution's"
    else:
        kind = "python.org-style build"
    shared = "shared libpython" if sysconfig.get_config_var("Py_ENABLE_SHARED") else "static"
    venv = ", in a venv" if sys.prefix != sys.base_prefix else ""
    return Fact("Python", f"{platform.python_version()} ({kind}, {shared}{venv}) at {exe}")


def numpy_fact() -> Fact:
    import numpy
    return Fact("numpy", f"{numpy.__version__} at {os.path.dirname(numpy.__file__)}")


def user_fact() -> Fact:
    uid = os.geteuid()
    return Fact("user", "root" if uid == 0 else f"uid {uid} (not root: workers run as this "
                "user, so only a sandbox keeps them from this user's files)")


def kernel_fact() -> Fact:
    return Fact("kernel", f"Linux {platform.release()} ({platform.machine()})")


def user_namespaces() -> Fact:
    reads = {name: _read(path) for name, path in (
        ("max", "/proc/sys/user/max_user_namespaces"),
        ("clone", "/proc/sys/kernel/unprivileged_userns_clone"),
        ("apparmor", "/proc/sys/kernel/apparmor_restrict_unprivileged_userns"))}
    if reads["max"] == "0":
        return Fact("user namespaces", "disabled (user.max_user_namespaces = 0)", False,
                    "sudo sysctl -w user.max_user_namespaces=15000 (and add it to "
                    "/etc/sysctl.d/ to keep it)")
    if reads["clone"] == "0" and os.geteuid() != 0:
        return Fact("user namespaces", "disabled for unprivileged users", False,
                    "sudo sysctl -w kernel.unprivileged_userns_clone=1")
    if reads["apparmor"] == "1" and os.geteuid() != 0:
        return Fact("user namespaces", "restricted by AppArmor", False,
                    "install Debian/Ubuntu's bubblewrap package (it ships an AppArmor "
                    "profile), or sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0")
    return Fact("user namespaces", "available")


def bubblewrap() -> Fact:
    path = shutil.which("bwrap")
    if path is None:
        return Fact("bubblewrap", "not installed", False,
                    "sudo apt-get install bubblewrap (Debian/Ubuntu), sudo dnf install "
                    "bubblewrap (Fedora), or re-run setup.sh as root")
    version = _run([path, "--version"]) or "unknown version"
    return Fact("bubblewrap", f"{version} at {path}")


def landlock() -> Fact:
    from ..run.confine import landlock_abi
    abi = landlock_abi()
    if abi < 1:
        return Fact("Landlock", "not available", False,
                    "Linux 5.13 or later with Landlock enabled: add landlock to the lsm= "
                    "kernel parameter (e.g. lsm=landlock,lockdown,yama,apparmor,bpf) and "
                    "reboot")
    network = "files, TCP" if abi >= 4 else "files only (TCP rules need ABI 4, Linux 6.7)"
    scopes = ", signals and abstract sockets" if abi >= 6 else ""
    return Fact("Landlock", f"ABI {abi}: {network}{scopes}")


def seccomp() -> Fact:
    from ..run.confine import seccomp_supported
    if seccomp_supported():
        return Fact("seccomp", "available")
    return Fact("seccomp", "not available", False,
                "a kernel built with CONFIG_SECCOMP_FILTER (every mainstream distribution's)")


def cgroup() -> Fact:
    mounts = _read("/proc/self/mounts") or ""
    v2 = [line.split()[1] for line in mounts.splitlines() if " cgroup2 " in line]
    if not v2:
        return Fact("cgroup v2", "not mounted (memory counted by rlimits only)")
    controllers = _read(os.path.join(v2[0], "cgroup.controllers")) or "none delegated"
    return Fact("cgroup v2", f"at {v2[0]}, controllers: {controllers}")


def all_facts() -> list[Fact]:
    return [python_build(), numpy_fact(), user_fact(), kernel_fact(), bubblewrap(),
            user_namespaces(), landlock(), seccomp(), cgroup()]


def _read(path: str) -> str | None:
    try:
        with open(path) as handle:
            return handle.read().strip()
    except OSError:
        return None


def _run(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip().splitlines()[0] if done.stdout.strip() else ""
