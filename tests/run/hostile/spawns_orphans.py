"""Leaves processes behind: plain children, and a daemon that escaped with setsid."""
import os
import subprocess
import time


def children(n=3):
    for _ in range(n):
        if os.fork() == 0:
            time.sleep(600)
            os._exit(0)
    return os.getpid()


def daemonize():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            for fd in range(4):
                try:
                    os.close(fd)
                except OSError:
                    pass
            time.sleep(600)
        os._exit(0)
    os.wait()
    return "daemon started"


def subprocess_sleeper():
    subprocess.Popen(["sleep", "600"], start_new_session=True)
    return "started"
