#include <base/Bits.h>
#include <base/HashMap.h>
#include <wasm/BinaryReader.h>
#include <wasm/FunctionDecoder.h>
#include <wasm/Leb128.h>
#include <wasm/Limits.h>

namespace k23::wasm {

// Builds a Module section by section; a friend of Module.
class ModuleBuilder {
public:
    ModuleBuilder(const ReadOptions& options) noexcept
        : m_options(options)
    {
        m_module.m_features = options.features;
    }

    Result<Module> build(ReadonlyBytes bytes) noexcept;

private:
    enum SectionId : u8 {
        Custom = 0,
        Type = 1,
        Import = 2,
        FunctionSec = 3,
        Table = 4,
        Memory = 5,
        GlobalSec = 6,
        ExportSec = 7,
        Start = 8,
        Element = 9,
        Code = 10,
        Data = 11,
        DataCount = 12,
    };

    // §5.5.2: the order non-custom sections must appear in.
    static u8 section_rank(u8 id) noexcept
    {
        switch (id) {
        case Type: return 1;
        case Import: return 2;
        case FunctionSec: return 3;
        case Table: return 4;
        case Memory: return 5;
        case GlobalSec: return 6;
        case ExportSec: return 7;
        case Start: return 8;
        case Element: return 9;
        case DataCount: return 10;
        case Code: return 11;
        case Data: return 12;
        default: return 0;
        }
    }

    Result<void> read_section(u8 id, ByteReader& r) noexcept;
    Result<void> read_custom(ByteReader& r) noexcept;
    Result<void> read_types(ByteReader& r) noexcept;
    Result<void> read_imports(ByteReader& r) noexcept;
    Result<void> read_functions(ByteReader& r) noexcept;
    Result<void> read_tables(ByteReader& r) noexcept;
    Result<void> read_memories(ByteReader& r) noexcept;
    Result<void> read_globals(ByteReader& r) noexcept;
    Result<void> read_exports(ByteReader& r) noexcept;
    Result<void> read_start(ByteReader& r) noexcept;
    Result<void> read_elements(ByteReader& r) noexcept;
    Result<void> read_data_count(ByteReader& r) noexcept;
    Result<void> read_code(ByteReader& r) noexcept;
    Result<void> read_datas(ByteReader& r) noexcept;

    Result<StringView> read_name(ByteReader& r) noexcept;
    Result<u32> read_count(ByteReader& r, const char* what, u64 limit, u64 already = 0) noexcept;
    Result<ValueType> read_value_type(ByteReader& r) noexcept;
    Result<ValueType> read_reference_type(ByteReader& r) noexcept;
    Result<Limits> read_limits(ByteReader& r, bool is_memory, bool& is_64, bool& is_shared) noexcept;
    Result<TableType> read_table_type(ByteReader& r) noexcept;
    Result<MemoryType> read_memory_type(ByteReader& r) noexcept;
    Result<GlobalType> read_global_type(ByteReader& r) noexcept;
    Result<ConstExpr> read_const_expr(ByteReader& r, ValueType expected) noexcept;
    Result<void> validate_module() noexcept;
    void read_name_section(const CustomSection& section) noexcept;
    Result<void> declare_reference(u32 function_index) noexcept;

    Error invalid_at(usize offset, const char* message) const noexcept
    {
        return Error::from_code(ErrorCode::Invalid, message).with_offset(offset);
    }

