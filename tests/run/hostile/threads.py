import threading
import time


def busy_thread():
    def chatter():
        while True:
            print("still here", flush=True)
            time.sleep(0.01)
    threading.Thread(target=chatter).start()  # not a daemon: would keep a normal process alive
    return "started"
