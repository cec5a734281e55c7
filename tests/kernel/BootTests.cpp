// Boot-time facts: boot arguments, the device tree, the console, relocation.

#include <arch/riscv64/Csr.h>
#include <kernel/Boot.h>
#include <kernel/BootArgs.h>
#include <kernel/Console.h>
#include <kernel/DeviceTree.h>
#include <kernel/KTest.h>

extern "C" {
[[gnu::visibility("hidden")]] extern char __image_start[];
[[gnu::visibility("hidden")]] extern char __image_end[];
[[gnu::visibility("hidden")]] extern char __rela_dyn_start[];
[[gnu::visibility("hidden")]] extern char __rela_dyn_end[];
[[gnu::visibility("hidden")]] extern k23::kernel::KTestRecord __ktest_array_start[];
[[gnu::visibility("hidden")]] extern k23::kernel::KTestRecord __ktest_array_end[];
void kernel_main(const k23::boot::BootInfo*) noexcept;
}

using namespace k23;
using namespace k23::kernel;

KTEST(bootargs_parse)
{
    BootArgs args("  ktest=heap*  quiet loglevel=3\tlast= "_sv);
    StringView value;
    KASSERT(args.get("ktest"_sv, value));
    KEXPECT_EQ(value, "heap*"_sv);
    KEXPECT(args.has("quiet"_sv));
    KEXPECT(args.get("quiet"_sv, value));
    KEXPECT(value.is_empty());
    KEXPECT(args.get("loglevel"_sv, value));
    KEXPECT_EQ(value, "3"_sv);
    KEXPECT(args.get("last"_sv, value));
    KEXPECT(value.is_empty());
    KEXPECT(!args.has("ktes"_sv));
    KEXPECT(!args.has("heap"_sv));
    KEXPECT(!BootArgs(""_sv).has("ktest"_sv));
}

KTEST(bootargs_from_device_tree)
{
    // This boot ran tests, so /chosen/bootargs names ktest.
    KEXPECT(BootArgs(g_platform.bootargs).has("ktest"_sv));
}

KTEST(ktest_pattern_matching)
{
    KEXPECT(ktest_name_matches("heap_reuse"_sv, "heap"_sv));
    KEXPECT(ktest_name_matches("heap_reuse"_sv, "reuse"_sv));
    KEXPECT(!ktest_name_matches("heap_reuse"_sv, "trap"_sv));
    KEXPECT(ktest_name_matches("heap_reuse"_sv, "heap*"_sv));
    KEXPECT(!ktest_name_matches("heap_reuse"_sv, "reuse*"_sv));
    KEXPECT(ktest_name_matches("heap_reuse"_sv, "*reuse"_sv));
    KEXPECT(ktest_name_matches("heap_reuse"_sv, "h?ap_*e"_sv));
    KEXPECT(ktest_name_matches("heap_reuse"_sv, "*"_sv));
    KEXPECT(!ktest_name_matches("heap_reuse"_sv, "heap_reuse?"_sv));
}

KTEST(device_tree_memory)
{
    KASSERT(g_platform.memory_region_count > 0);
    // The kernel runs in virtual memory now: check where the loader put it.
    auto image = boot_info().kernel_physical_base;
    auto image_end = image + boot_info().kernel_size;
    KEXPECT_EQ(virt_to_phys(__image_start), image);
    bool image_in_memory = false;
    for (usize i = 0; i < g_platform.memory_region_count; ++i) {
        const auto& region = g_platform.memory[i];
        KEXPECT_EQ(region.base % 4096, 0u);
        KEXPECT_GE(region.size, 16u * 1024 * 1024);
        KEXPECT_GT(region.base + region.size, region.base); // no wrap-around
        if (image >= region.base && image_end <= region.base + region.size)
            image_in_memory = true;
    }
    KEXPECT(image_in_memory);
    // The device tree blob itself lives in RAM too.
    auto fdt = virt_to_phys(g_platform.fdt);
    KEXPECT_EQ(fdt, boot_info().dtb_physical);
    KEXPECT_GE(fdt, g_platform.memory[0].base);
}

KTEST(device_tree_cpus)
{
    KEXPECT_GE(g_platform.cpu_count, 1u);
    KASSERT(!g_platform.boot_hart_isa.is_empty());
    KEXPECT(g_platform.boot_hart_isa.starts_with("rv64"_sv));
    // The kernel is built for rv64gc: the hart must have i, m, a, f, d, c.
    for (char extension : "imafdc"_sv)
        KEXPECT(g_platform.isa_has(extension));
    KEXPECT_GT(g_platform.timebase_frequency, 0u);
}

