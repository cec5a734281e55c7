#pragma once

// `./k23 run FILE.wasm [ARGS...]` inside the kernel (issue 14): the boot
// argument `run=PATH[,PATH...]` names command files in the kernel's file system
// (the initrd tools/driver/initrd.py writes), and the kernel runs that
// WASI command as a U-mode guest (kernel/WasmGuest.h) with WASI preview1
// over the root file system, the way k23-run does on Linux.
//
// The command file: NUL-terminated strings, a key then its values:
//
//   module PATH           the .wasm (a path of the file system), once
//   name NAME             argv[0] and the name in error lines, once
//   arg VALUE             argv[1...], in order
//   env KEY=VALUE         the environment, in order
//   dir PATH GUEST        preopen file-system directory PATH, named GUEST
//   invoke NAME           call export NAME instead of _start: ARGS are its
//                         (integer) parameters, results printed one a line
//
// The console: what the guest writes to stdout and stderr, and the
// run's own lines for the user (a trap, a module that does not load), go
// between the frame bytes DLE 'B' and DLE 'X' (DLE = 0x10), which
// tools/driver/run.py decodes:
//
//   DLE 'O' / DLE 'E'    what follows is stdout / stderr (stdout at 'B')
//   DLE DLE              one DLE byte of the guest's output
//   DLE 'X' newline      the end
//
// stdin (fd 0) is the console's input (kernel/ConsoleInput.h: the driver
// sends it once the frame is open, DLE DLE for a DLE byte, DLE 'D' at its
// end), read by the first guest of the run alone; the other guests, and
// the default program's, read end of file. A read with nothing there yet
// sleeps the thread a millisecond at a time, so the others run.
//
// Inside the frame the kernel prints nothing of its own (the console turns
// each newline into CR LF, as everywhere). After it, one line
// `run: exit status N`, and the boot mode shuts down with status N.
// The status is k23-run's: the guest's proc_exit code, 0 when _start
// returns, 134 after a trap (the line `trap: <message> in <function> at
// wasm offset 0x...` on stderr), 1 when the command file, the module or
// its imports are bad (one line `run: NAME: <problem>` on stderr).

#include <base/StringView.h>
#include <wasi/RamFs.h>

namespace k23::kernel {

// Runs the commands of `command_paths` (command files, separated by
// commas: `run=A,B`) side by side, each guest on its own kernel thread
// (kernel/Scheduler.h), the timer preempting them round-robin. With one
// guest its output is exactly what it writes; with several, each line of
// a guest's comes after "[NAME] " (NAME: the last component of its name).
// `timeout_ms` (boot argument `run-timeout=MS`; 0: none): every guest
// still running that long after the start is killed, one line
// `run: NAME: killed: time is up (--timeout MS ms)` on its stderr, status
// 124 (timeout(1)'s); the others carry on. Returns the first guest's
// status (1 when a command file is bad or there are more than 8).
[[nodiscard]] u32 run_wasi_commands(wasi::RamFs& fs, StringView command_paths, u64 timeout_ms) noexcept;

// The default program (boot argument `demo`, what `./k23 run` without a
// file runs): the WASI modules of kernel/demo/, embedded in the image, run
// side by side as guests (primes, fib, a sleeper that naps in poll_oneoff,
// a spinner that loops forever until its 300 ms CPU budget kills it), then
// a table of what each did: how it ended, CPU time, instructions, turns on
// the hart, preemptions, waits. Returns 0 when each ended as it should.
[[nodiscard]] u32 run_default_program(wasi::RamFs& fs) noexcept;

} // namespace k23::kernel
