#pragma once

// The runtime model (core spec 2.0 §4.2 "Runtime Structure"): values, and
// the store's objects — function, table, memory and global instances, and
// module instances. A Store owns every object it creates; instances refer
// to each other by pointer, so objects never move once created.
//
// Traps are values: an Error with ErrorCode::Trap and the spec's message
// ("out of bounds memory access", ...), see TrapCode.

#include <base/Error.h>
#include <base/Result.h>
#include <base/Span.h>
#include <base/StringView.h>
#include <base/Vector.h>
#include <wasm/Limits.h>
#include <wasm/Module.h>
#include <base/Platform.h>
#include <wasm/Types.h>

namespace k23::wasm {

class Instance;
class Store;
struct FunctionInstance;

// A reference value: nullptr is ref.null; a funcref points at a
// FunctionInstance, an externref at whatever the host gave.
using Reference = void*;

struct Value {
    ValueType type { ValueType::I32 };
    union {
        u32 i32;
        u64 i64;
        u32 f32_bits;
        u64 f64_bits;
        u8 v128[16];
        Reference ref;
    };

    Value() noexcept
        : i64(0)
    {
        fill_bytes(v128, 0, 16);
    }
    [[nodiscard]] static Value from_i32(u32 v) noexcept { Value r; r.type = ValueType::I32; r.i32 = v; return r; }
    [[nodiscard]] static Value from_i64(u64 v) noexcept { Value r; r.type = ValueType::I64; r.i64 = v; return r; }
    [[nodiscard]] static Value from_f32_bits(u32 v) noexcept { Value r; r.type = ValueType::F32; r.f32_bits = v; return r; }
    [[nodiscard]] static Value from_f64_bits(u64 v) noexcept { Value r; r.type = ValueType::F64; r.f64_bits = v; return r; }
    [[nodiscard]] static Value from_ref(ValueType t, Reference ref) noexcept { Value r; r.type = t; r.ref = ref; return r; }
    [[nodiscard]] static Value default_of(ValueType t) noexcept { Value r; r.type = t; return r; }
};

enum class TrapCode : u8 {
    Unreachable,
    IntegerDivideByZero,
    IntegerOverflow,
    InvalidConversion,
    OutOfBoundsMemory,
    OutOfBoundsTable,
    IndirectCallTypeMismatch,
    UninitializedElement,
    NullReference,
    CallStackExhausted,
    UndefinedElement, // call_indirect index beyond the table (§4.4.8)
    // Not a spec trap: the embedder stopped the guest (jit::Engine::interrupt,
    // k23-run --timeout). Last, so the spec codes keep their values.
    Interrupted,
};

[[nodiscard]] StringView trap_message(TrapCode code) noexcept;
[[nodiscard]] inline Error make_trap(TrapCode code) noexcept { return Error::from_code(ErrorCode::Trap, trap_message(code)); }

// A host function: results has room for the signature's results.
using HostCallback = Result<void> (*)(void* data, Span<const Value> args, Span<Value> results);

// A typed host function's return: a0 = the result (an i32 sign-extended
// to 64 bits, as jit/Abi.h keeps it), a1 = nonzero when the call failed
// (HostCall::fail stored the error).
struct HostReturn {
    u64 value;
    u64 failed;
};

// What a typed host function gets besides its arguments.
struct HostCall {
    void* data { nullptr };   // HostFunction::data
    Error* error { nullptr }; // where a failure's error goes (the caller's)
    [[nodiscard]] HostReturn fail(Error e) const noexcept
    {
        *error = k23::move(e);
        return { 0, 1 };
    }
};

// The direct form of a host function (wasm/TypedHost.h makes one from a
// C++ signature): at most typed_host_max_params integer parameters (i32,
// i64) and at most one integer result, so generated code calls it with its
// wasm arguments where they already are, a0..a5 (an i32 sign-extended),
// and the HostCall in a6 (jit/Abi.h "Host calls"). Unused argument
// registers hold garbage.
inline constexpr usize typed_host_max_params = 6;
using TypedHostCallback = HostReturn (*)(u64, u64, u64, u64, u64, u64, const HostCall&) noexcept;
[[nodiscard]] bool fits_typed_host(const FunctionType& type) noexcept;

// The callbacks of a host function and its data. Kept apart from the
// FunctionInstance, which generated code reads (an exposed object,
// base/Platform.h): a guest never sees a host function's address.
// `callback` (boxed values) is always there; `typed`, when not null, is the
// same function for callers that have the arguments in registers.
struct HostFunction {
    HostCallback callback { nullptr };
    TypedHostCallback typed { nullptr };
    void* data { nullptr };
};

// Exposed (base/Platform.h): a funcref is a FunctionInstance*, and
// call_indirect reads `type` and `jit` (jit/VMContext.h), so it holds
// nothing but pointers to the guest's own objects.
struct FunctionInstance {
    u32 type { 0 }; // index in the Store's TypeTable
    // A WebAssembly function ...
    u32 index { 0 };
    Instance* instance { nullptr };
    // ... or a host function.
    HostFunction* host { nullptr };
    // The JIT's jit::VMFuncEntry for this function (code + context), set
    // when an engine instantiates or imports it.
    void* jit { nullptr };