KTEST(uart_at_device_tree_address)
{
    KASSERT(g_platform.has_uart);
    KEXPECT(console_is_uart());
    // Devices are reached through the direct map.
    KEXPECT_EQ(console_uart().base, phys_to_virt(g_platform.uart.base));
    KEXPECT_NE(g_platform.uart.base, 0u);
    const auto& uart = console_uart();
    KEXPECT(uart.kind == g_platform.uart.kind);
    if (uart.kind == UartKind::SifiveUart0) {
        // SiFive UART: txdata's bit 31 (FIFO full) clears as output drains,
        // and txctrl.txen (bit 0) is on.
        auto const volatile* txdata = reinterpret_cast<volatile const u32*>(uart.base);
        u32 value = 1u << 31;
        for (int i = 0; i < 100000 && (value & (1u << 31)) != 0; ++i)
            value = *txdata;
        KEXPECT_EQ(value & (1u << 31), 0u);
        KEXPECT_EQ(reinterpret_cast<volatile const u32*>(uart.base + 8)[0] & 1u, 1u);
        return;
    }
    // The 16550's line status register at that address: once earlier output
    // drains, THR empty (bit 5) and transmitter empty (bit 6) are both set.
    // (Reading LSR has no side effects, unlike reading RBR or IIR.)
    auto lsr_address = uart.base + (5u << uart.reg_shift);
    u8 lsr = 0;
    for (int i = 0; i < 100000 && (lsr & 0x60) != 0x60; ++i)
        lsr = uart.reg_io_width == 4 ? static_cast<u8>(*reinterpret_cast<volatile u32*>(lsr_address))
                                     : *reinterpret_cast<volatile u8*>(lsr_address);
    KEXPECT_EQ(lsr & 0x60, 0x60);
}

namespace {
[[gnu::noinline]] int relocation_probe_a() { return 1; }
[[gnu::noinline]] int relocation_probe_b() { return 2; }
int (*relocation_probe_table[])() = { relocation_probe_a, relocation_probe_b };
const char* const relocation_probe_string = "relocated";
}

KTEST(relocation_function_pointer_table)
{
    auto image = reinterpret_cast<uptr>(__image_start);
    auto image_end = reinterpret_cast<uptr>(__image_end);
    // The kernel is linked at 0; the loader relocates it to a random
    // upper-half base. Unrelocated pointers would be small link-time offsets.
    KEXPECT_NE(image, 0u);
    KEXPECT_LT(reinterpret_cast<uptr>(__rela_dyn_start), reinterpret_cast<uptr>(__rela_dyn_end));
    for (auto* const volatile* entry = reinterpret_cast<int (*const volatile*)()>(relocation_probe_table);
         entry < reinterpret_cast<int (*const volatile*)()>(relocation_probe_table + 2); ++entry) {
        auto address = reinterpret_cast<uptr>(*entry);
        KEXPECT_GE(address, image);
        KEXPECT_LT(address, image_end);
    }
    auto* volatile* table = reinterpret_cast<int (*volatile*)()>(relocation_probe_table);
    KEXPECT_EQ(table[0](), 1);
    KEXPECT_EQ(table[1](), 2);
    const auto* volatile string = relocation_probe_string;
    KEXPECT_GE(reinterpret_cast<uptr>(string), image);
    KEXPECT_EQ(StringView(string), "relocated"_sv);
    // Code addresses taken PC-relatively agree with the relocated table.
    KEXPECT_EQ(reinterpret_cast<uptr>(table[0]), reinterpret_cast<uptr>(&relocation_probe_a));
    KEXPECT_GE(reinterpret_cast<uptr>(&kernel_main), image);
}

KTEST(relocation_ktest_records)
{
    auto image = reinterpret_cast<uptr>(__image_start);
    auto image_end = reinterpret_cast<uptr>(__image_end);
    usize count = 0;
    for (auto* test = __ktest_array_start; test < __ktest_array_end; ++test, ++count) {
        KEXPECT_GE(reinterpret_cast<uptr>(test->function), image);
        KEXPECT_LT(reinterpret_cast<uptr>(test->function), image_end);
        KEXPECT_GE(reinterpret_cast<uptr>(test->name), image);
        KEXPECT_LT(reinterpret_cast<uptr>(test->name), image_end);
    }
    KEXPECT_GT(count, 5u);
}

KTEST(fpu_enabled)
{
    using namespace k23::riscv64;
    auto fs = (read_csr<Csr::Sstatus>() & Sstatus::FS_MASK) >> Sstatus::FS_SHIFT;
    KEXPECT_NE(fs, 0u);
    volatile double a = 1.5;
    volatile double b = 2.25;
    KEXPECT(a * b == 3.375);
}

// Deliberately fails: `ktest=ktest_selftest_failure` checks that a failing
// run prints FAIL and makes QEMU exit with status 1.
KTEST_MANUAL(ktest_selftest_failure)
{
    KEXPECT_EQ(1 + 1, 3);
    KASSERT(false);
    KEXPECT(false); // not reached: KASSERT left the test
}
