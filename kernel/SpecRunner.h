#pragma once

// The WebAssembly spec suite inside the kernel (issue 13 item 7): the same
// line protocol as the hosted runner k23-spec (tests/spec/SpecRunner.cpp,
// whose header comment is the reference), read from a file of the kernel's
// file system (the initrd ./k23 spec --where kernel writes,
// tools/driver/spec.py), with the modules it names read from there too.
// Each command's answer is one console line:
//
//   spec> ANSWER             ANSWER exactly as k23-spec prints it
//
// and the run ends with `spec: done N commands (free frames: B before, A
// after; tier T: O functions optimized, B baseline, F fell back)` (N
// answered; the frame allocator's free count around the run, the kernel
// heap collected; the boot argument tier='s counts over every guest). Modules run
// in U-mode guests: each `reset` ends the current guest (its frames return)
// and starts a fresh one with the `spectest` host module defined.
//
// Differences from the hosted runner, by design:
//   - `vector on` answers an error: a kernel guest compiles SIMD for the
//     scalar path (no vector state per guest yet); `vector off` is ok.
//   - anything malformed (a number that does not parse, a truncated v128,
//     an unknown value type) is `error invalidargument bad arguments`; a
//     file that cannot be read is `error io cannot read PATH`.
// Paths are those of the kernel's file system ("/" is its root).

#include <base/StringView.h>
#include <base/Integers.h>
#include <base/Vector.h>
#include <jit/Compile.h>
#include <wasi/RamFs.h>

namespace k23::kernel {

// One interpreter: the state between commands (the guest, its named
// instances, the features). The boot mode below runs one over a file;
// KTESTs drive one line by line.
class SpecInterpreter {
public:
    explicit SpecInterpreter(wasi::RamFs& fs) noexcept;
    ~SpecInterpreter() noexcept;
    SpecInterpreter(const SpecInterpreter&) = delete;
    SpecInterpreter& operator=(const SpecInterpreter&) = delete;

    // Puts the answer to one command line in `answer` (replacing what it
    // held); false, with `answer` empty, for a line without a command.
    bool run(StringView line, Vector<char>& answer) noexcept;
    // Ends the current guest, as the end of the input does.
    void finish() noexcept;
    // Per tier, the functions of the guests ended so far (kernel/WasmGuest.h).
    [[nodiscard]] jit::TierCounts tier_counts() const noexcept;

    struct State;

private:
    State* m_state { nullptr };
};

// Runs every command line of `path` in `fs`; returns the number of commands
// answered, or -1 (after printing `spec: cannot read PATH`) when the
// command file cannot be read.
long run_spec_commands(wasi::RamFs& fs, StringView path) noexcept;

} // namespace k23::kernel
