"""The first process of a test "container" (and of its twin outside one).

Starts nginx with two worker processes on PORT (config and logs in WORK),
then waits for the file GO to appear; when it does, forks three children
that each call getppid() five times: processes that did not exist when
tracing started. Then waits until it is terminated, and ends nginx.

Usage: container_init.py WORK PORT GO
"""
import os
import signal
import subprocess
import sys
import time

from nginx_conf import write_nginx_conf

work, port, go = sys.argv[1], int(sys.argv[2]), sys.argv[3]
conf = write_nginx_conf(work, port)
nginx = subprocess.Popen(["nginx", "-c", conf, "-p", work], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
signal.signal(signal.SIGTERM, lambda *_: (nginx.terminate(), nginx.wait(), sys.exit(0)))

while not os.path.exists(go):
    time.sleep(0.02)
children = []
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        for _ in range(5):
            os.getppid()
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
with open(os.path.join(work, "forked"), "w") as f:
    f.write("3\n")
while True:
    signal.pause()
