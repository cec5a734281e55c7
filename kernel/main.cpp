#include <arch/riscv64/Csr.h>
#include <kernel/BootArgs.h>
#include <kernel/Console.h>
#include <kernel/DeviceTree.h>
#include <kernel/Heap.h>
#include <kernel/KTest.h>
#include <kernel/Panic.h>
#include <kernel/Shutdown.h>
#include <kernel/Trap.h>

#ifndef K23_VERSION
#    error "K23_VERSION must come from CMake (PROJECT_VERSION)"
#endif

extern "C" {
[[gnu::visibility("hidden")]] extern void (*__init_array_start[])();
[[gnu::visibility("hidden")]] extern void (*__init_array_end[])();
}

namespace k23::kernel {

namespace {

void run_global_constructors() noexcept
{
    // The entries were relocated by the boot entry like any other pointer.
    for (auto* constructor = __init_array_start; constructor < __init_array_end; ++constructor)
        (*constructor)();
}

// sstatus.VS is enabled only when the device tree says the boot hart has V:
// on a hart without V the field may be read-only zero or, worse, writable
// (privileged spec §3.1.6.6), so writing it proves nothing.
void enable_vector_unit_if_present() noexcept
{
    using namespace riscv64;
    if (!g_platform.isa_has('v'))
        return;
    set_csr_bits<Csr::Sstatus>(Sstatus::EXTENSION_INITIAL << Sstatus::VS_SHIFT);
}

// "crash=panic" and "crash=trap" exercise the failure paths (./k23 uses them
// to check that a crashing kernel makes QEMU exit non-zero).
void handle_crash_request(BootArgs const& args) noexcept
{
    StringView crash;
    if (!args.get("crash"_sv, crash))
        return;
    if (crash == "panic"_sv)
        panic("requested by boot argument crash=panic"_sv);
    if (crash == "trap"_sv)
        asm volatile("ebreak");
}

} // namespace

} // namespace k23::kernel

extern "C" [[noreturn]] void kernel_main(u64 hart_id, const void* fdt) noexcept
{
    using namespace k23;
    using namespace k23::kernel;

    current_hart().hart_id = hart_id;
    run_global_constructors();
    console_install_log_sink();

    // Until the device tree names a UART, the console goes through the SBI.
    if (auto const* error = parse_device_tree(fdt, hart_id, g_platform))
        panic("device tree at {}: {}"_sv, fdt, error);
    if (g_platform.has_uart)
        console_use_uart(g_platform.uart);
    if (g_platform.has_test_finisher)
        shutdown_set_test_finisher(g_platform.test_finisher_base);
    enable_vector_unit_if_present();
    heap_initialize();

    kprintln("k23 {} riscv64 (hart {}, {} MiB, isa {})"_sv, K23_VERSION, hart_id,
        g_platform.total_memory() / (1024 * 1024), g_platform.boot_hart_isa);

    BootArgs args(g_platform.bootargs);
    handle_crash_request(args);

    StringView pattern;
    if (args.get("ktest"_sv, pattern)) {
        usize failed = run_ktests(pattern);
        shutdown(failed == 0 ? 0 : 1);
    }
    shutdown(0);
}
