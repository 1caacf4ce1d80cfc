"""A family of processes for the `pid N and descendants` test.

The parent forks a child at once; both wait for the file GO. Then the
parent calls getppid() once and forks a second child that calls it 4
times; the first child calls it twice and forks a grandchild that calls
it 3 times. Every process then exits, the parent last.

Usage: family.py GO
"""
import os
import sys
import time

go = sys.argv[1]


def wait_for_go():
    while not os.path.exists(go):
        time.sleep(0.02)


def child(calls, then=None):
    pid = os.fork()
    if pid == 0:
        if then:
            then()
        for _ in range(calls):
            os.getppid()
        os._exit(0)
    return pid


def first_child():
    wait_for_go()
    os.waitpid(child(3), 0)  # the grandchild


early = child(2, first_child)  # exists before tracing starts
wait_for_go()
os.getppid()
late = child(4)  # forked after tracing started
for pid in (early, late):
    os.waitpid(pid, 0)
