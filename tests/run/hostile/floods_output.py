import sys
import threading


def chatty(n):
    for i in range(n):
        print("line", i)
    return n


def flood():
    line = "x" * 1000
    while True:
        sys.stdout.write(line)
        sys.stderr.write(line)


def flood_in_background(total):
    def write():
        for _ in range(total // 1000):
            sys.stdout.write("y" * 1000)
    threading.Thread(target=write).start()
    return "flooding"
