"""The kernel's unprivileged confinement, applied by a worker to itself before student code.

Shipped into the sandbox beside zygote.py, so it imports only the standard library.
Two mechanisms, both available to any user once ``no_new_privs`` is set:

- **seccomp** (every level): the calls a submission never needs and that reach past its
  limits are refused with EPERM: sockets (only ``socketpair`` stays), ptrace and
  cross-process memory access, the kernel keyrings (they outlive a process and would
  carry data to the next student's worker), SysV and POSIX message/shared memory and
  ``memfd_create`` (memory that RLIMIT_AS does not count), io_uring (it performs
  socket and file operations without the system calls filtered here), bpf,
  perf_event_open and userfaultfd.
- **Landlock** (the ``landlock`` level): the worker may read only the runtime, numpy and
  its own folder, write only its own folder, make no TCP connection, and neither signal
  nor reach (abstract UNIX sockets) any process outside its own sandbox.

Landlock and seccomp calls are made through ``ctypes`` because the zygote may import
nothing outside the standard library (see zygote.py).
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct

libc = ctypes.CDLL(None, use_errno=True)

# ------------------------------------------------------------------------- Landlock
SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446  # same on all arches
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1, 2, 4, 8
FS_TRUNCATE, FS_IOCTL_DEV = 1 << 14, 1 << 15
FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
NET_BIND_TCP, NET_CONNECT_TCP = 1, 2
SCOPE_ABSTRACT_UNIX, SCOPE_SIGNAL = 1, 2
READ = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR


def landlock_abi() -> int:
    """The kernel's Landlock ABI version; 0 when Landlock is missing or disabled."""
    version = libc.syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0),
                           ctypes.c_uint32(CREATE_RULESET_VERSION))
    return max(int(version), 0)


def fs_rights(abi: int) -> int:
    """Every filesystem right this ABI knows: what is not granted is then denied."""
    rights = (1 << 13) - 1  # execute .. make_sym (ABI 1)
    if abi >= 2:
        rights |= 1 << 13  # refer
    if abi >= 3:
        rights |= FS_TRUNCATE
    if abi >= 5:
        rights |= FS_IOCTL_DEV
    return rights


EVERYTHING = -1  # every right the ABI handles: the worker's own folder


def prepare(rules: list[tuple[int, int]], abi: int) -> list:
    """Each (O_PATH fd, rights) as the kernel's rule struct, built once in the zygote so a
    worker only makes the system calls. A file's rule keeps only file rights."""
    handled = fs_rights(abi)
    prepared = []
    for fd, rights in rules:
        rights = handled if rights == EVERYTHING else rights & handled
        if not os.path.isdir(f"/proc/self/fd/{fd}"):
            rights &= FILE_RIGHTS
        prepared.append(ctypes.create_string_buffer(struct.pack("<Qi", rights, fd), 12))
    return prepared


def landlock(rules: list[tuple[int, int]], abi: int, prepared: list = ()) -> None:
    """Restrict this process (and what it starts) to ``prepared`` rules plus ``rules``
    ((O_PATH fd, rights) pairs). A folder's rights hold for everything below it.
    Raises OSError when the kernel refuses.
    """
    fields = [fs_rights(abi), NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
              SCOPE_ABSTRACT_UNIX | SCOPE_SIGNAL if abi >= 6 else 0]
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    attr = ctypes.create_string_buffer(struct.pack("<3Q", *fields)[:size], size)
    ruleset = libc.syscall(SYS_CREATE_RULESET, attr, ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        _fail("landlock_create_ruleset")
    try:
        path_beneath, no_flags = ctypes.c_uint32(RULE_PATH_BENEATH), ctypes.c_uint32(0)
        for rule in [*prepared, *prepare(rules, abi)]:
            if libc.syscall(SYS_ADD_RULE, ruleset, path_beneath, rule, no_flags) != 0:
                _fail("landlock_add_rule")
        if libc.syscall(SYS_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)) != 0:
            _fail("landlock_restrict_self")
    finally:
        os.close(ruleset)


# -------------------------------------------------------------------------- seccomp
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
RET_ALLOW, RET_ERRNO, RET_KILL_PROCESS = 0x7FFF0000, 0x00050000, 0x80000000
LD_W_ABS, JEQ_K, JGE_K, RET_K = 0x20, 0x15, 0x35, 0x06
X32_BIT = 0x40000000

# (audit arch, syscall numbers refused). socketpair stays: Pipe() and friends use it.
_ARCHES = {
    "x86_64": (0xC000003E, {
        "socket": 41, "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311,
        "add_key": 248, "request_key": 249, "keyctl": 250, "shmget": 29, "semget": 64,
        "msgget": 68, "mq_open": 240, "memfd_create": 319, "memfd_secret": 447,
        "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
        "bpf": 321, "perf_event_open": 298, "userfaultfd": 323, "pidfd_getfd": 438}),
    "aarch64": (0xC00000B7, {
        "socket": 198, "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271,
        "add_key": 217, "request_key": 218, "keyctl": 219, "shmget": 194, "semget": 190,
        "msgget": 186, "mq_open": 180, "memfd_create": 279, "memfd_secret": 447,
        "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
        "bpf": 280, "perf_event_open": 241, "userfaultfd": 282, "pidfd_getfd": 438}),
}
REFUSED = tuple(_ARCHES["x86_64"][1])


def seccomp_supported() -> bool:
    return platform.machine() in _ARCHES and os.path.exists("/proc/self/status") and \
        "Seccomp:" in open("/proc/self/status").read()


def seccomp_filter() -> bytes:
    """The BPF program: refuse the calls in REFUSED with EPERM, allow the rest.

    A call made through another ABI (i386 on x86_64, x32) is refused outright, since
    its numbers differ and would slip past the list.
    """
    arch, numbers = _ARCHES[platform.machine()]
    deny = RET_ERRNO | errno.EPERM
    prog = [(LD_W_ABS, 0, 0, 4), (JEQ_K, 1, 0, arch), (RET_K, 0, 0, deny),
            (LD_W_ABS, 0, 0, 0)]
    if platform.machine() == "x86_64":
        prog += [(JGE_K, 0, 1, X32_BIT), (RET_K, 0, 0, deny)]
    for number in sorted(set(numbers.values())):
        prog += [(JEQ_K, 0, 1, number), (RET_K, 0, 0, deny)]
    prog.append((RET_K, 0, 0, RET_ALLOW))
    return b"".join(struct.pack("<HBBI", *insn) for insn in prog)


def seccomp() -> None:
    """Install the filter on this process (inherited by everything it starts)."""
    code = seccomp_filter()
    buf = ctypes.create_string_buffer(code, len(code))
    prog = struct.pack("<HxxxxxxQ", len(code) // 8, ctypes.addressof(buf))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), 0, 0, 0) != 0:
        _fail("prctl(NO_NEW_PRIVS)")
    arg = ctypes.create_string_buffer(prog, len(prog))
    if libc.prctl(PR_SET_SECCOMP, ctypes.c_ulong(SECCOMP_MODE_FILTER), arg, 0, 0) != 0:
        _fail("prctl(SECCOMP)")


def _fail(what: str) -> None:
    err = ctypes.get_errno()
    raise OSError(err, f"{what}: {os.strerror(err)}")
