#include <hosted/Bench.h>
#include <wasm/TypedHost.h>

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

void execute_pause_marker() noexcept
{
#if defined(__riscv) && __riscv_xlen == 64
    asm volatile(".4byte 0x7f302013" ::: "memory"); // slti x0, x0, 0x7f3
#endif
}

void execute_resume_marker() noexcept
{
#if defined(__riscv) && __riscv_xlen == 64
    asm volatile(".4byte 0x7f402013" ::: "memory"); // slti x0, x0, 0x7f4
#endif
}

namespace {

// Typed (wasm/TypedHost.h): wasm code calls them directly, so a region
// counts little more than the guest's own instructions.
void bench_start(const wasm::HostCall&) noexcept
{
    execute_start_marker();
}

void bench_end(const wasm::HostCall&) noexcept
{
    execute_end_marker();
}

} // namespace

Result<wasm::Instance*> define(wasm::Store& store, wasm::Linker& linker) noexcept
{
    wasm::Instance* instance = TRY(store.create_instance());
    wasm::FunctionInstance* start = TRY(wasm::create_typed_host_function<&bench_start>(store, nullptr));
    wasm::FunctionInstance* end = TRY(wasm::create_typed_host_function<&bench_end>(store, nullptr));
    TRY(instance->add_export("start", { wasm::ExternKind::Function, start }));
    TRY(instance->add_export("end", { wasm::ExternKind::Function, end }));
    TRY(linker.register_instance("bench", instance));
    return instance;
}

} // namespace k23::hosted::bench
