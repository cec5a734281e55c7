"""Stand-ins for the test programs the rings run, each ending the way its
MODE says (tests/driver/test_status.py checks how the driver judges that).

  standin.py spec MODE     answers k23-spec's protocol ("ok" to features,
                           reset and vector, "skip stand-in" to the other
                           commands), then at the end of its input:
      clean    exits 0
      status   exits 3
      ubsan    prints a UBSan report on stderr, exits 0 (as with recovery on)
      crash    (at its third command) prints an ASan report and dies of SIGSEGV
      hang     (at its third command) stops answering
      noengine answers `reset` with an error (no engine could be created)
  standin.py gtest MODE --gtest_output=json:PATH ...
      clean        one passing test, exits 0
      failed       one failing test, exits 1
      leak         one passing test, then a LeakSanitizer report, exits 23
      failed-leak  one failing test, then a LeakSanitizer report, exits 1
      crash        one passing test in the log, then dies of SIGSEGV, no report
      hang         sleeps past any timeout the check gives it
"""
import json
import os
import signal
import sys
import time

LSAN = """
=================================================================
==4242==ERROR: LeakSanitizer: detected memory leaks

Direct leak of 8 byte(s) in 1 object(s) allocated from:
    #0 0x55 in operator new(unsigned long)
    #1 0x56 in k23::jit::Engine::create(k23::jit::EngineOptions const&) jit/Engine.cpp:1
    #2 0x57 in State::reset() tests/spec/SpecRunner.cpp:85

SUMMARY: AddressSanitizer: 8 byte(s) leaked in 1 allocation(s).
"""
ASAN = """
=================================================================
==4242==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000
    #0 0x55 in main tests/spec/SpecRunner.cpp:1
SUMMARY: AddressSanitizer: SEGV tests/spec/SpecRunner.cpp:1 in main
"""
UBSAN = "wasm/Stand.cpp:12:5: runtime error: signed integer overflow: 2147483647 + 1\n"


def die():
    sys.stdout.flush()
    sys.stderr.flush()
    signal.signal(signal.SIGSEGV, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGSEGV)


def spec(mode):
    commands = 0
    for line in sys.stdin:
        if not line.split():
            continue
        commands += 1
        if commands == 3 and mode == "crash":
            sys.stderr.write(ASAN)
            die()
        if commands == 3 and mode == "hang":
            time.sleep(3600)
        word = line.split()[0]
        if word == "reset" and mode == "noengine":
            print("error unsupported stand-in has no engine", flush=True)
            continue
        print("ok" if word in ("features", "reset", "vector") else "skip stand-in", flush=True)
    if mode == "ubsan":
        sys.stderr.write(UBSAN)
    return 3 if mode == "status" else 0


def gtest(mode, args):
    path = next(a.split(":", 1)[1] for a in args if a.startswith("--gtest_output=json:"))
    failed = mode.startswith("failed")
    print("[ RUN      ] Stand.In")
    if mode == "crash":
        print("[       OK ] Stand.In (0 ms)")
        die()
    if mode == "hang":
        time.sleep(3600)
    case = {"name": "In", "status": "RUN", "result": "COMPLETED"}
    if failed:
        case["failures"] = [{"failure": "standin.py:1\nExpected equality", "type": ""}]
    with open(path, "w") as f:
        json.dump({"testsuites": [{"name": "Stand", "testsuite": [case]}]}, f)
    print("[  FAILED  ] Stand.In (0 ms)" if failed else "[       OK ] Stand.In (0 ms)")
    if mode.endswith("leak"):
        sys.stdout.flush()
        sys.stderr.write(LSAN)
        return 1 if failed else 23
    return 1 if failed else 0


if __name__ == "__main__":
    kind, mode = sys.argv[1], sys.argv[2]
    sys.exit(spec(mode) if kind == "spec" else gtest(mode, sys.argv[3:]))
