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


def flood_in_background():
    threading.Thread(target=flood, daemon=True).start()
    return "flooding"
