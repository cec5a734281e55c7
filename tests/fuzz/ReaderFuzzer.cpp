// libFuzzer target: read + validate (and, for an accepted module, every
// body decoded again in the decoder's Syntax and Trusted modes) +
// instantiate-without-running, with
// every proposal k23 implements enabled. Any crash, hang, leak or
// sanitizer report is a bug: malformed input must come back as an Error.
//
// Built by tests/fuzz/CMakeLists.txt (a standalone project: libFuzzer needs
// its own -fsanitize=fuzzer build) and run by `./k23 fuzz reader`.

#include <wasm/BinaryReader.h>
#include <wasm/FunctionDecoder.h>
#include <wasm/Linker.h>

using namespace k23;
using namespace k23::wasm;

// Instantiation allocates the declared minimum sizes; keep the fuzzer's
// memory bounded (the reader allows up to wasm/Limits.h's, e.g. tables of
// 10,000,000 elements: more than a fuzzer's iteration should allocate).
static bool small_enough(const Module& module) noexcept
{
    for (const MemoryType& m : module.memories()) {
        if (m.limits.min > 64)
            return false;
    }
    for (const TableType& t : module.tables()) {
        if (t.limits.min > 100000)
            return false;
    }
    return true;
}

extern "C" int LLVMFuzzerTestOneInput(const u8* data, usize size)
{
    ReadOptions options;
    options.features = Features::all();
    auto module = read_module(ReadonlyBytes(data, size), options);
    if (module.is_error())
        return 0;
    VERIFY(module.value().bytes().size() == size);
    // The decoder's three modes agree on what read_module accepted: every
    // body is well-formed (Syntax) and the compilers' Trusted decode, which
    // checks nothing, gets through it.
    VERIFY(module.value().functions_validated());
    {
        DecoderScratch scratch;
        NullInterface null;
        FunctionDecoder<NullInterface, DecodeMode::Syntax> syntax(module.value(), null, scratch);
        FunctionDecoder<NullInterface, DecodeMode::Trusted> trusted(module.value(), null, scratch);
        for (u32 i = module.value().imported_function_count(); i < module.value().functions().size(); ++i) {
            VERIFY(!syntax.decode(i).is_error());
            VERIFY(!trusted.decode(i).is_error());
        }
    }
    if (!small_enough(module.value()))
        return 0;
    Store store;
    Linker linker(store);
    if (linker.define_spectest().is_error())
        return 0;
    (void)linker.instantiate(module.value());
    return 0;
}
