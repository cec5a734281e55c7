// The engine inside a GuestSpace::Scope (kernel/mm/GuestSpace.h): reading,
// validating, compiling and instantiating a module puts every engine object,
// the code and the linear memory in the guest's user half, and destroying
// it all leaves nothing allocated in any area; destroying the space gives
// every frame back.

#include <arch/riscv64/Csr.h>
#include <base/Platform.h>
#include <jit/Engine.h>
#include <kernel/Heap.h>
#include <kernel/KTest.h>
#include <kernel/mm/GuestSpace.h>
#include <kernel/mm/PageTableAudit.h>
#include <kernel/mm/PhysicalMemory.h>
#include <wasm/BinaryReader.h>
#include <wasm/Linker.h>
#include <wasm/Runtime.h>

using namespace k23;
using namespace k23::kernel;
using namespace k23::riscv64;

namespace {

// wat2wasm of (the module of tests/kernel/EngineTests.cpp):
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

// sstatus.SUM (privileged spec §4.1.1.2) for the engine's own stores into
// the linear memory (U pages): the data segments.
class UserAccess {
public:
    UserAccess() noexcept
        : m_previous(set_csr_bits<Csr::Sstatus>(Sstatus::SUM))
    {
    }
    ~UserAccess() noexcept
    {
        if ((m_previous & Sstatus::SUM) == 0)
            clear_csr_bits<Csr::Sstatus>(Sstatus::SUM);
    }

private:
    u64 m_previous;
};

} // namespace

KTEST(guest_space_engine_compiles_and_instantiates_in_the_guest_half)
{
    {
        // Warm up the kernel heap's first allocations.
        GuestSpace warm;
        KASSERT(!warm.create().is_error());
    }
    heap_collect();
    usize frames_before = physical_memory().free_frame_count();
    {
        GuestSpace space;
        KASSERT(!space.create().is_error());
        {
            GuestSpace::Scope scope(space);
            auto module = wasm::read_module(ReadonlyBytes(small_module, sizeof small_module));
            KASSERT(!module.is_error());
            jit::EngineOptions options;
            options.stack_size = usize(1) << 20;
            auto engine = jit::Engine::create(options);
            KASSERT(!engine.is_error());
            KEXPECT(space.in_area(GuestArea::Private, u64(engine.value())));
            jit::CompileStats stats;
            KASSERT(!engine.value()->compile(module.value(), &stats).is_error());
            KEXPECT_EQ(stats.functions, 2u);
            KEXPECT_GT(space.stats().area(GuestArea::Code).allocations, 0u);
            {
                wasm::Store store;
                wasm::Linker linker(store);
                UserAccess user_access;
                auto instance = engine.value()->instantiate(linker, module.value());
                KASSERT(!instance.is_error());
                KEXPECT(space.in_area(GuestArea::Private, u64(instance.value())));
                const auto* exported = instance.value()->find_export("memory"_sv);
                KASSERT(exported != nullptr);
                wasm::MemoryInstance* memory = exported->value.memory();
                u8* base = memory->data();
                KEXPECT(space.contains(u64(base), 65536, GuestRegion::LinearMemory));
                KEXPECT(!space.address_space().in_engine_region(u64(base)));
                KEXPECT(base[16] == 'k' && base[17] == '2' && base[18] == '3');
                KEXPECT_EQ(memory->grow(2), 1);
                KEXPECT(memory->data() == base);
                KEXPECT(space.contains(u64(base), 3 * 65536, GuestRegion::LinearMemory));
                base[3 * 65536 - 1] = 0x5a;
                KEXPECT(base[3 * 65536 - 1] == 0x5a);
                KEXPECT_EQ(memory->grow(2), -1);
            }
            auto audit_guest = audit_user_page_tables(space.address_space(), View::Guest);
            auto audit_kernel = audit_user_page_tables(space.address_space(), View::Kernel);
            KEXPECT_EQ(audit_guest.violations(), 0u);
            KEXPECT_EQ(audit_kernel.violations(), 0u);
            jit::Engine::destroy(engine.value());
        }
        // Everything the engine allocated inside the scope is freed.
        auto stats = space.stats();
        for (usize i = 0; i < guest_area_count; ++i) {
            if (stats.areas[i].allocations != 0)
                ktest_failf(__FILE__, __LINE__, false, "{}: {} allocations ({} bytes) left"_sv,
                    guest_area_name(static_cast<GuestArea>(i)), stats.areas[i].allocations, stats.areas[i].bytes_in_use);
        }
        KEXPECT_EQ(stats.memories, 0u);
    }
    heap_collect();
    KEXPECT_EQ(physical_memory().free_frame_count(), frames_before);
}
