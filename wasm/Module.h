#pragma once

// An immutable, validated WebAssembly module (core spec 2.0 §2.5 "Modules").
// It owns a copy of the binary; names, function bodies and constant
// expressions are byte ranges into that copy. Build one with
// read_module() (wasm/BinaryReader.h), which also validates it.

#include <base/Error.h>
#include <base/Result.h>
#include <base/Span.h>
#include <base/StringView.h>
#include <base/Vector.h>
#include <wasm/Types.h>

namespace k23::wasm {

// Proposals beyond WebAssembly 2.0 that a module may use.
struct Features {
    bool extended_const { true };
    bool tail_call { true };
    bool multi_memory { true };
    bool relaxed_simd { true };

    // Exactly WebAssembly 2.0 (what the core spec suite tests).
    [[nodiscard]] static constexpr Features wasm2() noexcept { return { false, false, false, false }; }
    [[nodiscard]] static constexpr Features all() noexcept { return {}; }
};

// A byte range [offset, offset + size) of the module's bytes.
struct ByteRange {
    u32 offset { 0 };
    u32 size { 0 };
};

// A constant expression (§3.3.10): its bytes including the final `end`,
// and the type it produces.
struct ConstExpr {
    ByteRange bytes;
    ValueType type { ValueType::I32 };
};

struct Import {
    StringView module;
    StringView name;
    ExternKind kind { ExternKind::Function };
    u32 index { 0 }; // into the module's functions/tables/memories/globals
};

struct Export {
    StringView name;
    ExternKind kind { ExternKind::Function };
    u32 index { 0 };
};

struct Function {
    u32 type_index { 0 };     // module type index
    u32 canonical_type { 0 }; // TypeTable index
    bool imported { false };
    ByteRange body;           // locals + code, without the size prefix
};

struct Global {
    GlobalType type;
    bool imported { false };
    ConstExpr init;
};

enum class SegmentMode : u8 {
    Active,
    Passive,
    Declarative,
};

struct ElementSegment {
    SegmentMode mode { SegmentMode::Passive };
    ValueType type { ValueType::FuncRef };
    u32 table_index { 0 };
    ConstExpr offset;
    // Either function indices (flags 0-3) or expressions (flags 4-7).
    bool uses_expressions { false };
    Vector<u32> functions;
    Vector<ConstExpr> expressions;

    [[nodiscard]] u32 size() const noexcept { return u32(uses_expressions ? expressions.size() : functions.size()); }
};

struct DataSegment {
    SegmentMode mode { SegmentMode::Passive };
    u32 memory_index { 0 };
    ConstExpr offset;
    ByteRange bytes;
};

struct FunctionName {
    u32 index { 0 };
    StringView name;
};

struct CustomSection {
    StringView name;
    ByteRange contents;
};

class Module {
public:
    Module() noexcept
        : m_serial(__atomic_add_fetch(&s_next_serial, 1, __ATOMIC_RELAXED))
    {
    }
    Module(Module&&) noexcept = default;
    Module& operator=(Module&&) noexcept = default;

    // Unique per Module object created in this process: caches keyed by a
    // Module (the JIT's compiled code) compare it too, so a new Module that
    // happens to reuse a freed one's address is never taken for it.
    [[nodiscard]] u64 serial() const noexcept { return m_serial; }

    [[nodiscard]] ReadonlyBytes bytes() const noexcept { return m_bytes.span(); }
    [[nodiscard]] ReadonlyBytes bytes_of(ByteRange range) const noexcept { return m_bytes.span().slice(range.offset, range.size); }

    [[nodiscard]] const TypeTable& type_table() const noexcept { return m_type_table; }
    [[nodiscard]] u32 type_count() const noexcept { return u32(m_types.size()); }
    [[nodiscard]] u32 canonical_type(u32 type_index) const noexcept { return m_types[type_index]; }
    [[nodiscard]] FunctionType type(u32 type_index) const noexcept { return m_type_table.at(m_types[type_index]); }
    [[nodiscard]] FunctionType function_type(u32 function_index) const noexcept { return m_type_table.at(m_functions[function_index].canonical_type); }

