"""Each function runs into one rlimit."""
import os
import time


def write_big_file():
    with open("big.bin", "wb") as f:
        f.write(b"\0" * (4 * 2**20))


def open_many_files():
    return [open(os.devnull) for _ in range(10_000)]


def burn_cpu():
    while True:
        pass


def many_processes():
    children = []
    try:
        for _ in range(200):
            pid = os.fork()
            if pid == 0:
                time.sleep(30)
                os._exit(0)
            children.append(pid)
    finally:
        for pid in children:
            os.kill(pid, 9)


print("hits_limits imported")


def fine():
    return "fine"