    const ReadOptions& m_options;
    Module m_module;
    u32 m_declared_function_count { 0 }; // from the function section
    bool m_seen_function_section { false };
    bool m_seen_code_section { false };
    u32 m_section_size { 0 };
    // Offsets for errors found once the whole module is known.
    Vector<u32> m_export_offsets;
    u32 m_start_offset { 0 };
    u32 m_extra_memory_offset { 0 }; // where a second memory was declared
};

Result<StringView> ModuleBuilder::read_name(ByteReader& r) noexcept
{
    u32 length = TRY(r.read_var_u32());
    if (length > r.remaining())
        return r.malformed("length out of bounds");
    const u8* start = r.cursor();
    usize offset = r.offset();
    (void)TRY(r.read_bytes(length));
    // §5.2.4 names are UTF-8 (Unicode scalar values, shortest form).
    for (usize i = 0; i < length;) {
        u8 b = start[i];
        u32 need = 0;
        u32 cp = 0;
        if (b < 0x80) {
            ++i;
            continue;
        } else if ((b & 0xe0) == 0xc0) {
            need = 1;
            cp = b & 0x1f;
        } else if ((b & 0xf0) == 0xe0) {
            need = 2;
            cp = b & 0x0f;
        } else if ((b & 0xf8) == 0xf0) {
            need = 3;
            cp = b & 0x07;
        } else {
            return Error::from_code(ErrorCode::Malformed, "malformed UTF-8 encoding").with_offset(offset + i);
        }
        if (i + need >= length)
            return Error::from_code(ErrorCode::Malformed, "malformed UTF-8 encoding").with_offset(offset + i);
        for (u32 k = 1; k <= need; ++k) {
            u8 c = start[i + k];
            if ((c & 0xc0) != 0x80)
                return Error::from_code(ErrorCode::Malformed, "malformed UTF-8 encoding").with_offset(offset + i);
            cp = cp << 6 | (c & 0x3f);
        }
        bool overlong = (need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000);
        if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return Error::from_code(ErrorCode::Malformed, "malformed UTF-8 encoding").with_offset(offset + i);
        i += need + 1;
    }
    return StringView(reinterpret_cast<const char*>(start), length);
}

// A vector length (§5.1.3 vec). It is not checked against the bytes left:
// like the reference interpreter, running out while reading the items is
// what reports the error. Reservations are capped by the bytes left.
// Every count has an implementation limit (wasm/Limits.h; core spec
// Appendix §A.2 lets an implementation impose them): `already` items of the
// same kind came before (e.g. imported tables), and the total must stay
// within the limit. Checked before anything is reserved for the items.
Result<u32> ModuleBuilder::read_count(ByteReader& r, const char* what, u64 limit, u64 already) noexcept
{
    usize offset = r.offset();
    u32 count = TRY(r.read_var_u32());
    if (already + count > limit)
        return limits::exceeded(what, already + count, limit).with_offset(offset);
    return count;
}

Result<ValueType> ModuleBuilder::read_value_type(ByteReader& r) noexcept
{
    u8 byte = TRY(r.read_u8());
    // §5.3.4 valtype.
    if (!is_value_type_byte(byte))
        return Error::from_code(ErrorCode::Malformed, "malformed value type").with_offset(r.offset() - 1);
    return ValueType(byte);
}

Result<ValueType> ModuleBuilder::read_reference_type(ByteReader& r) noexcept
{
    u8 byte = TRY(r.read_u8());
    // §5.3.3 reftype.
    if (byte != u8(ValueType::FuncRef) && byte != u8(ValueType::ExternRef))
        return Error::from_code(ErrorCode::Malformed, "malformed reference type").with_offset(r.offset() - 1);
    return ValueType(byte);
}

// §5.3.7 limits: 0x00 min | 0x01 min max (threads adds 0x02/0x03 shared,
// memory64 0x04-0x07).
Result<Limits> ModuleBuilder::read_limits(ByteReader& r, bool is_memory, bool& is_64, bool& is_shared) noexcept
{
    // The flag is a 1-bit LEB128 in 2.0 ("integer representation too
    // long" / "integer too large" like any other integer).
    u32 flags = u32(TRY(r.read_var_un(1)));
    (void)is_memory;
    is_64 = false;
    is_shared = false;
    Limits limits;
    limits.min = TRY(r.read_var_u32());
    if (flags & 1) {
        limits.has_max = true;
        limits.max = TRY(r.read_var_u32());
    }
    return limits;
}

Result<TableType> ModuleBuilder::read_table_type(ByteReader& r) noexcept
{
    TableType type;
    type.element = TRY(read_reference_type(r));
    usize offset = r.offset();
    bool is_64 = false, is_shared = false;
    type.limits = TRY(read_limits(r, false, is_64, is_shared));
    // §3.2.4 table types: limits valid within 2^32 - 1.
    if (type.limits.has_max && type.limits.min > type.limits.max)
        return invalid_at(offset, "size minimum must not be greater than maximum");
    // Implementation limit (wasm/Limits.h): a table's initial size.
    if (type.limits.min > limits::max_table_size)
        return limits::exceeded("table size", type.limits.min, limits::max_table_size).with_offset(offset);
    return type;
}

Result<MemoryType> ModuleBuilder::read_memory_type(ByteReader& r) noexcept
{
    MemoryType type;
    usize offset = r.offset();
    type.limits = TRY(read_limits(r, true, type.is_64, type.is_shared));
    // §3.2.3 memory types: limits valid within 2^16 pages.
    if (type.limits.min > 65536 || (type.limits.has_max && type.limits.max > 65536))
        return invalid_at(offset, "memory size must be at most 65536 pages (4GiB)");
    if (type.limits.has_max && type.limits.min > type.limits.max)
        return invalid_at(offset, "size minimum must not be greater than maximum");
    return type;
}

Result<GlobalType> ModuleBuilder::read_global_type(ByteReader& r) noexcept
{
    GlobalType type;
    type.type = TRY(read_value_type(r));
    u8 mutability = TRY(r.read_u8());
    // §5.3.10 globaltype: mut is 0x00 const | 0x01 var.
    if (mutability > 1)
        return Error::from_code(ErrorCode::Malformed, "malformed mutability").with_offset(r.offset() - 1);
    type.is_mutable = mutability == 1;
    return type;
}

Result<void> ModuleBuilder::declare_reference(u32 function_index) noexcept
{
    auto& refs = m_module.m_declared_refs;
    if (function_index >= refs.size())
        TRY(refs.try_resize(function_index + 1, false));
    refs[function_index] = true;
    return {};
}

// §3.3.10 constant expressions: t.const, ref.null, ref.func, global.get of
// an imported immutable global, and with extended-const i32/i64
// add/sub/mul. The expression must produce exactly `expected`.
Result<ConstExpr> ModuleBuilder::read_const_expr(ByteReader& r, ValueType expected) noexcept
{
    ConstExpr expr;
    expr.type = expected;
    expr.bytes.offset = u32(r.offset());
    ValueType stack[16];
    u32 depth = 0;
    auto push = [&](ValueType t) -> Result<void> {
        if (depth == 16)
            return r.error(ErrorCode::Unsupported, "constant expression too deep");
        stack[depth++] = t;
        return {};
    };
    for (;;) {
        usize op_offset = r.offset();
        u8 byte = TRY(r.read_u8());
        switch (byte) {
        case 0x0b: { // end
            if (depth != 1 || stack[0] != expected)
                return invalid_at(op_offset, "type mismatch: constant expression has the wrong type");
            expr.bytes.size = u32(r.offset() - expr.bytes.offset);
            return expr;
        }
        case 0x41:
            (void)TRY(r.read_var_s32());
            TRY(push(ValueType::I32));
            break;
        case 0x42:
            (void)TRY(r.read_var_s64());
            TRY(push(ValueType::I64));
            break;
        case 0x43:
            (void)TRY(r.read_u32_fixed());
            TRY(push(ValueType::F32));
            break;
        case 0x44:
            (void)TRY(r.read_u64_fixed());
            TRY(push(ValueType::F64));
            break;
        case 0xd0:
            TRY(push(TRY(read_reference_type(r))));
            break;
        case 0xd2: {
            u32 index = TRY(r.read_var_u32());
            if (index >= m_module.m_functions.size())
                return Error::formatted(ErrorCode::Invalid, "unknown function {}"_sv, index).with_offset(op_offset);
            TRY(declare_reference(index));
            TRY(push(ValueType::FuncRef));
            break;
        }
        case 0x23: {
            u32 index = TRY(r.read_var_u32());
            // §3.3.10: only imported globals are in scope, and they must be
            // immutable.
            if (index >= m_module.m_imported_globals)
                return Error::formatted(ErrorCode::Invalid, "unknown global {}"_sv, index).with_offset(op_offset);
            const GlobalType& g = m_module.m_globals[index].type;
            if (g.is_mutable)
                return invalid_at(op_offset, "constant expression required");
            TRY(push(g.type));
            break;
        }
        case 0x6a: case 0x6b: case 0x6c: // i32.add/sub/mul (extended-const)
        case 0x7c: case 0x7d: case 0x7e: { // i64.add/sub/mul
            if (!m_options.features.extended_const)
                return invalid_at(op_offset, "constant expression required");
            ValueType t = byte < 0x70 ? ValueType::I32 : ValueType::I64;
            if (depth < 2 || stack[depth - 1] != t || stack[depth - 2] != t)
                return invalid_at(op_offset, "type mismatch: in constant expression");
            --depth;
            break;
        }
        case 0xfd: {
            u32 code = TRY(r.read_var_u32());
            if (code != 12) // v128.const
                return invalid_at(op_offset, "constant expression required");
            (void)TRY(r.read_bytes(16));
            TRY(push(ValueType::V128));
            break;
        }
        default:
            if (opcode_for_byte(byte) == Opcode::Invalid && byte != 0xfc)
                return Error::from_code(ErrorCode::Malformed, "illegal opcode").with_offset(op_offset);
            return invalid_at(op_offset, "constant expression required");
        }
    }
}

Result<void> ModuleBuilder::read_custom(ByteReader& r) noexcept
{
    StringView name = TRY(read_name(r));
    if (r.position() > m_section_size)
        return r.malformed("unexpected end of section or function");
    CustomSection section;
    section.name = name;
    section.contents = { u32(r.offset()), u32(m_section_size - r.position()) };
    r.seek(m_section_size);
    return m_module.m_customs.try_append(section);
}

// §5.5.4 type section: vec(functype), functype = 0x60 vec(valtype) vec(valtype).
Result<void> ModuleBuilder::read_types(ByteReader& r) noexcept
{
    u32 count = TRY(read_count(r, "type count", limits::max_types));
    TRY(m_module.m_types.try_ensure_capacity(count < r.remaining() ? count : r.remaining()));
    Vector<ValueType> big; // params then results of the type being read
    for (u32 i = 0; i < count; ++i) {
        // The form is an s7 (-0x20, i.e. 0x60): a continuation bit makes
        // the encoding too long for its width.
        u8 form = TRY(r.read_u8());
        if (form & 0x80)
            return Error::from_code(ErrorCode::Malformed, "integer representation too long").with_offset(r.offset() - 1);
        if (form != 0x60)
            return Error::from_code(ErrorCode::Malformed, "malformed function type").with_offset(r.offset() - 1);
        u32 param_count = TRY(read_count(r, "param count", limits::max_function_params));
        big.clear();
        for (u32 k = 0; k < param_count; ++k)
            TRY(big.try_append(TRY(read_value_type(r))));
        u32 result_count = TRY(read_count(r, "result count", limits::max_function_results));
        for (u32 k = 0; k < result_count; ++k)
            TRY(big.try_append(TRY(read_value_type(r))));
        Span<const ValueType> all = big.span();
        u32 canonical = TRY(m_module.m_type_table.intern(all.slice(0, param_count), all.slice(param_count)));
        TRY(m_module.m_types.try_append(canonical));
    }
    return {};
}

// §5.5.5 import section.
Result<void> ModuleBuilder::read_imports(ByteReader& r) noexcept
{
    u32 count = TRY(read_count(r, "import count", limits::max_imports));
    TRY(m_module.m_imports.try_ensure_capacity(count < r.remaining() ? count : r.remaining()));
    for (u32 i = 0; i < count; ++i) {
        wasm::Import import;
        import.module = TRY(read_name(r));
        import.name = TRY(read_name(r));
        usize kind_offset = r.offset();
        u8 kind = TRY(r.read_u8());
        switch (kind) {
        case 0x00: {
            u32 type_index = TRY(r.read_var_u32());
            // §3.2.8 import: the function type must exist.
            if (type_index >= m_module.m_types.size())
                return Error::formatted(ErrorCode::Invalid, "unknown type {}"_sv, type_index).with_offset(kind_offset + 1);
            Function f;
            f.type_index = type_index;
            f.canonical_type = m_module.m_types[type_index];
            f.imported = true;
            import.kind = ExternKind::Function;
            import.index = u32(m_module.m_functions.size());
            TRY(m_module.m_functions.try_append(f));
            ++m_module.m_imported_functions;
            break;
        }
        case 0x01:
            if (m_module.m_tables.size() + 1 > limits::max_tables)
                return limits::exceeded("table count", m_module.m_tables.size() + 1, limits::max_tables).with_offset(kind_offset);
            import.kind = ExternKind::Table;
            import.index = u32(m_module.m_tables.size());
            TRY(m_module.m_tables.try_append(TRY(read_table_type(r))));
            ++m_module.m_imported_tables;
            break;
        case 0x02:
            if (m_module.m_memories.size() + 1 > limits::max_memories)
                return limits::exceeded("memory count", m_module.m_memories.size() + 1, limits::max_memories).with_offset(kind_offset);
            import.kind = ExternKind::Memory;
            if (!m_module.m_memories.is_empty() && m_extra_memory_offset == 0)
                m_extra_memory_offset = u32(kind_offset);
            import.index = u32(m_module.m_memories.size());
            TRY(m_module.m_memories.try_append(TRY(read_memory_type(r))));
            ++m_module.m_imported_memories;
            break;
        case 0x03: {
            Global g;
            g.type = TRY(read_global_type(r));
            g.imported = true;
            import.kind = ExternKind::Global;
            import.index = u32(m_module.m_globals.size());
            TRY(m_module.m_globals.try_append(g));
            ++m_module.m_imported_globals;
            break;
        }
        default:
            return Error::from_code(ErrorCode::Malformed, "malformed import kind").with_offset(kind_offset);
        }
        TRY(m_module.m_imports.try_append(import));
    }
    return {};
}

// §5.5.6 function section: vec(typeidx).
Result<void> ModuleBuilder::read_functions(ByteReader& r) noexcept
{
    u32 count = TRY(read_count(r, "function count", limits::max_functions));
    m_seen_function_section = true;
    m_declared_function_count = count;
    TRY(m_module.m_functions.try_ensure_capacity(m_module.m_functions.size() + (count < r.remaining() ? count : r.remaining())));
    for (u32 i = 0; i < count; ++i) {
        usize offset = r.offset();
        u32 type_index = TRY(r.read_var_u32());
        // §3.4.1 functions: C.types[x] must be defined.
        if (type_index >= m_module.m_types.size())
            return Error::formatted(ErrorCode::Invalid, "unknown type {}"_sv, type_index).with_offset(offset);
        Function f;
        f.type_index = type_index;
        f.canonical_type = m_module.m_types[type_index];
        TRY(m_module.m_functions.try_append(f));
    }
    return {};
}

// §5.5.7 table section.
Result<void> ModuleBuilder::read_tables(ByteReader& r) noexcept
{
    u32 count = TRY(read_count(r, "table count", limits::max_tables, m_module.m_tables.size()));
    for (u32 i = 0; i < count; ++i)
        TRY(m_module.m_tables.try_append(TRY(read_table_type(r))));
    return {};
}

// §5.5.8 memory section.
Result<void> ModuleBuilder::read_memories(ByteReader& r) noexcept
{
    u32 count = TRY(read_count(r, "memory count", limits::max_memories, m_module.m_memories.size()));
    for (u32 i = 0; i < count; ++i) {
        if (!m_module.m_memories.is_empty() && m_extra_memory_offset == 0)
            m_extra_memory_offset = u32(r.offset());
        TRY(m_module.m_memories.try_append(TRY(read_memory_type(r))));
    }
    return {};
}

// §5.5.9 global section.
Result<void> ModuleBuilder::read_globals(ByteReader& r) noexcept
{
    u32 count = TRY(read_count(r, "global count", limits::max_globals));
    TRY(m_module.m_globals.try_ensure_capacity(m_module.m_globals.size() + (count < r.remaining() ? count : r.remaining())));
    for (u32 i = 0; i < count; ++i) {
        Global g;
        g.type = TRY(read_global_type(r));
        g.init = TRY(read_const_expr(r, g.type.type));
        TRY(m_module.m_globals.try_append(g));
    }
    return {};
}

// §5.5.10 export section.
Result<void> ModuleBuilder::read_exports(ByteReader& r) noexcept
{
    u32 count = TRY(read_count(r, "export count", limits::max_exports));
    TRY(m_module.m_exports.try_ensure_capacity(count < r.remaining() ? count : r.remaining()));
    for (u32 i = 0; i < count; ++i) {
        Export e;
        TRY(m_export_offsets.try_append(u32(r.offset())));
        e.name = TRY(read_name(r));
        usize kind_offset = r.offset();
        u8 kind = TRY(r.read_u8());
        if (kind > 3)
            return Error::from_code(ErrorCode::Malformed, "malformed export kind").with_offset(kind_offset);
        e.kind = ExternKind(kind);
        e.index = TRY(r.read_var_u32());
        TRY(m_module.m_exports.try_append(e));
    }
    return {};
}

// §5.5.11 start section.
Result<void> ModuleBuilder::read_start(ByteReader& r) noexcept
{
    m_start_offset = u32(r.offset());
    m_module.m_start = TRY(r.read_var_u32());
    m_module.m_has_start = true;
    return {};
}

// §5.5.12 element section: eight encodings selected by a u32 flag.
Result<void> ModuleBuilder::read_elements(ByteReader& r) noexcept
{
    u32 count = TRY(read_count(r, "element segment count", limits::max_element_segments));
    TRY(m_module.m_elements.try_ensure_capacity(count < r.remaining() ? count : r.remaining()));
    for (u32 i = 0; i < count; ++i) {
        usize offset = r.offset();
        u32 flags = TRY(r.read_var_u32());
        if (flags > 7)
            return Error::from_code(ErrorCode::Malformed, "malformed elements segment kind").with_offset(offset);
        ElementSegment segment;
        bool passive_or_declarative = flags & 1;
        bool explicit_table = flags & 2;
        segment.uses_expressions = flags & 4;
        if (!passive_or_declarative) {
            segment.mode = SegmentMode::Active;
            if (explicit_table)
                segment.table_index = TRY(r.read_var_u32());
            segment.offset = TRY(read_const_expr(r, ValueType::I32));
        } else {
            segment.mode = explicit_table ? SegmentMode::Declarative : SegmentMode::Passive;
        }
        // Flags 0 and 4 imply funcref; the others name an elemkind (0x00 =
        // funcref) or a reftype.
        if ((flags & 3) != 0) {
            if (segment.uses_expressions) {
                segment.type = TRY(read_reference_type(r));
            } else {
                u8 kind = TRY(r.read_u8());
                if (kind != 0x00)
                    return Error::from_code(ErrorCode::Malformed, "malformed element kind").with_offset(r.offset() - 1);
                segment.type = ValueType::FuncRef;
            }
        }
        u32 items = TRY(read_count(r, "element segment entry count", limits::max_table_init_entries));
        if (segment.uses_expressions) {
            TRY(segment.expressions.try_ensure_capacity(items < r.remaining() ? items : r.remaining()));
            for (u32 k = 0; k < items; ++k)
                TRY(segment.expressions.try_append(TRY(read_const_expr(r, segment.type))));
        } else {
            TRY(segment.functions.try_ensure_capacity(items < r.remaining() ? items : r.remaining()));
            for (u32 k = 0; k < items; ++k) {
                usize item_offset = r.offset();
                u32 index = TRY(r.read_var_u32());
                // §3.4.5 element segments: C.funcs[x] must be defined.
                if (index >= m_module.m_functions.size())
                    return Error::formatted(ErrorCode::Invalid, "unknown function {}"_sv, index).with_offset(item_offset);
                TRY(declare_reference(index));
                TRY(segment.functions.try_append(index));
            }
        }
        if (segment.mode == SegmentMode::Active) {
            // §3.4.5: the table must exist and hold this reference type.
            if (segment.table_index >= m_module.m_tables.size())
                return Error::formatted(ErrorCode::Invalid, "unknown table {}"_sv, segment.table_index).with_offset(offset);
            if (m_module.m_tables[segment.table_index].element != segment.type)
                return invalid_at(offset, "type mismatch: element segment does not match the table");
        }
        TRY(m_module.m_elements.try_append(k23::move(segment)));
    }
    return {};
}

// §5.5.15 data count section.
Result<void> ModuleBuilder::read_data_count(ByteReader& r) noexcept
{
    m_module.m_data_count = TRY(read_count(r, "data count", limits::max_data_segments));
    m_module.m_has_data_count = true;
    return {};
}

// §5.5.13 code section: vec(code), code = size:u32 func.
Result<void> ModuleBuilder::read_code(ByteReader& r) noexcept
{
    usize count_offset = r.offset();
    u32 count = TRY(r.read_var_u32());
    m_seen_code_section = true;
    if (count != m_declared_function_count)
        return Error::from_code(ErrorCode::Malformed, "function and code section have inconsistent lengths").with_offset(count_offset);
    u32 first = m_module.m_imported_functions;
    for (u32 i = 0; i < count; ++i) {
        u32 size = TRY(read_count(r, "function body size", limits::max_function_body_size));
        if (size > r.remaining())
            return r.malformed("unexpected end of section or function");
        Function& f = m_module.m_functions[first + i];
        f.body = { u32(r.offset()), size };
        (void)TRY(r.read_bytes(size));
    }
    return {};
}

// §5.5.14 data section: 0 = active memory 0, 1 = passive, 2 = active memidx.
Result<void> ModuleBuilder::read_datas(ByteReader& r) noexcept
{
    usize count_offset = r.offset();
    u32 count = TRY(read_count(r, "data segment count", limits::max_data_segments));
    if (m_module.m_has_data_count && count != m_module.m_data_count)
        return Error::from_code(ErrorCode::Malformed, "data count and data section have inconsistent lengths").with_offset(count_offset);
    TRY(m_module.m_datas.try_ensure_capacity(count < r.remaining() ? count : r.remaining()));
    for (u32 i = 0; i < count; ++i) {
        usize offset = r.offset();
        u32 flags = TRY(r.read_var_u32());
        DataSegment segment;
        if (flags == 1) {
            segment.mode = SegmentMode::Passive;
        } else if (flags == 0 || flags == 2) {
            segment.mode = SegmentMode::Active;
            if (flags == 2)
                segment.memory_index = TRY(r.read_var_u32());
            segment.offset = TRY(read_const_expr(r, ValueType::I32));
        } else {
            return Error::from_code(ErrorCode::Malformed, "malformed data segment kind").with_offset(offset);
        }
        u32 size = TRY(r.read_var_u32());
        if (size > r.remaining())
            return r.malformed("unexpected end of section or function");
        segment.bytes = { u32(r.offset()), size };
        (void)TRY(r.read_bytes(size));
        // §3.4.6 data segments: C.mems[x] must be defined.
        if (segment.mode == SegmentMode::Active && segment.memory_index >= m_module.m_memories.size())
            return Error::formatted(ErrorCode::Invalid, "unknown memory {}"_sv, segment.memory_index).with_offset(offset);
        TRY(m_module.m_datas.try_append(k23::move(segment)));
    }
    if (!m_module.m_has_data_count)
        m_module.m_data_count = count;
    return {};
}

Result<void> ModuleBuilder::read_section(u8 id, ByteReader& r) noexcept
{
    switch (id) {
    case Custom: return read_custom(r);
    case Type: return read_types(r);
    case Import: return read_imports(r);
    case FunctionSec: return read_functions(r);
    case Table: return read_tables(r);
    case Memory: return read_memories(r);
    case GlobalSec: return read_globals(r);
    case ExportSec: return read_exports(r);
    case Start: return read_start(r);
    case Element: return read_elements(r);
    case DataCount: return read_data_count(r);
    case Code: return read_code(r);
    case Data: return read_datas(r);
    default: return r.malformed("malformed section id");
    }
}

// Appendix §7.4 name section: only the function names subsection (id 1) is
// kept. Errors here are ignored (§7.4: a malformed name section does not
// make the module malformed); names must come in increasing index order.
void ModuleBuilder::read_name_section(const CustomSection& section) noexcept
{
    ReadonlyBytes bytes = m_module.bytes_of(section.contents);
    ByteReader r(bytes.data(), bytes.size(), section.contents.offset, "unexpected end");
    while (!r.at_end()) {
        auto id = r.read_u8();
        auto size = r.read_var_u32();
        if (id.is_error() || size.is_error() || size.value() > r.remaining())
            return;
        usize end = r.position() + size.value();
        if (id.value() != 1) {
            r.seek(end);
            continue;
        }
        ByteReader sub(r.cursor(), size.value(), r.offset(), "unexpected end");
        auto count = sub.read_var_u32();
        if (count.is_error())
            return;
        for (u32 i = 0; i < count.value(); ++i) {
            auto index = sub.read_var_u32();
            if (index.is_error())
                break;
            auto name = read_name(sub);
            if (name.is_error())
                break;
            auto& names = m_module.m_function_names;
            if (!names.is_empty() && names.last().index >= index.value())
                break;
            if (names.try_append({ index.value(), name.value() }).is_error())
                break;
        }
        return;
    }
}

// §3.4 module validation rules that need the whole module.
Result<void> ModuleBuilder::validate_module() noexcept
{
    Module& m = m_module;
    // §3.4.10 (2.0): at most one memory.
    if (!m_options.features.multi_memory && m.m_memories.size() > 1)
        return Error::from_code(ErrorCode::Invalid, "multiple memories").with_offset(m_extra_memory_offset);
    // §3.4.8 exports: names are distinct and indices defined.
    for (usize i = 0; i < m.m_exports.size(); ++i) {
        const Export& e = m.m_exports[i];
        usize limit = 0;
        const char* what = "";
        switch (e.kind) {
        case ExternKind::Function: limit = m.m_functions.size(); what = "function"; break;
        case ExternKind::Table: limit = m.m_tables.size(); what = "table"; break;
        case ExternKind::Memory: limit = m.m_memories.size(); what = "memory"; break;
        case ExternKind::Global: limit = m.m_globals.size(); what = "global"; break;
        default: break;
        }
        if (e.index >= limit)
            return Error::formatted(ErrorCode::Invalid, "unknown {} {}"_sv, StringView(what), e.index).with_offset(m_export_offsets[i]);
        if (e.kind == ExternKind::Function)
            TRY(declare_reference(e.index));
    }
    if (m.m_exports.size() > 1) {
        HashMap<StringView, u32> names;
        TRY(names.try_ensure_capacity(m.m_exports.size()));
        for (usize i = 0; i < m.m_exports.size(); ++i) {
            const Export& e = m.m_exports[i];
            if (names.contains(e.name))
                return Error::from_code(ErrorCode::Invalid, "duplicate export name").with_offset(m_export_offsets[i]);
            TRY(names.try_set(e.name, 0));
        }
    }
    // §3.4.9 start function: defined, type [] -> [].
    if (m.m_has_start) {
        if (m.m_start >= m.m_functions.size())
            return Error::formatted(ErrorCode::Invalid, "unknown function {}"_sv, m.m_start).with_offset(m_start_offset);
        FunctionType type = m.function_type(m.m_start);
        if (!type.params.is_empty() || !type.results.is_empty())
            return Error::from_code(ErrorCode::Invalid, "start function must have type [] -> []").with_offset(m_start_offset);
    }
    return {};
}

Result<Module> ModuleBuilder::build(ReadonlyBytes input) noexcept
{
    // Implementation limit (wasm/Limits.h), before the bytes are copied.
    if (input.size() > limits::max_module_size)
        return limits::exceeded("module size", input.size(), limits::max_module_size).with_offset(limits::max_module_size);
    TRY(m_module.m_bytes.try_ensure_capacity(input.size()));
    TRY(m_module.m_bytes.try_extend(input));
    ReadonlyBytes bytes = m_module.m_bytes.span();
    ByteReader r(bytes.data(), bytes.size(), 0, "unexpected end");

    // §5.5.16 preamble: magic and version.
    if (bytes.size() < 4)
        return Error::from_code(ErrorCode::Malformed, "unexpected end").with_offset(bytes.size());
    auto magic = r.read_u32_fixed();
    if (magic.is_error() || magic.value() != 0x6d736100)
        return Error::from_code(ErrorCode::Malformed, "magic header not detected").with_offset(0);
    auto version = r.read_u32_fixed();
    if (version.is_error())
        return Error::from_code(ErrorCode::Malformed, "unexpected end").with_offset(4);
    if (version.value() != 1)
        return Error::from_code(ErrorCode::Malformed, "unknown binary version").with_offset(4);

    u8 last_rank = 0;
    while (!r.at_end()) {
        usize id_offset = r.offset();
        u8 id = TRY(r.read_u8());
        if (id > DataCount)
            return Error::from_code(ErrorCode::Malformed, "malformed section id").with_offset(id_offset);
        u32 size = TRY(r.read_var_u32());
        if (size > r.remaining())
            return r.malformed("length out of bounds");
        if (id != Custom) {
            u8 rank = section_rank(id);
            // §5.5.2: each section at most once, in order.
            if (rank <= last_rank)
                return Error::from_code(ErrorCode::Malformed, "unexpected content after last section").with_offset(id_offset);
            last_rank = rank;
        }
        // Like the reference interpreter, a section's contents are read
        // from the module's remaining bytes and the size is checked after
        // (so a short count reads into the next section: "section size
        // mismatch", "length out of bounds").
        ByteReader section(r.cursor(), r.remaining(), r.offset(), "unexpected end of section or function");
        m_section_size = size;
        TRY(read_section(id, section));
        if (section.position() != size)
            return Error::from_code(ErrorCode::Malformed, "section size mismatch").with_offset(r.offset() + size);
        r.seek(r.position() + size);
    }
    // §5.5.16: function and code sections have the same length.
    if (m_declared_function_count != 0 && !m_seen_code_section)
        return Error::from_code(ErrorCode::Malformed, "function and code section have inconsistent lengths").with_offset(r.offset());
    if (m_module.m_has_data_count && m_module.m_datas.is_empty() && m_module.m_data_count != 0)
        return Error::from_code(ErrorCode::Malformed, "data count and data section have inconsistent lengths").with_offset(r.offset());

    TRY(validate_module());
    for (const CustomSection& custom : m_module.m_customs) {
        if (custom.name == "name"_sv) {
            read_name_section(custom);
            break;
        }
    }

    if (m_options.validate_functions) {
        DecoderScratch scratch;
        NullInterface null;
        FunctionDecoder<NullInterface> decoder(m_module, null, scratch);
        for (u32 i = m_module.m_imported_functions; i < m_module.m_functions.size(); ++i) {
            auto result = decoder.decode(i);
            if (!result.is_error())
                continue;
            if (result.error().code() == ErrorCode::Invalid) {
                // Error precedence: the spec decodes the whole module before
                // validating it, so a malformed instruction anywhere (this
                // body past the invalid one included) wins.
                FunctionDecoder<NullInterface, DecodeMode::Syntax> syntax(m_module, null, scratch);
                for (u32 k = i; k < m_module.m_functions.size(); ++k)
                    TRY(syntax.decode(k));
            }
            return result.release_error();
        }
        m_module.m_functions_validated = true;
    }
    return k23::move(m_module);
}

Result<Module> read_module(ReadonlyBytes bytes, const ReadOptions& options) noexcept
{
    ModuleBuilder builder(options);
    return builder.build(bytes);
}

usize Module::metadata_size() const noexcept
{
    usize size = m_type_table.memory_usage();
    size += m_types.capacity() * sizeof(u32);
    size += m_imports.capacity() * sizeof(Import);
    size += m_exports.capacity() * sizeof(Export);
    size += m_functions.capacity() * sizeof(Function);
    size += m_tables.capacity() * sizeof(TableType);
    size += m_memories.capacity() * sizeof(MemoryType);
    size += m_globals.capacity() * sizeof(Global);
    size += m_elements.capacity() * sizeof(ElementSegment);
    for (const ElementSegment& e : m_elements)
        size += e.functions.capacity() * sizeof(u32) + e.expressions.capacity() * sizeof(ConstExpr);
    size += m_datas.capacity() * sizeof(DataSegment);
    size += m_customs.capacity() * sizeof(CustomSection);
    size += m_declared_refs.capacity();
    size += m_function_names.capacity() * sizeof(FunctionName);
    return size;
}

} // namespace k23::wasm
