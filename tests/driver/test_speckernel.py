"""tools/driver/speckernel.py: `./k23 spec --where kernel` records each
file's commands, and replays the kernel's answers through spec.run_file
(the same judge as the hosted runner), without booting anything here."""
import json
import os
import tempfile

import spec
import speckernel


def _json_file(work, commands):
    path = os.path.join(work, "t.json")
    with open(path, "w") as f:
        json.dump({"commands": commands}, f)
    for cmd in commands:
        if "filename" in cmd:
            with open(os.path.join(work, cmd["filename"]), "wb") as f:
                f.write(b"\0asm\1\0\0\0")
    return path


COMMANDS = [
    {"type": "module", "line": 1, "filename": "t.0.wasm"},
    {"type": "assert_return", "line": 2, "action": {"type": "invoke", "field": "f", "args": [{"type": "i32", "value": "7"}]},
     "expected": [{"type": "i32", "value": "8"}]},
    {"type": "module", "line": 3, "name": "$m", "filename": "t.1.wasm"},
    {"type": "assert_trap", "line": 4, "action": {"type": "invoke", "field": "g", "args": []}, "text": "unreachable"},
    {"type": "assert_invalid", "line": 5, "filename": "t.2.wasm", "text": "type mismatch", "module_type": "binary"},
    {"type": "register", "line": 6, "name": "$m", "as": "M N"},
]


def _record(work):
    modules = {}
    recorder = speckernel.Recorder(modules)
    path = _json_file(work, COMMANDS)
    recorder.lines = ["features none"]
    spec.run_file(recorder, spec.Report(), "core", "t.wast", path)
    return recorder, path


def check_speckernel_records_initrd_paths(ctx):
    with tempfile.TemporaryDirectory() as work:
        recorder, _ = _record(work)
        assert recorder.lines == [
            "features none", "reset", "load - /spec/m/0.wasm", "invoke - f i32:7",
            "load $m /spec/m/1.wasm", "invoke - g", "check /spec/m/2.wasm", "register M%20N $m",
        ], recorder.lines
        assert sorted(recorder.modules.values()) == ["spec/m/0.wasm", "spec/m/1.wasm", "spec/m/2.wasm"]


def check_speckernel_replays_answers_through_run_file(ctx):
    with tempfile.TemporaryDirectory() as work:
        recorder, path = _record(work)
        answers = ["ok", "ok", "ok", "ok i32:8", "ok", "error trap unreachable in g at wasm offset 0x20",
                   "error invalid type mismatch: expected i32", "ok"]
        report = spec.Report()
        spec.run_file(speckernel.Replayer(recorder, recorder.lines, answers, ""), report, "core", "t.wast", path)
        assert report.totals == {"passed": 6, "failed": 0, "skipped": 0}, report.as_json()
        # A skipped module: run_file leaves out the command on it, the
        # replayer passes over its recorded answer.
        answers[2] = "skip no start functions"
        report = spec.Report()
        spec.run_file(speckernel.Replayer(recorder, recorder.lines, answers, ""), report, "core", "t.wast", path)
        assert report.totals == {"passed": 4, "failed": 0, "skipped": 2}, report.as_json()


def check_speckernel_a_kernel_that_stops_fails_the_file(ctx):
    with tempfile.TemporaryDirectory() as work:
        recorder, path = _record(work)
        report = spec.Report()
        replayer = speckernel.Replayer(recorder, recorder.lines, ["ok", "ok", "ok"], "panic: x")
        try:
            spec.run_file(replayer, report, "core", "t.wast", path)
        except RuntimeError as e:
            assert "stopped answering on: invoke - f i32:7" in str(e) and "panic: x" in str(e), str(e)
        else:
            raise AssertionError("no RuntimeError for a missing answer")


def check_speckernel_reads_answers_from_the_console(ctx):
    output = "k23 0.1.0\r\nspec> ok\r\nspec> error trap x \r\nguest: something\r\nspec> ok i32:1\r\nspec: done 3 commands\r\n"
    answers, done = speckernel.answers_of(output)
    assert answers == ["ok", "error trap x ", "ok i32:1"] and done, (answers, done)
    assert speckernel.answers_of("spec> ok\n") == (["ok"], False)


def check_speckernel_a_boot_that_stops_fails_its_file_and_the_next_boot_goes_on(ctx):
    import qemu
    with tempfile.TemporaryDirectory() as work:
        recorder, path = _record(work)
        files = []
        for i in range(3):
            f = speckernel.File("core", f"t{i}.wast", path, "none")
            f.lines = list(recorder.lines)
            files.append(f)
        boots = []
        n = len(recorder.lines)

        def fake_boot(image, append, initrd_path, vlen, idle_timeout):
            boots.append(initrd_path)
            if len(boots) == 1:   # file 0 whole, file 1 cut short by a panic
                out = "".join(f"spec> ok\n" for _ in range(n + 2)) + "panic: boom\nshutdown: status 1\n"
                return qemu.judge(out, 1, False, 1.0, idle_timeout), False
            out = "".join(f"spec> ok\n" for _ in range(n)) + "spec: done 8 commands\nshutdown: status 0\n"
            return qemu.judge(out, 0, False, 1.0, idle_timeout), False

        saved = (speckernel.boot_kernel, speckernel.k23build.build, speckernel.info)
        speckernel.boot_kernel = fake_boot
        speckernel.k23build.build = lambda **kwargs: None
        speckernel.info = lambda *args: None
        try:
            report = spec.Report()
            speckernel.run_in_kernel(files, recorder.modules, report, 128, False)
        finally:
            speckernel.boot_kernel, speckernel.k23build.build, speckernel.info = saved
        assert len(boots) == 2, boots
        assert len(files[0].answers) == n and len(files[1].answers) == 2 and len(files[2].answers) == n
        assert "panic: boom" in files[1].why_stopped, files[1].why_stopped
        assert report.failures == [], report.failures
