#include <wasm/Leb128.h>
#include <wasm/Linker.h>
#include <wasm/TypedHost.h>

namespace k23::wasm {

Result<void> Linker::register_instance(StringView name, Instance* instance) noexcept
{
    StringView copy = TRY(m_store.intern_string(name));
    TRY(m_registered.try_set(copy, instance));
    return {};
}

Instance* Linker::find_registered(StringView name) const noexcept
{
    Instance* const* found = m_registered.get(name);
    return found ? *found : nullptr;
}

// §4.5.2.3 limits: [n1, m1?] matches [n2, m2?] when n1 >= n2 and, if m2 is
// present, m1 is present and m1 <= m2.
static bool limits_match(const Limits& actual, const Limits& expected) noexcept
{
    if (actual.min < expected.min)
        return false;
    if (expected.has_max) {
        if (!actual.has_max || actual.max > expected.max)
            return false;
    }
    return true;
}

static Error incompatible(const Import& import, const char* why) noexcept
{
    return Error::formatted(ErrorCode::Unlinkable, "incompatible import type for {}.{}: {}"_sv, import.module, import.name, StringView(why));
}

Result<ExternValue> Linker::resolve_import(const Module& module, const Import& import) noexcept
{
    Instance* provider = find_registered(import.module);
    const ExportEntry* entry = provider ? provider->find_export(import.name) : nullptr;
    if (!entry)
        return Error::formatted(ErrorCode::Unlinkable, "unknown import {}.{}"_sv, import.module, import.name);
    const ExternValue& value = entry->value;
    // §4.5.2: the extern kinds must agree ...
    if (value.kind != import.kind)
        return incompatible(import, "wrong kind");
    switch (import.kind) {
    case ExternKind::Function: {
        // §4.5.2.2 functions: the types must be equal.
        u32 expected = TRY(m_store.intern_type(module.function_type(import.index)));
        if (value.function()->type != expected)
            return incompatible(import, "function type differs");
        break;
    }
    case ExternKind::Table: {
        // §4.5.2.4 tables: limits match and element types are equal.
        const TableType& expected = module.tables()[import.index];
        TableType actual = value.table()->type();
        actual.limits.min = value.table()->size();
        if (actual.element != expected.element || !limits_match(actual.limits, expected.limits))
            return incompatible(import, "table type differs");
        break;
    }
    case ExternKind::Memory: {
        // §4.5.2.5 memories: limits match.
        const MemoryType& expected = module.memories()[import.index];
        if (!limits_match(value.memory()->type().limits, expected.limits))
            return incompatible(import, "memory limits differ");
        break;
    }
    case ExternKind::Global: {
        // §4.5.2.6 globals: same mutability and value type.
        const GlobalType& expected = module.globals()[import.index].type;
        const GlobalType& actual = value.global()->type;
        if (actual.is_mutable != expected.is_mutable || actual.type != expected.type)
            return incompatible(import, "global type differs");
        break;
    }
    default:
        return incompatible(import, "unsupported kind");
    }
    return value;
}

Result<Value> Linker::evaluate(const Module& module, const Instance& instance, const ConstExpr& expr) noexcept
{
    ReadonlyBytes bytes = module.bytes_of(expr.bytes);
    ByteReader r(bytes.data(), bytes.size(), expr.bytes.offset, "unexpected end");
    Value stack[16];
    u32 depth = 0;
    for (;;) {
        u8 op = TRY(r.read_u8());
        if (op == 0x0b)
            break;
        if (depth == 16)
            return r.error(ErrorCode::Unsupported, "constant expression too deep");
        switch (op) {
        case 0x41: stack[depth++] = Value::from_i32(u32(TRY(r.read_var_s32()))); break;
        case 0x42: stack[depth++] = Value::from_i64(u64(TRY(r.read_var_s64()))); break;
        case 0x43: stack[depth++] = Value::from_f32_bits(TRY(r.read_u32_fixed())); break;
        case 0x44: stack[depth++] = Value::from_f64_bits(TRY(r.read_u64_fixed())); break;
        case 0xd0: stack[depth++] = Value::from_ref(ValueType(TRY(r.read_u8())), nullptr); break;
        case 0xd2: stack[depth++] = Value::from_ref(ValueType::FuncRef, instance.functions()[TRY(r.read_var_u32())]); break;
        case 0x23: stack[depth++] = instance.globals()[TRY(r.read_var_u32())]->value; break;
        case 0xfd: {
            (void)TRY(r.read_var_u32());
            auto v = TRY(r.read_bytes(16));
            Value value;
            value.type = ValueType::V128;
            copy_bytes(value.v128, v.data(), 16);
            stack[depth++] = value;
            break;
        }
        case 0x6a: case 0x6b: case 0x6c: {
            u32 b = stack[--depth].i32;
            u32& a = stack[depth - 1].i32;
            a = op == 0x6a ? a + b : op == 0x6b ? a - b : a * b;
            break;
        }
        case 0x7c: case 0x7d: case 0x7e: {
            u64 b = stack[--depth].i64;
            u64& a = stack[depth - 1].i64;
            a = op == 0x7c ? a + b : op == 0x7d ? a - b : a * b;
            break;
        }
        default:
            return r.error(ErrorCode::Invalid, "constant expression required");
        }
    }
    VERIFY(depth == 1);
    return stack[0];
}

Result<Instance*> Linker::instantiate(const Module& module, Instance** out) noexcept
{
    // §4.5.4 step 3-4: resolve every import first; nothing is created for
    // an unlinkable module.
    Vector<ExternValue> externs;
    TRY(externs.try_ensure_capacity(module.imports().size()));
    for (const Import& import : module.imports())
        TRY(externs.try_append(TRY(resolve_import(module, import))));

    Instance* instance = TRY(m_store.create_instance());
    instance->m_module = &module;
    if (out)
        *out = instance;
    for (const ExternValue& value : externs) {
        switch (value.kind) {
        case ExternKind::Function: TRY(instance->m_functions.try_append(value.function())); break;
        case ExternKind::Table: TRY(instance->m_tables.try_append(value.table())); break;
        case ExternKind::Memory: TRY(instance->m_memories.try_append(value.memory())); break;
        case ExternKind::Global: TRY(instance->m_globals.try_append(value.global())); break;
        default: break;
        }
    }
    // §4.5.3 allocation: functions, tables, memories, globals.
    for (u32 i = module.imported_function_count(); i < module.functions().size(); ++i) {
        u32 type = TRY(m_store.intern_type(module.function_type(i)));
        TRY(instance->m_functions.try_append(TRY(m_store.create_function(type, instance, i))));
    }
    for (u32 i = module.imported_table_count(); i < module.tables().size(); ++i)
        TRY(instance->m_tables.try_append(TRY(m_store.create_table(module.tables()[i], nullptr))));
    for (u32 i = module.imported_memory_count(); i < module.memories().size(); ++i)
        TRY(instance->m_memories.try_append(TRY(m_store.create_memory(module.memories()[i]))));
    for (u32 i = module.imported_global_count(); i < module.globals().size(); ++i) {
        const Global& g = module.globals()[i];
        Value value = TRY(evaluate(module, *instance, g.init));
        TRY(instance->m_globals.try_append(TRY(m_store.create_global(g.type, value))));
    }
    for (const Export& e : module.exports()) {
        ExternValue value;
        value.kind = e.kind;
        switch (e.kind) {
        case ExternKind::Function: value.object = instance->m_functions[e.index]; break;
        case ExternKind::Table: value.object = instance->m_tables[e.index]; break;
        case ExternKind::Memory: value.object = instance->m_memories[e.index]; break;
        case ExternKind::Global: value.object = instance->m_globals[e.index]; break;
        default: break;
        }
        TRY(instance->add_export(e.name, value));
    }
    TRY(instance->m_dropped_elements.try_resize(module.elements().size(), false));
    TRY(instance->m_dropped_datas.try_resize(module.datas().size(), false));

    // §4.5.4 steps 14-15: active element segments then active data
    // segments, in order, as table.init/memory.init followed by a drop;
    // declarative segments are dropped. An out-of-bounds segment traps and
    // leaves earlier writes in place.
    for (u32 i = 0; i < module.elements().size(); ++i) {
        const ElementSegment& segment = module.elements()[i];
        if (segment.mode == SegmentMode::Passive)
            continue;
        instance->m_dropped_elements[i] = true;
        if (segment.mode == SegmentMode::Declarative)
            continue;
        u32 offset = TRY(evaluate(module, *instance, segment.offset)).i32;
        TableInstance* table = instance->m_tables[segment.table_index];
        u32 count = segment.size();
        if (u64(offset) + count > table->size())
            return make_trap(TrapCode::OutOfBoundsTable);
        for (u32 k = 0; k < count; ++k) {
            Reference ref;
            if (segment.uses_expressions)
                ref = TRY(evaluate(module, *instance, segment.expressions[k])).ref;
            else
                ref = instance->m_functions[segment.functions[k]];
            table->elements()[offset + k] = ref;
        }
    }
    for (u32 i = 0; i < module.datas().size(); ++i) {
        const DataSegment& segment = module.datas()[i];
        if (segment.mode != SegmentMode::Active)
            continue;
        instance->m_dropped_datas[i] = true;
        u32 offset = TRY(evaluate(module, *instance, segment.offset)).i32;
        MemoryInstance* memory = instance->m_memories[segment.memory_index];
        if (u64(offset) + segment.bytes.size > memory->size_in_bytes())
            return make_trap(TrapCode::OutOfBoundsMemory);
        copy_bytes(memory->data() + offset, module.bytes_of(segment.bytes).data(), segment.bytes.size);
    }
    // §4.5.4 step 16: the start function runs code.
    if (module.has_start())
        return Error::from_code(ErrorCode::Unsupported, "start function needs the baseline tier");
    return instance;
}

// ---------------------------------------------------------------- spectest

// spectest's print functions print nothing. The integer ones are typed
// (wasm/TypedHost.h), so a call costs what a host call costs at least.
static Result<void> spectest_print(void*, Span<const Value>, Span<Value>) noexcept { return {}; }
static void spectest_print_none(const HostCall&) noexcept { }
static void spectest_print_i32(const HostCall&, u32) noexcept { }
static void spectest_print_i64(const HostCall&, u64) noexcept { }

Result<Instance*> Linker::define_spectest() noexcept
{
    Instance* instance = TRY(m_store.create_instance());
    static constexpr ValueType f32s[] = { ValueType::F32 };
    static constexpr ValueType f64s[] = { ValueType::F64 };
    static constexpr ValueType i32_f32[] = { ValueType::I32, ValueType::F32 };
    static constexpr ValueType f64_f64[] = { ValueType::F64, ValueType::F64 };
    struct HostDef {
        const char* name;
        Span<const ValueType> params;
    };
    const char* const typed[] = { "print", "print_i32", "print_i64" };
    for (usize i = 0; i < 3; ++i) {
        FunctionInstance* f = TRY(i == 0 ? create_typed_host_function<&spectest_print_none>(m_store, nullptr)
                : i == 1                 ? create_typed_host_function<&spectest_print_i32>(m_store, nullptr)
                                         : create_typed_host_function<&spectest_print_i64>(m_store, nullptr));
        TRY(instance->m_functions.try_append(f));
        TRY(instance->add_export(StringView(typed[i]), { ExternKind::Function, f }));
    }
    const HostDef functions[] = {
        { "print_f32", f32s },
        { "print_f64", f64s },
        { "print_i32_f32", i32_f32 },
        { "print_f64_f64", f64_f64 },
    };
    for (const HostDef& def : functions) {
        FunctionInstance* f = TRY(m_store.create_host_function({ def.params, {} }, spectest_print, nullptr));
        TRY(instance->m_functions.try_append(f));
        TRY(instance->add_export(StringView(def.name), { ExternKind::Function, f }));
    }
    // Values from the spec interpreter's spectest module: 666 and 666.6.
    struct GlobalDef {
        const char* name;
        Value value;
    };
    const GlobalDef globals[] = {
        { "global_i32", Value::from_i32(666) },
        { "global_i64", Value::from_i64(666) },
        { "global_f32", Value::from_f32_bits(0x4426a666) },
        { "global_f64", Value::from_f64_bits(0x4084d4cccccccccdull) },
    };
    for (const GlobalDef& def : globals) {
        GlobalInstance* g = TRY(m_store.create_global({ def.value.type, false }, def.value));
        TRY(instance->m_globals.try_append(g));
        TRY(instance->add_export(StringView(def.name), { ExternKind::Global, g }));
    }
    TableType table_type { ValueType::FuncRef, { 10, 20, true } };
    TableInstance* table = TRY(m_store.create_table(table_type, nullptr));
    TRY(instance->m_tables.try_append(table));
    TRY(instance->add_export("table"_sv, { ExternKind::Table, table }));
    MemoryType memory_type { { 1, 2, true }, false, false };
    MemoryInstance* memory = TRY(m_store.create_memory(memory_type));
    TRY(instance->m_memories.try_append(memory));
    TRY(instance->add_export("memory"_sv, { ExternKind::Memory, memory }));
    TRY(register_instance("spectest"_sv, instance));
    return instance;
}

} // namespace k23::wasm
