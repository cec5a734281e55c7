// The engine inside the kernel (issue 13 part 2): the kernel reads,
// validates, compiles (baseline tier) and instantiates a module from a
// buffer through its own platform (kernel/Platform.cpp), and gives every
// frame and every byte of address space back afterwards.

#include <arch/riscv64/Paging.h>
#include <base/Platform.h>
#include <jit/Engine.h>
#include <kernel/Heap.h>
#include <kernel/KTest.h>
#include <kernel/Platform.h>
#include <kernel/mm/PhysicalMemory.h>
#include <kernel/mm/VirtualMemory.h>
#include <wasm/BinaryReader.h>
#include <wasm/Linker.h>
#include <wasm/Runtime.h>

using namespace k23;
using namespace k23::kernel;

namespace {

// wat2wasm of:
//   (module
//     (memory (export "memory") 1 4)
//     (data (i32.const 16) "k23")
//     (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
//     (func (export "load") (param i32) (result i32) local.get 0 i32.load8_u))
constexpr u8 small_module[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0c, 0x02, 0x60,
    0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x03, 0x03,
    0x02, 0x00, 0x01, 0x05, 0x04, 0x01, 0x01, 0x01, 0x04, 0x07, 0x17, 0x03,
    0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x03, 0x61, 0x64,
    0x64, 0x00, 0x00, 0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x01, 0x0a, 0x11,
    0x02, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, 0x07, 0x00, 0x20,
    0x00, 0x2d, 0x00, 0x00, 0x0b, 0x0b, 0x09, 0x01, 0x00, 0x41, 0x10, 0x0b,
    0x03, 0x6b, 0x32, 0x33
};

ReadonlyBytes module_bytes() { return ReadonlyBytes(small_module, sizeof small_module); }

jit::EngineOptions kernel_engine_options()
{
    jit::EngineOptions options;
    options.stack_size = usize(1) << 20;
    return options;
}

} // namespace

KTEST(engine_reads_validates_compiles_and_instantiates_in_the_kernel)
{
    usize frames_before = physical_memory().free_frame_count();
    usize area_before = engine_area_free_bytes();
    {
        auto module = wasm::read_module(module_bytes());
        KASSERT(!module.is_error());
        auto engine = jit::Engine::create(kernel_engine_options());
        KASSERT(!engine.is_error());
        KEXPECT(!engine.value()->can_execute()); // guests run in U-mode (issue 13), not here
        jit::CompileStats stats;
        KASSERT(!engine.value()->compile(module.value(), &stats).is_error());
        KEXPECT_EQ(stats.functions, 2u);
        KEXPECT(stats.code_bytes > 0);
        {
            wasm::Store store;
            wasm::Linker linker(store);
            auto instance = engine.value()->instantiate(linker, module.value());
            KASSERT(!instance.is_error());
            KEXPECT(instance.value()->find_export("add"_sv) != nullptr);
            const auto* exported = instance.value()->find_export("memory"_sv);
            KASSERT(exported != nullptr);
            wasm::MemoryInstance* memory = exported->value.memory();
            // The data segment landed in memory the kernel mapped.
            KEXPECT_EQ(memory->size_in_bytes(), 65536u);
            KEXPECT(memory->data()[16] == 'k' && memory->data()[17] == '2' && memory->data()[18] == '3');
            // memory.grow maps zeroed pages in place: the base never moves.
            u8* base = memory->data();
            KEXPECT_EQ(memory->grow(2), 1);
            KEXPECT(memory->data() == base);
            KEXPECT_EQ(memory->size_in_bytes(), 3u * 65536u);
            KEXPECT(base[3 * 65536 - 1] == 0);
            base[3 * 65536 - 1] = 0x5a;
            KEXPECT(base[3 * 65536 - 1] == 0x5a);
            // Past the declared maximum (4 pages) it fails and stays put.
            KEXPECT_EQ(memory->grow(2), -1);
            KEXPECT(memory->data() == base);
        }
        jit::Engine::destroy(engine.value());
    }
    heap_collect();
    KEXPECT_EQ(engine_area_free_bytes(), area_before);
    // The heap may keep some frames cached; the engine area's frames and
    // page tables must all be back (a leak here is megabytes, not pages).
    KEXPECT(physical_memory().free_frame_count() + 64 >= frames_before);
}

KTEST(engine_code_is_never_writable_and_executable)
{
    auto code = platform_code_allocate(3 * riscv64::PAGE_SIZE);
    KASSERT(!code.is_error());
    u64 base = u64(code.value());
    for (u64 offset = 0; offset < 3 * riscv64::PAGE_SIZE; offset += riscv64::PAGE_SIZE) {
        auto translation = kernel_virtual_memory().translate(base + offset);
        KASSERT(!translation.is_error());
        KEXPECT(translation.value().protection == Protection::ReadWrite);
    }
    code.value()[0] = 0x13; // nop (addi x0, x0, 0)
    KASSERT(!platform_code_publish(code.value(), 3 * riscv64::PAGE_SIZE).is_error());
    for (u64 offset = 0; offset < 3 * riscv64::PAGE_SIZE; offset += riscv64::PAGE_SIZE) {
        auto translation = kernel_virtual_memory().translate(base + offset);
        KASSERT(!translation.is_error());
        KEXPECT(translation.value().protection == Protection::ReadExecute);
    }
    platform_code_release(code.value(), 3 * riscv64::PAGE_SIZE);
    KEXPECT(kernel_virtual_memory().translate(base).is_error());
}

KTEST(engine_rejects_a_malformed_module_with_its_offset)
{
    u8 bytes[sizeof small_module];
    for (usize i = 0; i < sizeof bytes; ++i)
        bytes[i] = small_module[i];
    bytes[sizeof bytes - 15] = 0xff; // "load"'s i32.load8_u opcode: no such opcode
    auto module = wasm::read_module(ReadonlyBytes(bytes, sizeof bytes));
    KASSERT(module.is_error());
    KEXPECT(module.error().message().length() > 0);
}

KTEST(platform_clock_and_entropy)
{
    u64 first = platform_monotonic_ns();
    u64 second = platform_monotonic_ns();
    KEXPECT(second >= first);
    u8 a[32] = {}, b[32] = {};
    KASSERT(platform_random_bytes(a, sizeof a));
    KASSERT(platform_random_bytes(b, sizeof b));
    bool differ = false;
    for (usize i = 0; i < sizeof a; ++i)
        differ |= a[i] != b[i];
    KEXPECT(differ);
}
