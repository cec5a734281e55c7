// The spec command interpreter (kernel/SpecRunner.h): k23-spec's line
// protocol answered inside the kernel, over files of a RamFs; bad input of
// any kind is an error answer, never a crash; resets give the frames back.

#include <base/Memory.h>
#include <base/Vector.h>
#include <kernel/Heap.h>
#include <kernel/KTest.h>
#include <kernel/SpecRunner.h>
#include <kernel/mm/PhysicalMemory.h>
#include <wasi/Cpio.h>
#include <wasi/RamFs.h>

using namespace k23;
using namespace k23::kernel;

namespace {

// wat2wasm of:
//   (module
//     (memory (export "memory") 1 4)
//     (data (i32.const 16) "k23")
//     (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
//     (func (export "load") (param i32) (result i32) local.get 0 i32.load8_u))
constexpr u8 add_module[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0c, 0x02, 0x60,
    0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x03, 0x03,
    0x02, 0x00, 0x01, 0x05, 0x04, 0x01, 0x01, 0x01, 0x04, 0x07, 0x17, 0x03,
    0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x03, 0x61, 0x64,
    0x64, 0x00, 0x00, 0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x01, 0x0a, 0x11,
    0x02, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, 0x07, 0x00, 0x20,
    0x00, 0x2d, 0x00, 0x00, 0x0b, 0x0b, 0x09, 0x01, 0x00, 0x41, 0x10, 0x0b,
    0x03, 0x6b, 0x32, 0x33
};
// A version 2 header: malformed ("unknown binary version").
constexpr u8 bad_module[] = { 0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00 };

// A RamFs with m/add.wasm and m/bad.wasm.
bool fill(wasi::RamFs& fs) noexcept
{
    Vector<u8> archive;
    if (wasi::cpio::append_entry(archive, "m"_sv, wasi::cpio::type_directory | 0755, 1, {}).is_error()
        || wasi::cpio::append_entry(archive, "m/add.wasm"_sv, wasi::cpio::type_regular | 0644, 2, Span<const u8>(add_module, sizeof add_module)).is_error()
        || wasi::cpio::append_entry(archive, "m/bad.wasm"_sv, wasi::cpio::type_regular | 0644, 3, Span<const u8>(bad_module, sizeof bad_module)).is_error()
        || wasi::cpio::append_trailer(archive, 4).is_error())
        return false;
    return !fs.unpack(archive.span()).is_error();
}

StringView view(const Vector<char>& text) noexcept { return { text.data(), text.size() }; }

bool is_answer(StringView text) noexcept
{
    return text == "ok"_sv || text.starts_with("ok "_sv) || text.starts_with("skip "_sv) || text.starts_with("error "_sv);
}

} // namespace

KTEST(spec_runner_answers_the_protocol)
{
    wasi::RamFs fs(1 << 20);
    KASSERT(fill(fs));
    SpecInterpreter spec(fs);
    Vector<char> answer;
    struct Case {
        const char* line;
        const char* answer; // exact, or a prefix when it ends with '*'
    };
    static constexpr Case cases[] = {
        { "features none", "ok" },
        { "reset", "ok" },
        { "invoke - add i32:1 i32:2", "error notfound no export add" },
        { "check /m/add.wasm", "ok" },
        { "check m/bad.wasm", "error malformed *" },
        { "check /nope.wasm", "error io cannot read /nope.wasm" },
        { "check /m", "error io cannot read /m" },
        { "load $a /m/add.wasm", "ok" },
        { "load - /m/bad.wasm", "error malformed *" },
        { "link /m/add.wasm", "ok" },
        { "register A%20B $a", "ok" },
        { "register X $zz", "error notfound no module $zz" },
        { "register X%zz -", "ok" },
        { "vector off", "ok" },
        { "vector on", "error unsupported *" },
        { "features extended-const,tail-call,multi-memory,relaxed-simd,bogus", "ok" },
        { "frobnicate 1 2", "error invalidargument unknown command frobnicate" },
        { "  \t reset  ", "ok" },
        { "invoke $a add i32:1 i32:2", "error notfound no export add" },
        { "load $a /m/add.wasm", "ok" },
        { "invoke $nobody f", "error notfound no export f" },
        // Executed in the guest, in U-mode.
        { "invoke $a add i32:1 i32:2", "ok i32:3" },
        { "invoke $a add i32:4294967295 i32:2", "ok i32:1" },
        { "invoke $a load i32:16", "ok i32:107" },
        { "invoke $a load i32:65536", "error trap out of bounds memory access*" },
        { "invoke $a add i32:1", "error invalidargument bad arguments" },
        { "invoke $a add i32:1 i64:2", "*" },
        { "invoke $a memory", "error notfound not a function memory" },
        { "get $a add", "error notfound not a global add" },
        { "get $a nothing", "error notfound no export nothing" },
        { "invoke - add i32:5 i32:6", "ok i32:11" },
        { "invoke A%20B add i32:5 i32:6", "error notfound no export add" },
    };
    for (const Case& c : cases) {
        KASSERT(spec.run(StringView(c.line), answer));
        StringView want(c.answer);
        if (want.ends_with('*')) {
            if (!view(answer).starts_with(want.substring(0, want.length() - 1)))
                ktest_failf(__FILE__, __LINE__, false, "{}: answered '{}'"_sv, c.line, view(answer));
        } else if (view(answer) != want) {
            ktest_failf(__FILE__, __LINE__, false, "{}: answered '{}', want '{}'"_sv, c.line, view(answer), want);
        }
    }
    // A line without a command has no answer.
    KEXPECT(!spec.run(""_sv, answer));
    KEXPECT(!spec.run(" \t\r"_sv, answer));
    KEXPECT(answer.is_empty());
    spec.finish();
}

