// Runtime helpers called from generated code (jit/Helpers.h). Bounds rules
// are core spec 2.0 §4.4.7 (memory.fill/copy/init: trap when the range
// exceeds the memory, checked before any write) and §4.4.6 (table.fill/
// copy/init likewise); dropped segments act as empty (§4.4.7 data.drop,
// §4.4.6 elem.drop).

#include <base/Memory.h>
#include <jit/Helpers.h>
#include <jit/EngineState.h>
#include <jit/SimdScalar.h>

namespace k23::jit {

namespace {

JitInstance& jit_instance(VMContext* context) { return *static_cast<JitInstance*>(context->owner); }

HelperResult ok(u64 value = 0) { return { value, 0 }; }
HelperResult trap(wasm::TrapCode code) { return { 0, u64(code) + 1 }; }

} // namespace

extern "C" {

u64 k23_jit_memory_size(VMContext* context, u32 memory) noexcept
{
    return jit_instance(context).instance->memories()[memory]->size_in_pages();
}

u64 k23_jit_memory_grow(VMContext* context, u32 memory, u32 delta) noexcept
{
    return u64(jit_instance(context).instance->memories()[memory]->grow(delta));
}

HelperResult k23_jit_memory_fill(VMContext* context, u32 memory, u32 dst, u32 value, u32 count) noexcept
{
    wasm::MemoryInstance* m = jit_instance(context).instance->memories()[memory];
    if (u64(dst) + count > m->size_in_bytes())
        return trap(wasm::TrapCode::OutOfBoundsMemory);
    fill_bytes(m->data() + dst, u8(value), count);
    return ok();
}

HelperResult k23_jit_memory_copy(VMContext* context, u32 dst_memory, u32 src_memory, u32 dst, u32 src, u32 count) noexcept
{
    JitInstance& ji = jit_instance(context);
    wasm::MemoryInstance* d = ji.instance->memories()[dst_memory];
    wasm::MemoryInstance* s = ji.instance->memories()[src_memory];
    if (u64(dst) + count > d->size_in_bytes() || u64(src) + count > s->size_in_bytes())
        return trap(wasm::TrapCode::OutOfBoundsMemory);
    move_bytes(d->data() + dst, s->data() + src, count);
    return ok();
}

HelperResult k23_jit_memory_init(VMContext* context, u32 memory, u32 segment, u32 dst, u32 src, u32 count) noexcept
{
    JitInstance& ji = jit_instance(context);
    wasm::MemoryInstance* m = ji.instance->memories()[memory];
    const wasm::Module& module = *ji.instance->module();
    ReadonlyBytes bytes = module.bytes_of(module.datas()[segment].bytes);
    u64 length = ji.data_dropped[segment] ? 0 : bytes.size();
    if (u64(src) + count > length || u64(dst) + count > m->size_in_bytes())
        return trap(wasm::TrapCode::OutOfBoundsMemory);
    copy_bytes(m->data() + dst, bytes.data() + src, count);
    return ok();
}

void k23_jit_data_drop(VMContext* context, u32 segment) noexcept
{
    jit_instance(context).data_dropped[segment] = true;
}

u64 k23_jit_table_size(VMContext* context, u32 table) noexcept
{
    return jit_instance(context).instance->tables()[table]->size();
}

u64 k23_jit_table_grow(VMContext* context, u32 table, void* init, u32 delta) noexcept
{
    return u64(jit_instance(context).instance->tables()[table]->grow(delta, init));
}

HelperResult k23_jit_table_fill(VMContext* context, u32 table, u32 index, void* ref, u32 count) noexcept
{
    wasm::TableInstance* t = jit_instance(context).instance->tables()[table];
    if (u64(index) + count > t->size())
        return trap(wasm::TrapCode::OutOfBoundsTable);
    for (u32 i = 0; i < count; ++i)
        t->elements()[index + i] = ref;
    return ok();
}

HelperResult k23_jit_table_copy(VMContext* context, u32 dst_table, u32 src_table, u32 dst, u32 src, u32 count) noexcept
{
    JitInstance& ji = jit_instance(context);
    wasm::TableInstance* d = ji.instance->tables()[dst_table];
    wasm::TableInstance* s = ji.instance->tables()[src_table];
    if (u64(dst) + count > d->size() || u64(src) + count > s->size())
        return trap(wasm::TrapCode::OutOfBoundsTable);
    move_bytes(d->elements().data() + dst, s->elements().data() + src, usize(count) * sizeof(wasm::Reference));
    return ok();
}

HelperResult k23_jit_table_init(VMContext* context, u32 table, u32 segment, u32 dst, u32 src, u32 count) noexcept
{
    JitInstance& ji = jit_instance(context);
    wasm::TableInstance* t = ji.instance->tables()[table];
    Vector<wasm::Reference>& refs = ji.element_refs[segment];
    u64 length = ji.element_dropped[segment] ? 0 : refs.size();
    if (u64(src) + count > length || u64(dst) + count > t->size())
        return trap(wasm::TrapCode::OutOfBoundsTable);
    for (u32 i = 0; i < count; ++i)
        t->elements()[dst + i] = refs[src + i];
    return ok();
}

void k23_jit_elem_drop(VMContext* context, u32 segment) noexcept
{
    jit_instance(context).element_dropped[segment] = true;
}

u64 k23_jit_clz64(u64 value) noexcept { return value ? u64(__builtin_clzll(value)) : 64; }
u64 k23_jit_ctz64(u64 value) noexcept { return value ? u64(__builtin_ctzll(value)) : 64; }
u64 k23_jit_popcnt64(u64 value) noexcept { return u64(__builtin_popcountll(value)); }

} // extern "C"

HelperTable native_helpers() noexcept
{
    HelperTable table;
    auto set = [&](HelperId id, auto* function) { table.address[usize(id)] = reinterpret_cast<u64>(function); };
    set(HelperId::MemorySize, &k23_jit_memory_size);
    set(HelperId::MemoryGrow, &k23_jit_memory_grow);
    set(HelperId::MemoryFill, &k23_jit_memory_fill);
    set(HelperId::MemoryCopy, &k23_jit_memory_copy);
    set(HelperId::MemoryInit, &k23_jit_memory_init);
    set(HelperId::DataDrop, &k23_jit_data_drop);
    set(HelperId::TableSize, &k23_jit_table_size);
    set(HelperId::TableGrow, &k23_jit_table_grow);
    set(HelperId::TableFill, &k23_jit_table_fill);
    set(HelperId::TableCopy, &k23_jit_table_copy);
    set(HelperId::TableInit, &k23_jit_table_init);
    set(HelperId::ElemDrop, &k23_jit_elem_drop);
    set(HelperId::Clz64, &k23_jit_clz64);
    set(HelperId::Ctz64, &k23_jit_ctz64);
    set(HelperId::Popcnt64, &k23_jit_popcnt64);
    set(HelperId::SimdScalar, &k23_simd_scalar);
    set(HelperId::TierUp, &k23_jit_tier_up);
    set(HelperId::TierUpLoop, &k23_jit_tier_up_loop);
    return table;
}

} // namespace k23::jit