    [[nodiscard]] Span<const Import> imports() const noexcept { return m_imports.span(); }
    [[nodiscard]] Span<const Export> exports() const noexcept { return m_exports.span(); }
    [[nodiscard]] Span<const Function> functions() const noexcept { return m_functions.span(); }
    [[nodiscard]] Span<const TableType> tables() const noexcept { return m_tables.span(); }
    [[nodiscard]] Span<const MemoryType> memories() const noexcept { return m_memories.span(); }
    [[nodiscard]] Span<const Global> globals() const noexcept { return m_globals.span(); }
    [[nodiscard]] Span<const ElementSegment> elements() const noexcept { return m_elements.span(); }
    [[nodiscard]] Span<const DataSegment> datas() const noexcept { return m_datas.span(); }
    [[nodiscard]] Span<const CustomSection> custom_sections() const noexcept { return m_customs.span(); }

    [[nodiscard]] u32 imported_function_count() const noexcept { return m_imported_functions; }
    [[nodiscard]] u32 imported_table_count() const noexcept { return m_imported_tables; }
    [[nodiscard]] u32 imported_memory_count() const noexcept { return m_imported_memories; }
    [[nodiscard]] u32 imported_global_count() const noexcept { return m_imported_globals; }

    [[nodiscard]] bool has_start() const noexcept { return m_has_start; }
    [[nodiscard]] u32 start() const noexcept { return m_start; }
    [[nodiscard]] bool has_data_count() const noexcept { return m_has_data_count; }
    [[nodiscard]] u32 data_count() const noexcept { return m_data_count; }
    [[nodiscard]] const Features& features() const noexcept { return m_features; }
    // Every body passed FunctionDecoder's validation in read_module (not
    // with ReadOptions::validate_functions false): the compilers then decode
    // them in DecodeMode::Trusted, which checks nothing again.
    [[nodiscard]] bool functions_validated() const noexcept { return m_functions_validated; }

    // Whether ref.func may name this function inside a function body
    // (§3.4.10: C.refs, the functions referenced outside function bodies).
    [[nodiscard]] bool is_declared_reference(u32 function_index) const noexcept
    {
        return function_index < m_declared_refs.size() && m_declared_refs[function_index];
    }

    // The function's name from the "name" custom section (appendix §7.4.1;
    // a malformed name section is ignored), or an empty view.
    [[nodiscard]] StringView function_name(u32 function_index) const noexcept
    {
        usize low = 0, high = m_function_names.size();
        while (low < high) {
            usize mid = (low + high) / 2;
            if (m_function_names[mid].index == function_index)
                return m_function_names[mid].name;
            if (m_function_names[mid].index < function_index)
                low = mid + 1;
            else
                high = mid;
        }
        return {};
    }

    // Heap bytes held by the module's metadata, beyond the binary itself.
    [[nodiscard]] usize metadata_size() const noexcept;

private:
    friend class ModuleBuilder;

    static inline u64 s_next_serial { 0 };

    u64 m_serial { 0 };
    Vector<u8> m_bytes;
    TypeTable m_type_table;
    Vector<u32> m_types;
    Vector<Import> m_imports;
    Vector<Export> m_exports;
    Vector<Function> m_functions;
    Vector<TableType> m_tables;
    Vector<MemoryType> m_memories;
    Vector<Global> m_globals;
    Vector<ElementSegment> m_elements;
    Vector<DataSegment> m_datas;
    Vector<CustomSection> m_customs;
    Vector<bool> m_declared_refs;
    Vector<FunctionName> m_function_names; // sorted by index
    u32 m_imported_functions { 0 };
    u32 m_imported_tables { 0 };
    u32 m_imported_memories { 0 };
    u32 m_imported_globals { 0 };
    u32 m_start { 0 };
    u32 m_data_count { 0 };
    bool m_has_start { false };
    bool m_has_data_count { false };
    bool m_functions_validated { false };
    Features m_features;
};

} // namespace k23::wasm