    [[nodiscard]] bool is_host() const noexcept { return host != nullptr; }
    Result<void> call_host(Span<const Value> args, Span<Value> results) const noexcept { return host->callback(host->data, args, results); }
};

// A table's elements as generated code reads them (call_indirect,
// table.get/set): kept current by TableInstance on every resize.
struct TableView {
    Reference* data { nullptr };
    u64 size { 0 };
};

// The elements and their view live in exposed memory (base/Platform.h).
// Generated code reads the view and reads and writes the elements
// (call_indirect, table.get/set), so the elements are guest data: the
// engine copies them but never follows one (a funcref from a table is
// checked before the engine uses it).
class TableInstance {
public:
    // Implementation limit on table elements (wasm/Limits.h, the JS API's
    // "maximum size of a table"): creating or growing beyond it fails
    // instead of allocating tens of gigabytes for a 2^32-element table.
    static constexpr u64 max_elements = limits::max_table_size;

    TableInstance(TableType type) noexcept
        : m_type(type)
    {
    }
    ~TableInstance() noexcept;
    TableInstance(const TableInstance&) = delete;
    TableInstance& operator=(const TableInstance&) = delete;
    Result<void> initialize(Reference init) noexcept;

    [[nodiscard]] const TableType& type() const noexcept { return m_type; }
    [[nodiscard]] u32 size() const noexcept { return u32(m_size); }
    [[nodiscard]] Span<Reference> elements() noexcept { return Span<Reference>(m_elements, usize(m_size)); }
    [[nodiscard]] TableView* view() noexcept { return m_view; }
    // Returns the old size, or -1 when the table cannot grow.
    i64 grow(u32 delta, Reference init) noexcept;

private:
    Result<void> resize(u64 new_size, Reference init) noexcept;

    TableType m_type;
    Reference* m_elements { nullptr };
    u64 m_size { 0 };
    u64 m_capacity { 0 };
    TableView* m_view { nullptr };
};

class MemoryInstance {
public:
    static constexpr u64 page_size = 65536;

    MemoryInstance(MemoryType type) noexcept
        : m_type(type)
    {
    }
    ~MemoryInstance() noexcept { platform_memory_release(m_reservation); }
    Result<void> initialize() noexcept;

    [[nodiscard]] const MemoryType& type() const noexcept { return m_type; }
    [[nodiscard]] u64 size_in_pages() const noexcept { return m_type.limits.min; }
    [[nodiscard]] u64 size_in_bytes() const noexcept { return m_reservation.accessible; }
    [[nodiscard]] u8* data() noexcept { return m_reservation.base; }
    // Returns the old size in pages, or -1 when the memory cannot grow.
    i64 grow(u64 delta_pages) noexcept;

private:
    MemoryType m_type; // limits.min is the current size
    MemoryReservation m_reservation;
};

// Exposed and writable (base/Platform.h): generated code reads and writes
// `value` in place, so the engine treats it as guest data.
struct GlobalInstance {
    GlobalType type;
    Value value;
};

struct ExternValue {
    ExternKind kind { ExternKind::Function };
    void* object { nullptr }; // FunctionInstance*, TableInstance*, MemoryInstance*, GlobalInstance*

