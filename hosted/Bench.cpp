#include <hosted/Bench.h>

namespace k23::hosted::bench {

void execute_start_marker() noexcept
{
#if defined(__riscv) && __riscv_xlen == 64
    asm volatile(".4byte 0x7f102013" ::: "memory"); // slti x0, x0, 0x7f1
#endif
}

void execute_end_marker() noexcept
{
#if defined(__riscv) && __riscv_xlen == 64
    asm volatile(".4byte 0x7f202013" ::: "memory"); // slti x0, x0, 0x7f2
#endif
}

namespace {

Result<void> bench_start(void*, Span<const wasm::Value>, Span<wasm::Value>)
{
    execute_start_marker();
    return {};
}

Result<void> bench_end(void*, Span<const wasm::Value>, Span<wasm::Value>)
{
    execute_end_marker();
    return {};
}

} // namespace

Result<wasm::Instance*> define(wasm::Store& store, wasm::Linker& linker) noexcept
{
    wasm::FunctionType nullary {};
    wasm::Instance* instance = TRY(store.create_instance());
    wasm::FunctionInstance* start = TRY(store.create_host_function(nullary, bench_start, nullptr));
    wasm::FunctionInstance* end = TRY(store.create_host_function(nullary, bench_end, nullptr));
    TRY(instance->add_export("start", { wasm::ExternKind::Function, start }));
    TRY(instance->add_export("end", { wasm::ExternKind::Function, end }));
    TRY(linker.register_instance("bench", instance));
    return instance;
}

} // namespace k23::hosted::bench
