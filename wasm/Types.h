#pragma once

// WebAssembly types (core spec 2.0 §2.3 "Types", binary form §5.3).
//
// ValueType is the type byte itself, so decoding a value type is one
// compare. Bottom is the validator's "unknown" type of the polymorphic stack
// (§3.3 "Instructions", appendix A.3 validation algorithm).
//
// Function types are interned in a TypeTable: equal signatures share one
// canonical index, so "same type" is an integer compare (call_indirect,
// import matching inside one store, tier-up tables).

#include <base/Result.h>
#include <base/Span.h>
#include <base/StringView.h>
#include <base/Integers.h>
#include <base/Vector.h>

namespace k23::wasm {

enum class ValueType : u8 {
    Bottom = 0x00, // validator only: unknown type after unreachable
    I32 = 0x7f,
    I64 = 0x7e,
    F32 = 0x7d,
    F64 = 0x7c,
    V128 = 0x7b,
    FuncRef = 0x70,
    ExternRef = 0x6f,
};

[[nodiscard]] constexpr bool is_number_type(ValueType t) noexcept
{
    return t == ValueType::I32 || t == ValueType::I64 || t == ValueType::F32 || t == ValueType::F64;
}
[[nodiscard]] constexpr bool is_vector_type(ValueType t) noexcept { return t == ValueType::V128; }
[[nodiscard]] constexpr bool is_reference_type(ValueType t) noexcept { return t == ValueType::FuncRef || t == ValueType::ExternRef; }
[[nodiscard]] constexpr bool is_value_type_byte(u8 b) noexcept
{
    return (b >= 0x7b && b <= 0x7f) || b == 0x70 || b == 0x6f;
}
[[nodiscard]] constexpr StringView value_type_name(ValueType t) noexcept
{
    switch (t) {
    case ValueType::I32: return "i32"_sv;
    case ValueType::I64: return "i64"_sv;
    case ValueType::F32: return "f32"_sv;
    case ValueType::F64: return "f64"_sv;
    case ValueType::V128: return "v128"_sv;
    case ValueType::FuncRef: return "funcref"_sv;
    case ValueType::ExternRef: return "externref"_sv;
    case ValueType::Bottom: return "<unknown>"_sv;
    }
    return "<bad>"_sv;
}
// Size of a value of this type in bytes (references are one pointer).
[[nodiscard]] constexpr u32 value_type_size(ValueType t) noexcept
{
    switch (t) {
    case ValueType::I32:
    case ValueType::F32: return 4;
    case ValueType::V128: return 16;
    default: return 8;
    }
}

// A function type as a view into the TypeTable's storage.
struct FunctionType {
    Span<const ValueType> params;
    Span<const ValueType> results;

    [[nodiscard]] bool operator==(const FunctionType& other) const noexcept
    {
        return params.equals(other.params) && results.equals(other.results);
    }
};

// §2.3.4 Limits; 64-bit fields so memory64 fits later.
struct Limits {
    u64 min { 0 };
    u64 max { 0 };
    bool has_max { false };
};

struct TableType {
    ValueType element { ValueType::FuncRef };
    Limits limits;
};

struct MemoryType {
    Limits limits;
    bool is_64 { false };
    bool is_shared { false };
};

struct GlobalType {
    ValueType type { ValueType::I32 };
    bool is_mutable { false };
};

enum class ExternKind : u8 {
    Function = 0,
    Table = 1,
    Memory = 2,
    Global = 3,
    Tag = 4, // exception handling; reserved
};

[[nodiscard]] constexpr StringView extern_kind_name(ExternKind kind) noexcept
{
    switch (kind) {
    case ExternKind::Function: return "func"_sv;
    case ExternKind::Table: return "table"_sv;
    case ExternKind::Memory: return "memory"_sv;
    case ExternKind::Global: return "global"_sv;
    case ExternKind::Tag: return "tag"_sv;
    }
    return "?"_sv;
}

// Interns function types: intern() returns the canonical index of an equal
// signature already in the table, or appends it. Lookups hash the signature.
class TypeTable {
public:
    TypeTable() noexcept = default;
    TypeTable(TypeTable&&) noexcept = default;
    TypeTable& operator=(TypeTable&&) noexcept = default;

    Result<u32> intern(Span<const ValueType> params, Span<const ValueType> results) noexcept;

    [[nodiscard]] usize size() const noexcept { return m_entries.size(); }
    [[nodiscard]] FunctionType at(u32 index) const noexcept
    {
        const Entry& e = m_entries[index];
        return { Span<const ValueType>(m_storage.data() + e.offset, e.param_count),
            Span<const ValueType>(m_storage.data() + e.offset + e.param_count, e.result_count) };
    }
    [[nodiscard]] usize memory_usage() const noexcept
    {
        return m_entries.capacity() * sizeof(Entry) + m_storage.capacity() + m_buckets.capacity() * sizeof(u32);
    }

private:
    struct Entry {
        u32 offset;
        u32 param_count;
        u32 result_count;
        u32 hash;
    };
    static u32 hash_of(Span<const ValueType> params, Span<const ValueType> results) noexcept;
    Result<void> grow_buckets() noexcept;

    Vector<Entry> m_entries;
    Vector<ValueType> m_storage;
    Vector<u32> m_buckets; // open addressing: entry index + 1, 0 = empty
};

} // namespace k23::wasm