    [[nodiscard]] FunctionInstance* function() const noexcept { return static_cast<FunctionInstance*>(object); }
    [[nodiscard]] TableInstance* table() const noexcept { return static_cast<TableInstance*>(object); }
    [[nodiscard]] MemoryInstance* memory() const noexcept { return static_cast<MemoryInstance*>(object); }
    [[nodiscard]] GlobalInstance* global() const noexcept { return static_cast<GlobalInstance*>(object); }
};

struct ExportEntry {
    StringView name;
    ExternValue value;
};

// A module instance (§4.2.5); host modules (spectest, WASI) are instances
// without a Module.
class Instance {
public:
    [[nodiscard]] const Module* module() const noexcept { return m_module; }
    [[nodiscard]] Span<FunctionInstance* const> functions() const noexcept { return m_functions.span(); }
    [[nodiscard]] Span<TableInstance* const> tables() const noexcept { return m_tables.span(); }
    [[nodiscard]] Span<MemoryInstance* const> memories() const noexcept { return m_memories.span(); }
    [[nodiscard]] Span<GlobalInstance* const> globals() const noexcept { return m_globals.span(); }
    [[nodiscard]] Span<const ExportEntry> exports() const noexcept { return m_exports.span(); }
    [[nodiscard]] const ExportEntry* find_export(StringView name) const noexcept;

    Result<void> add_export(StringView name, ExternValue value) noexcept { return m_exports.try_append({ name, value }); }

    // Segment state: dropped segments behave as empty (§4.4.9 elem.drop).
    [[nodiscard]] bool element_dropped(u32 index) const noexcept { return m_dropped_elements[index]; }
    [[nodiscard]] bool data_dropped(u32 index) const noexcept { return m_dropped_datas[index]; }

private:
    friend class Store;
    friend class Linker;

    const Module* m_module { nullptr };
    Vector<FunctionInstance*> m_functions;
    Vector<TableInstance*> m_tables;
    Vector<MemoryInstance*> m_memories;
    Vector<GlobalInstance*> m_globals;
    Vector<ExportEntry> m_exports;
    Vector<bool> m_dropped_elements;
    Vector<bool> m_dropped_datas;
};

// Owns every runtime object; destroying the store frees them all.
class Store {
public:
    Store() noexcept = default;
    ~Store() noexcept;
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Canonical signatures across modules: equal function types get equal
    // indices, so call_indirect and import matching compare integers.
    Result<u32> intern_type(const FunctionType& type) noexcept { return m_types.intern(type.params, type.results); }
    [[nodiscard]] FunctionType type(u32 index) const noexcept { return m_types.at(index); }

    Result<FunctionInstance*> create_host_function(const FunctionType& type, HostCallback callback, void* data) noexcept;
    // With a typed form too: `type` must fit it (fits_typed_host).
    Result<FunctionInstance*> create_host_function(const FunctionType& type, HostCallback callback, TypedHostCallback typed, void* data) noexcept;
    Result<FunctionInstance*> create_function(u32 type, Instance* instance, u32 index) noexcept;
    Result<TableInstance*> create_table(TableType type, Reference init) noexcept;
    Result<MemoryInstance*> create_memory(MemoryType type) noexcept;
    Result<GlobalInstance*> create_global(GlobalType type, Value value) noexcept;
    Result<Instance*> create_instance() noexcept;
    // A copy of `text` that lives as long as the store.
    Result<StringView> intern_string(StringView text) noexcept;

private:
    template<typename T, typename... Args>
    Result<T*> create(Vector<T*>& list, Args&&... args) noexcept;
    template<typename T>
    void destroy_all(Vector<T*>& list) noexcept;

    TypeTable m_types;
    Vector<FunctionInstance*> m_functions;
    Vector<TableInstance*> m_tables;
    Vector<MemoryInstance*> m_memories;
    Vector<GlobalInstance*> m_globals;
    Vector<Instance*> m_instances;
    Vector<HostFunction*> m_host_functions;
    Vector<char*> m_strings;
    Vector<usize> m_string_sizes;
};

} // namespace k23::wasm
