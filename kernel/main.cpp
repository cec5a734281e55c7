#include <arch/riscv64/Csr.h>
#include <kernel/Boot.h>
#include <kernel/BootArgs.h>
#include <kernel/Console.h>
#include <kernel/DeviceTree.h>
#include <kernel/Heap.h>
#include <kernel/KTest.h>
#include <kernel/OsCosts.h>
#include <kernel/Panic.h>
#include <kernel/Shutdown.h>
#include <kernel/Smp.h>
#include <kernel/SpecRunner.h>
#include <kernel/Trap.h>
#include <kernel/WasiRun.h>
#include <kernel/WasmGuest.h>
#include <kernel/fs/Initrd.h>
#include <kernel/mm/PhysicalMemory.h>
#include <kernel/mm/UserAddressSpace.h>
#include <kernel/mm/VirtualMemory.h>

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

// "crash=panic" and "crash=trap" exercise the failure paths (./k23 uses them
// to check that a crashing kernel makes QEMU exit non-zero).
void handle_crash_request(const BootArgs& args) noexcept
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

namespace k23::kernel {
namespace {

// The frame allocator gets the loader's memory map, as direct-map addresses:
// with the MMU on, that is how the kernel touches a frame (and the allocator
// keeps its bitmaps inside the ranges it manages).
void physical_memory_from_boot_info(const boot::BootInfo& info) noexcept
{
    PhysicalRange ranges[boot::BootInfo::max_memory_ranges];
    usize count = 0;
    for (u32 i = 0; i < info.memory_range_count; ++i)
        ranges[count++] = { phys_to_virt(info.memory_map[i].base), info.memory_map[i].size };
    auto result = physical_memory().initialize(Span<PhysicalRange const>(ranges, count));
    if (result.is_error())
        panic("physical memory: {}"_sv, result.error().message());
    if (physical_memory().free_frame_count() == 0)
        panic("physical memory: no usable RAM"_sv);
}

} // namespace
} // namespace k23::kernel

