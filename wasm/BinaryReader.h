#pragma once

// Reads and validates a WebAssembly binary module (core spec 2.0 §5
// "Binary Format" for decoding, §3.4 "Modules" for validation, and every
// function body through FunctionDecoder<NullInterface>).
//
// Errors carry the spec suite's wording where it has one, the byte offset
// and, inside a function body, the function index:
//   ErrorCode::Malformed  the bytes are not a well-formed binary (assert_malformed)
//   ErrorCode::Invalid    well-formed but fails validation (assert_invalid)

#include <base/Result.h>
#include <base/Span.h>
#include <wasm/Module.h>

namespace k23::wasm {

struct ReadOptions {
    Features features { Features::all() };
    // Validate function bodies (false: decode the module structure only;
    // the compilers then refuse the module, Module::functions_validated()).
    bool validate_functions { true };
};

[[nodiscard]] Result<Module> read_module(ReadonlyBytes bytes, const ReadOptions& options = {}) noexcept;

} // namespace k23::wasm