KTEST(spec_runner_answers_garbage_with_errors)
{
    wasi::RamFs fs(1 << 20);
    KASSERT(fill(fs));
    SpecInterpreter spec(fs);
    Vector<char> answer;
    static constexpr const char* lines[] = {
        "invoke", "invoke -", "invoke - add", "invoke - add i32:", "invoke - add i32:x i32:1",
        "invoke - add i32:99999999999999999999999 i32:1", "invoke - add v128:00 f64:-", "get", "get -",
        "get - memory", "load", "load $x", "check", "link", "register", "register %", "register %4",
        "features", "vector", "reset extra words", "load - /m/add.wasm", "invoke - add i32:1",
        "invoke - add i32:1 i32:2 i32:3", "invoke - add externref:1 funcref:null", "invoke - memory",
        "get - add", "invoke - %00%ff%", "get - v128:zz", "register %%%% %%",
    };
    for (const char* line : lines) {
        KASSERT(spec.run(StringView(line), answer));
        if (!is_answer(view(answer)))
            ktest_failf(__FILE__, __LINE__, false, "{}: answered '{}'"_sv, line, view(answer));
    }
    // Random bytes (a fixed LCG), NULs included, and one very long line.
    u64 seed = 0x2545f4914f6cdd1dull;
    char line[200];
    static constexpr const char* verbs[] = { "invoke - ", "get - ", "load - ", "check ", "register ", "link ", "reset ", "" };
    for (int i = 0; i < 2000; ++i) {
        StringView verb(verbs[i % 8]);
        copy_bytes(line, verb.data(), verb.length());
        usize n = verb.length();
        usize length = n + usize((seed >> 33) % 120);
        for (; n < length; ++n) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            line[n] = char(seed >> 56);
        }
        if (spec.run(StringView(line, length), answer) && !is_answer(view(answer)))
            ktest_failf(__FILE__, __LINE__, false, "random line {}: answered '{}'"_sv, i, view(answer));
    }
    Vector<char> long_line;
    KASSERT(!long_line.try_extend(Span<const char>("invoke - add ", 13)).is_error());
    for (int i = 0; i < 20000; ++i)
        KASSERT(!long_line.try_extend(Span<const char>("i32:7 ", 6)).is_error());
    KASSERT(spec.run(view(long_line), answer));
    KEXPECT(is_answer(view(answer)));
    spec.finish();
}

KTEST(spec_runner_resets_give_the_frames_back)
{
    wasi::RamFs fs(1 << 20);
    KASSERT(fill(fs));
    Vector<char> answer;
    {
        // Warm up: the heap keeps some frames cached after the first use.
        SpecInterpreter spec(fs);
        KASSERT(spec.run("reset"_sv, answer));
        KASSERT(spec.run("load - /m/add.wasm"_sv, answer));
        spec.finish();
    }
    heap_collect();
    usize frames_before = physical_memory().free_frame_count();
    {
        SpecInterpreter spec(fs);
        for (int i = 0; i < 20; ++i) {
            KASSERT(spec.run("reset"_sv, answer));
            KEXPECT(view(answer) == "ok"_sv);
            for (int j = 0; j < 3; ++j) {
                KASSERT(spec.run("load - /m/add.wasm"_sv, answer));
                KEXPECT(view(answer) == "ok"_sv);
            }
        }
        spec.finish();
    }
    heap_collect();
    usize frames_after = physical_memory().free_frame_count();
    if (frames_after != frames_before)
        ktest_failf(__FILE__, __LINE__, false, "{} frames before 20 resets, {} after"_sv, frames_before, frames_after);
}
