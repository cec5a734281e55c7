#pragma once

// Implementation limits on modules and on what they create at run time.
//
// The core spec lets an implementation limit the size of a module
// (core spec 2.0 Appendix §A.2 "Implementation Limitations"); these are the
// exact limits of the WebAssembly JavaScript Interface, section
// "Implementation-defined Limits" (https://webassembly.github.io/spec/js-api/#limits),
// which every browser engine enforces, so a module k23 accepts is one the
// Web accepts too. Values as of the 2024 revision (WebAssembly/spec#1766
// raised imports and exports from 100,000 to 1,000,000). Two are k23's own
// and marked so: the JS API has no limit on the number of element segments,
// and none on br_table targets (those are bounded by the body size: each
// target takes at least one byte, and the validator never reserves more
// than the bytes left).
//
// The reader (wasm/BinaryReader.cpp) checks each count where it is read,
// before anything is allocated for it, and fails with
// ErrorCode::LimitExceeded: "<what> N exceeds the limit of L (limit
// exceeded)" and the byte offset of the count. `jit/Abi.h` relies on
// max_function_params (the stack headroom below the guest stack limit
// covers a call's pushed arguments) and every u32 offset into a module's
// bytes relies on max_module_size.

#include <base/Error.h>
#include <base/Integers.h>

namespace k23::wasm::limits {

// "The maximum size of a module is 1,073,741,824 bytes (1 GiB)."
inline constexpr u64 max_module_size = 1'073'741'824;
// "The maximum number of types defined in the types section is 1,000,000."
inline constexpr u64 max_types = 1'000'000;
// "The maximum number of functions defined in a module is 1,000,000."
// (The function section's count; imported functions count as imports.)
inline constexpr u64 max_functions = 1'000'000;
// "The maximum number of imports declared in a module is 1,000,000."
inline constexpr u64 max_imports = 1'000'000;
// "The maximum number of exports declared in a module is 1,000,000."
inline constexpr u64 max_exports = 1'000'000;
// "The maximum number of globals defined in a module is 1,000,000."
// (The global section's count; imported globals count as imports.)
inline constexpr u64 max_globals = 1'000'000;
// "The maximum number of data segments defined in a module is 100,000."
// Also the data count section's value.
inline constexpr u64 max_data_segments = 100'000;
// k23's own (the JS API has none): the same as for data segments.
inline constexpr u64 max_element_segments = 100'000;
// "The maximum number of tables, including declared or imported tables, is
// 100,000."
inline constexpr u64 max_tables = 100'000;
// "The maximum size of a table is 10,000,000." Checked on a table type's
// minimum (its initial size) when a module declares or imports it, and by
// TableInstance on creation and on every table.grow (which then returns
// -1). A larger maximum is accepted: it only bounds growth, and the spec
// suite declares tables of at most 2^32 - 1 elements.
inline constexpr u64 max_table_size = 10'000'000;
// "The maximum number of table entries in any table initialization is
// 10,000,000." (The item count of one element segment.)
inline constexpr u64 max_table_init_entries = 10'000'000;
// "The maximum number of memories, including defined and imported memories,
// is 100."
inline constexpr u64 max_memories = 100;
// "The maximum min or max field of a 32-bit memory is 65,536 pages (4 GiB)."
// The same as the core spec's own rule (§3.2.3), which the reader checks
// with the spec's message; MemoryInstance::grow returns -1 beyond it.
inline constexpr u64 max_memory32_pages = 65'536;
// "The maximum number of parameters to any function or block is 1,000."
// (A block's type is a type index, so checking the types covers blocks.)
inline constexpr u64 max_function_params = 1'000;
// "The maximum number of return values for any function or block is 1,000."
inline constexpr u64 max_function_results = 1'000;
// "The maximum size of a function body, including locals declarations, is
// 7,654,321 bytes."
inline constexpr u64 max_function_body_size = 7'654'321;
// "The maximum number of locals declared in a function, including
// implicitly declared as parameters, is 50,000."
inline constexpr u64 max_function_locals = 50'000;

static_assert(max_function_params <= max_function_locals, "parameters are locals");
static_assert(max_module_size <= 0xffffffffull, "module offsets are u32");

// The error for a count or size beyond one of these limits, e.g.
// "param count 40000 exceeds the limit of 1000 (limit exceeded)".
[[nodiscard]] inline Error exceeded(const char* what, u64 value, u64 limit) noexcept
{
    return Error::formatted(ErrorCode::LimitExceeded, "{} {} exceeds the limit of {} (limit exceeded)"_sv,
        StringView(what), value, limit);
}

} // namespace k23::wasm::limits