// Entered from arch/riscv64/entry.S, which the loader jumps to with the MMU
// on and a0 = the BootInfo (a direct-map address).
extern "C" [[noreturn]] void kernel_main(const k23::boot::BootInfo* info) noexcept
{
    using namespace k23;
    using namespace k23::kernel;

    // Boot cost: instructions retired since the loader's first one (exact
    // under QEMU -icount; BootInfo.loader_entry_instret).
    u64 main_instret = riscv64::read_csr<riscv64::Csr::Instret>();
    run_global_constructors();
    console_install_log_sink();
    console_set_address_translator([](const void* address) noexcept { return virt_to_phys(address); });
    if (const auto* error = boot_info_install(info))
        panic("{}"_sv, error);
    u64 hart_id = info->hart_id;
    current_hart().hart_id = hart_id;

    // Until the device tree names a UART, the console goes through the SBI.
    // Device addresses in the tree are physical: use them through the direct map.
    const auto* fdt = phys_to_virt_pointer<const void>(info->dtb_physical);
    if (const auto* error = parse_device_tree(fdt, hart_id, g_platform))
        panic("device tree at {}: {}"_sv, fdt, error);
    if (g_platform.has_uart) {
        UartConfig uart = g_platform.uart;
        uart.base = phys_to_virt(uart.base);
        console_use_uart(uart);
    }
    if (g_platform.has_test_finisher)
        shutdown_set_test_finisher(phys_to_virt(g_platform.test_finisher_base));
    enable_vector_unit_for(hart_id);
    physical_memory_from_boot_info(*info);
    // The kernel's own page tables replace the loader's (no identity map).
    if (auto result = kernel_virtual_memory().initialize(*info); result.is_error())
        panic("virtual memory: {}"_sv, result.error().message());
    // Guests' address spaces share the kernel half (kernel/mm/UserAddressSpace.h).
    if (auto result = user_address_spaces_initialize(); result.is_error())
        panic("user address spaces: {}"_sv, result.error().message());
    heap_initialize();
    u64 setup_instret = riscv64::read_csr<riscv64::Csr::Instret>();

    kprintln("k23 {} riscv64 (hart {}, {} MiB, isa {})"_sv, K23_VERSION, hart_id,
        g_platform.total_memory() / (1024 * 1024), g_platform.boot_hart_isa);
    kprintln("kernel: running at {:#018x} ({}), direct map at {:#018x}"_sv, info->kernel_virtual_base,
        info->paging_mode == 9 ? "sv48" : "sv39", info->direct_map_offset);

    if (g_platform.has_uart)
        kprintln("kernel: console {} at {:#x}"_sv, uart_kind_name(g_platform.uart.kind), g_platform.uart.base);
    else
        kprintln("kernel: console through the SBI"_sv);
    kprintln("kernel: own page tables ({} frames), loader identity map dropped"_sv,
        kernel_virtual_memory().table_frame_count());
    kprintln("boot: {} instructions from loader entry to kernel main"_sv, main_instret - info->loader_entry_instret);

    auto smp = start_secondary_harts();
    kprintln("smp: {} harts online of {} started, {} usable in the device tree (boot hart {})"_sv, smp.online,
        smp.started, smp.usable, hart_id);

    u64 smp_instret = riscv64::read_csr<riscv64::Csr::Instret>();
    initrd_unpack();
    u64 initrd_instret = riscv64::read_csr<riscv64::Csr::Instret>();

    BootArgs args(g_platform.bootargs);
    handle_crash_request(args);
    handle_panic_request(args);

    // tier=baseline|optimizing|auto: the compiler of every guest (./k23 run
    // --tier, ./k23 spec --where kernel --tier; auto without it, its
    // compiles deferred to preemption points: kernel/DeferredTierUp.h).
    // Anything else ends the boot before any guest runs: a run under the
    // wrong tier would mislead.
    // tier_budget=N: auto's tier-up budget (jit::EngineOptions).
    // tier_up_osr=0|1: auto's on-stack replacement (on unless 0).
    StringView tier;
    if (args.get("tier"_sv, tier)) {
        jit::Tier value;
        if (!jit::parse_tier(tier, value)) {
            kprintln("boot: tier={}: expected baseline, optimizing or auto"_sv, tier);
            shutdown(1);
        }
        set_default_guest_tier(value);
    }
    StringView budget;
    if (args.get("tier_budget"_sv, budget)) {
        bool valid = !budget.is_empty() && budget.length() <= 9;
        u32 value = 0;
        for (char c : budget) {
            valid = valid && c >= '0' && c <= '9';
            value = valid ? value * 10 + u32(c - '0') : 0;
        }
        if (!valid) {
            kprintln("boot: tier_budget={}: expected a number below 10^9"_sv, budget);
            shutdown(1);
        }
        set_default_tier_budget(value);
    }
    StringView osr;
    if (args.get("tier_up_osr"_sv, osr)) {
        if (osr != "0"_sv && osr != "1"_sv) {
            kprintln("boot: tier_up_osr={}: expected 0 or 1"_sv, osr);
            shutdown(1);
        }
        set_default_tier_up_osr(osr == "1"_sv);
    }

    int status = 0;
    StringView pattern;
    if (args.get("ktest"_sv, pattern))
        status = run_ktests(pattern) == 0 ? 0 : 1;
    // The spec suite's commands (kernel/SpecRunner.h): a file of the
    // initrd, answered on the console; ./k23 spec --where kernel judges them.
    StringView spec_commands;
    if (args.get("spec"_sv, spec_commands) && run_spec_commands(root_file_system(), spec_commands) < 0)
        status = 1;
    // ./k23 bench's OS costs of guests in U-mode (kernel/OsCosts.h).
    if (args.has("costs"_sv) && run_os_costs() != 0)
        status = 1;
    // ./k23 run FILE.wasm: a WASI command as a U-mode guest, its status
    // the boot's (kernel/WasiRun.h).
    StringView run_command;
    if (args.get("run"_sv, run_command)) {
        StringView timeout;
        u64 timeout_ms = 0;
        if (args.get("run-timeout"_sv, timeout)) {
            // Milliseconds (tools/driver/kernelrun.py); anything else: none.
            bool valid = !timeout.is_empty() && timeout.length() <= 12;
            for (char c : timeout) {
                valid = valid && c >= '0' && c <= '9';
                timeout_ms = valid ? timeout_ms * 10 + u64(c - '0') : 0;
            }
            if (!valid)
                kprintln("run: run-timeout={}: expected milliseconds, running without a timeout"_sv, timeout);
        }
        status = int(run_wasi_commands(root_file_system(), run_command, timeout_ms));
    }
    // ./k23 run without a file: the default program (kernel/WasiRun.h).
    if (args.has("demo"_sv))
        status = int(run_default_program(root_file_system()));
    // ./k23 bench's boot to the first guest instruction, by phase (booted
    // with run= alone, it is the WASI command's; the kernel's own phases
    // end at the first entry into U-mode).
    if (u64 first_guest = boot_first_guest_instret()) {
        kprintln("boot: {} instructions from loader entry to the first guest instruction"_sv,
            first_guest - info->loader_entry_instret);
        kprintln("boot: kernel phases: main to heap {}, console and harts {}, initrd {}, to the first guest {}"_sv,
            setup_instret - main_instret, smp_instret - setup_instret, initrd_instret - smp_instret,
            first_guest - initrd_instret);
    }
    // Write-back: what the file system holds at the end, for ./k23 to
    // copy out (kernel/fs/Initrd.h).
    StringView dump;
    if (args.get("ramfs-dump"_sv, dump)) {
        if (auto result = ramfs_dump(root_file_system(), dump == "changed"_sv); result.is_error()) {
            kprintln("ramfs: dump failed: {}"_sv, result.error().message());
            status = 1;
        }
    }
    shutdown(status);
}
