// Device-tree edge cases for the parser in boot/DeviceTree.cpp, on blobs built here
// with libfdt's sequential-write API (fdt_create, fdt_begin_node, ...).

#include <base/Memory.h>
#include <boot/DeviceTree.h>
#include <kernel/KTest.h>

extern "C" {
#include <libfdt.h>
}

using namespace k23;
using namespace k23::boot;

namespace {

// Builds one blob: reservations, then the root node (with its
// #address-cells/#size-cells), then nodes and properties, then finish().
class TreeBuilder {
public:
    TreeBuilder() noexcept { check(fdt_create(m_buffer, sizeof(m_buffer))); }

    void reserve(u64 base, u64 size) noexcept { check(fdt_add_reservemap_entry(m_buffer, base, size)); }

    void begin_root(u32 address_cells = 2, u32 size_cells = 2) noexcept
    {
        check(fdt_finish_reservemap(m_buffer));
        check(fdt_begin_node(m_buffer, ""));
        property_u32("#address-cells", address_cells);
        property_u32("#size-cells", size_cells);
        m_address_cells = address_cells;
        m_size_cells = size_cells;
    }
    void begin(const char* name) noexcept { check(fdt_begin_node(m_buffer, name)); }
    void end() noexcept { check(fdt_end_node(m_buffer)); }

    void property_u32(const char* name, u32 value) noexcept { check(fdt_property_u32(m_buffer, name, value)); }
    // A property of `size` raw bytes (a string list: "a\0b", size including the last NUL).
    void property_bytes(const char* name, const char* value, usize size) noexcept
    {
        check(fdt_property(m_buffer, name, value, static_cast<int>(size)));
    }
    void property_string(const char* name, const char* value) noexcept
    {
        check(fdt_property(m_buffer, name, value, static_cast<int>(__builtin_strlen(value) + 1)));
    }
    // "reg" with (base, size) pairs in the given cell counts.
    void reg(const u64* pairs, usize pair_count, u32 address_cells, u32 size_cells) noexcept
    {
        fdt32_t cells[32];
        usize count = 0;
        for (usize i = 0; i < pair_count && count + address_cells + size_cells <= 32; ++i) {
            for (u32 c = address_cells; c > 0; --c)
                cells[count++] = cpu_to_fdt32(static_cast<u32>(pairs[2 * i] >> (32 * (c - 1))));
            for (u32 c = size_cells; c > 0; --c)
                cells[count++] = cpu_to_fdt32(static_cast<u32>(pairs[2 * i + 1] >> (32 * (c - 1))));
        }
        check(fdt_property(m_buffer, "reg", cells, static_cast<int>(count * sizeof(fdt32_t))));
    }
    void reg(const u64* pairs, usize pair_count) noexcept { reg(pairs, pair_count, m_address_cells, m_size_cells); }

    void memory_node(const char* name, const u64* pairs, usize pair_count) noexcept
    {
        begin(name);
        property_string("device_type", "memory");
        reg(pairs, pair_count);
        end();
    }

    // Ends the root and the blob.
    void* finish() noexcept
    {
        end();
        check(fdt_finish(m_buffer));
        return m_buffer;
    }

    [[nodiscard]] bool ok() const noexcept { return m_ok; }
    [[nodiscard]] u8* data() noexcept { return m_buffer; }
    [[nodiscard]] usize capacity() const noexcept { return sizeof(m_buffer); }

private:
    void check(int result) noexcept
    {
        if (result < 0)
            m_ok = false;
    }

    alignas(8) u8 m_buffer[4096];
    bool m_ok { true };
    u32 m_address_cells { 2 };
    u32 m_size_cells { 2 };
};

constexpr u64 ram_base = 0x8000'0000;
constexpr u64 ram_size = 0x1000'0000;

// A small well-formed tree: 256 MiB at 0x80000000, a UART, /chosen.
void build_typical(TreeBuilder& tree, const char* stdout_path, bool with_bootargs) noexcept
{
    tree.begin_root();
    u64 memory[] = { ram_base, ram_size };
    tree.memory_node("memory@80000000", memory, 1);
    tree.begin("soc");
    tree.property_u32("#address-cells", 2);
    tree.property_u32("#size-cells", 2);
    tree.begin("serial@10000000");
    tree.property_string("compatible", "ns16550a");
    u64 uart[] = { 0x1000'0000, 0x100 };
    tree.reg(uart, 1);
    tree.end();
    tree.end();
    tree.begin("aliases");
    tree.property_string("serial0", "/soc/serial@10000000");
    tree.end();
    tree.begin("chosen");
    if (with_bootargs)
        tree.property_string("bootargs", "ktest console=uart");
    if (stdout_path != nullptr)
        tree.property_string("stdout-path", stdout_path);
    tree.end();
}

} // namespace

KTEST(dt_typical_tree_parses)
{
    TreeBuilder tree;
    build_typical(tree, "/soc/serial@10000000", true);
    void* blob = tree.finish();
    KASSERT(tree.ok());
    PlatformInfo info;
    KASSERT(parse_device_tree_in(blob, tree.capacity(), 0, info) == nullptr);
    KEXPECT_EQ(info.memory_region_count, 1u);
    KEXPECT_EQ(info.memory[0].base, ram_base);
    KEXPECT_EQ(info.memory[0].size, ram_size);
    KEXPECT(info.bootargs == "ktest console=uart"_sv);
    KEXPECT(info.has_uart);
    KEXPECT_EQ(info.uart.base, 0x1000'0000u);
}

KTEST(dt_no_memory_node_is_an_error)
{
    TreeBuilder tree;
    tree.begin_root();
    tree.begin("chosen");
    tree.property_string("bootargs", "x");
    tree.end();
    void* blob = tree.finish();
    KASSERT(tree.ok());
    PlatformInfo info;
    const char* error = parse_device_tree(blob, 0, info);
    KASSERT(error != nullptr);
    KEXPECT(StringView(error, __builtin_strlen(error)).contains("no memory"_sv));
    // The loader tells "no memory" from a broken blob by these two.
    KEXPECT(info.fdt != nullptr);
    KEXPECT_EQ(info.memory_region_count, 0u);
    // A memory node with an empty reg counts as none.
    TreeBuilder empty_reg;
    empty_reg.begin_root();
    empty_reg.begin("memory@0");
    empty_reg.property_string("device_type", "memory");
    empty_reg.reg(nullptr, 0);
    empty_reg.end();
    blob = empty_reg.finish();
    KASSERT(empty_reg.ok());
    KEXPECT(parse_device_tree(blob, 0, info) != nullptr);
}

KTEST(dt_two_memory_nodes)
{
    TreeBuilder tree;
    tree.begin_root();
    u64 low[] = { ram_base, ram_size };
    u64 high[] = { 0x1'0000'0000, 0x4000'0000 };
    tree.memory_node("memory@80000000", low, 1);
    tree.memory_node("memory@100000000", high, 1);
    void* blob = tree.finish();
    KASSERT(tree.ok());
    PlatformInfo info;
    KASSERT(parse_device_tree_in(blob, tree.capacity(), 0, info) == nullptr);
    KASSERT_EQ(info.memory_region_count, 2u);
    KEXPECT_EQ(info.memory[0].base, ram_base);
    KEXPECT_EQ(info.memory[1].base, 0x1'0000'0000u);
    KEXPECT_EQ(info.memory[1].size, 0x4000'0000u);
    KEXPECT_EQ(info.total_memory(), ram_size + 0x4000'0000);
}

KTEST(dt_one_address_cell_one_size_cell)
{
    TreeBuilder tree;
    tree.begin_root(1, 1);
    u64 memory[] = { ram_base, ram_size };
    tree.memory_node("memory@80000000", memory, 1);
    void* blob = tree.finish();
    KASSERT(tree.ok());
    PlatformInfo info;
    KASSERT(parse_device_tree_in(blob, tree.capacity(), 0, info) == nullptr);
    KASSERT_EQ(info.memory_region_count, 1u);
    KEXPECT_EQ(info.memory[0].base, ram_base);
    KEXPECT_EQ(info.memory[0].size, ram_size);
}

KTEST(dt_memory_reg_with_several_ranges)
{
    TreeBuilder tree;
    tree.begin_root();
    // Three ranges in one reg, one of them empty (skipped).
    u64 memory[] = { ram_base, 0x100'0000, 0x9000'0000, 0x200'0000, 0xa000'0000, 0, 0x2'0000'0000, 0x1'0000'0000 };
    tree.memory_node("memory@80000000", memory, 4);
    void* blob = tree.finish();
    KASSERT(tree.ok());
    PlatformInfo info;
    KASSERT(parse_device_tree_in(blob, tree.capacity(), 0, info) == nullptr);
    KASSERT_EQ(info.memory_region_count, 3u);
    KEXPECT_EQ(info.memory[0].size, 0x100'0000u);
    KEXPECT_EQ(info.memory[1].base, 0x9000'0000u);
    KEXPECT_EQ(info.memory[2].base, 0x2'0000'0000u);
    KEXPECT_EQ(info.memory[2].size, 0x1'0000'0000u);
}

KTEST(dt_reserved_memory_overlapping_memory)
{
    TreeBuilder tree;
    tree.reserve(ram_base + 0x10'0000, 0x1000); // memory reservation block
    tree.begin_root();
    u64 memory[] = { ram_base, ram_size };
    tree.memory_node("memory@80000000", memory, 1);
    tree.begin("reserved-memory");
    tree.property_u32("#address-cells", 2);
    tree.property_u32("#size-cells", 2);
    tree.begin("mmode_resv0@80000000");
    u64 firmware[] = { ram_base, 0x4'0000 };
    tree.reg(firmware, 1);
    tree.end();
    // Straddles the end of RAM.
    tree.begin("straddle@8ff00000");
    u64 straddle[] = { ram_base + ram_size - 0x10'0000, 0x20'0000 };
    tree.reg(straddle, 1);
    tree.end();
    tree.end();
    void* blob = tree.finish();
    KASSERT(tree.ok());
    PlatformInfo info;
    KASSERT(parse_device_tree_in(blob, tree.capacity(), 0, info) == nullptr);
    // Memory is reported as is; reservations separately (the loader
    // subtracts them).
    KASSERT_EQ(info.memory_region_count, 1u);
    KEXPECT_EQ(info.memory[0].size, ram_size);
    KASSERT_EQ(info.reserved_region_count, 3u);
    KEXPECT_EQ(info.reserved[0].base, ram_base + 0x10'0000);
    KEXPECT_EQ(info.reserved[0].size, 0x1000u);
    KEXPECT_EQ(info.reserved[1].base, ram_base);
    KEXPECT_EQ(info.reserved[1].size, 0x4'0000u);
    KEXPECT_EQ(info.reserved[2].base, ram_base + ram_size - 0x10'0000);
    KEXPECT_EQ(info.reserved[2].size, 0x20'0000u);
}

KTEST(dt_missing_chosen)
{
    TreeBuilder tree;
    tree.begin_root();
    u64 memory[] = { ram_base, ram_size };
    tree.memory_node("memory@80000000", memory, 1);
    void* blob = tree.finish();
    KASSERT(tree.ok());
    PlatformInfo info;
    KASSERT(parse_device_tree_in(blob, tree.capacity(), 0, info) == nullptr);
    KEXPECT(info.bootargs.is_empty());
    KEXPECT(!info.has_uart);
    KEXPECT(info.rng_seed == nullptr);
    KEXPECT_EQ(info.rng_seed_length, 0u);
}

KTEST(dt_bootargs_absent)
{
    TreeBuilder tree;
    build_typical(tree, "/soc/serial@10000000", false);
    void* blob = tree.finish();
    KASSERT(tree.ok());
    PlatformInfo info;
    KASSERT(parse_device_tree_in(blob, tree.capacity(), 0, info) == nullptr);
    KEXPECT(info.bootargs.is_empty());
    KEXPECT(info.has_uart); // the rest of /chosen still counts
}

namespace {

// A tree whose stdout-path UART has the given compatible list, and reg-shift
// and reg-io-width when not ~0u.
bool parse_with_uart(const char* compatible, usize compatible_size, u32 reg_shift, u32 reg_io_width,
    PlatformInfo& info) noexcept
{
    TreeBuilder tree;
    tree.begin_root();
    u64 memory[] = { ram_base, ram_size };
    tree.memory_node("memory@80000000", memory, 1);
    tree.begin("soc");
    tree.property_u32("#address-cells", 2);
    tree.property_u32("#size-cells", 2);
    tree.begin("serial@10010000");
    tree.property_bytes("compatible", compatible, compatible_size);
    u64 uart[] = { 0x1001'0000, 0x1000 };
    tree.reg(uart, 1);
    if (reg_shift != ~0u)
        tree.property_u32("reg-shift", reg_shift);
    if (reg_io_width != ~0u)
        tree.property_u32("reg-io-width", reg_io_width);
    tree.end();
    tree.end();
    tree.begin("chosen");
    tree.property_string("stdout-path", "/soc/serial@10010000");
    tree.end();
    void* blob = tree.finish();
    return tree.ok() && parse_device_tree_in(blob, tree.capacity(), 0, info) == nullptr;
}

} // namespace

// The console driver comes from the UART's compatible list, whichever entry
// names a driver the kernel has.
KTEST(dt_uart_driver_from_compatible)
{
    {
        // A DesignWare UART that declares itself 16550-compatible, with
        // 32-bit registers 4 bytes apart.
        static constexpr char compatible[] = "snps,dw-apb-uart\0ns16550a";
        PlatformInfo info;
        KASSERT(parse_with_uart(compatible, sizeof(compatible), 2, 4, info));
        KASSERT(info.has_uart);
        KEXPECT(info.uart.kind == UartKind::Ns16550);
        KEXPECT_EQ(info.uart.base, 0x1001'0000u);
        KEXPECT_EQ(info.uart.reg_shift, 2u);
        KEXPECT_EQ(info.uart.reg_io_width, 4u);
    }
    {
        static constexpr char compatible[] = "ns16550";
        PlatformInfo info;
        KASSERT(parse_with_uart(compatible, sizeof(compatible), ~0u, ~0u, info));
        KASSERT(info.has_uart);
        KEXPECT(info.uart.kind == UartKind::Ns16550);
        KEXPECT_EQ(info.uart.reg_shift, 0u);
        KEXPECT_EQ(info.uart.reg_io_width, 1u);
    }
    {
        static constexpr char compatible[] = "sifive,fu540-c000-uart\0sifive,uart0";
        PlatformInfo info;
        KASSERT(parse_with_uart(compatible, sizeof(compatible), ~0u, ~0u, info));
        KASSERT(info.has_uart);
        KEXPECT(info.uart.kind == UartKind::SifiveUart0);
        KEXPECT_EQ(info.uart.base, 0x1001'0000u);
        KEXPECT(StringView(uart_kind_name(info.uart.kind)) == "sifive,uart0"_sv);
    }
    {
        // 16-bit register access is not something the driver does: no UART
        // console (it stays on the SBI) rather than a wrongly driven one.
        static constexpr char compatible[] = "ns16550a";
        PlatformInfo info;
        KASSERT(parse_with_uart(compatible, sizeof(compatible), 0, 2, info));
        KEXPECT(!info.has_uart);
    }
    {
        // No driver for it.
        static constexpr char compatible[] = "arm,pl011\0arm,primecell";
        PlatformInfo info;
        KASSERT(parse_with_uart(compatible, sizeof(compatible), ~0u, ~0u, info));
        KEXPECT(!info.has_uart);
    }
}

KTEST(dt_stdout_path_with_options)
{
    {
        TreeBuilder tree;
        build_typical(tree, "/soc/serial@10000000:115200n8", true);
        void* blob = tree.finish();
        KASSERT(tree.ok());
        PlatformInfo info;
        KASSERT(parse_device_tree_in(blob, tree.capacity(), 0, info) == nullptr);
        KEXPECT(info.has_uart);
        KEXPECT_EQ(info.uart.base, 0x1000'0000u);
    }
    {
        // An alias with options.
        TreeBuilder tree;
        build_typical(tree, "serial0:115200", true);
        void* blob = tree.finish();
        KASSERT(tree.ok());
        PlatformInfo info;
        KASSERT(parse_device_tree_in(blob, tree.capacity(), 0, info) == nullptr);
        KEXPECT(info.has_uart);
        KEXPECT_EQ(info.uart.base, 0x1000'0000u);
    }
    {
        // A path to nothing: no UART (the console stays on the SBI), no error.
        TreeBuilder tree;
        build_typical(tree, "/soc/serial@20000000:115200", true);
        void* blob = tree.finish();
        KASSERT(tree.ok());
        PlatformInfo info;
        KASSERT(parse_device_tree_in(blob, tree.capacity(), 0, info) == nullptr);
        KEXPECT(!info.has_uart);
    }
}

KTEST(dt_corrupted_blobs_are_errors)
{
    TreeBuilder tree;
    build_typical(tree, "/soc/serial@10000000", true);
    void* blob = tree.finish();
    KASSERT(tree.ok());
    usize size = fdt_totalsize(blob);
    static u8 copy[4096];
    PlatformInfo info;

    // Bad magic.
    copy_bytes(copy, blob, size);
    copy[0] ^= 0xff;
    KEXPECT(parse_device_tree(copy, 0, info) != nullptr);
    KEXPECT(parse_device_tree_in(copy, sizeof(copy), 0, info) != nullptr);

    // totalsize larger than the buffer holding the blob.
    copy_bytes(copy, blob, size);
    KEXPECT(parse_device_tree_in(copy, size - 16, 0, info) != nullptr);
    KEXPECT(parse_device_tree_in(copy, 8, 0, info) != nullptr);
    KEXPECT(parse_device_tree_in(copy, size, 0, info) == nullptr);

    // A structure block that points past totalsize.
    copy_bytes(copy, blob, size);
    fdt_set_off_dt_struct(copy, static_cast<u32>(size + 64));
    KEXPECT(parse_device_tree(copy, 0, info) != nullptr);

    // An unsupported version.
    copy_bytes(copy, blob, size);
    fdt_set_version(copy, 1);
    fdt_set_last_comp_version(copy, 1);
    KEXPECT(parse_device_tree(copy, 0, info) != nullptr);

    // A truncated structure block: the header claims a smaller size.
    copy_bytes(copy, blob, size);
    fdt_set_size_dt_struct(copy, 16);
    KEXPECT(parse_device_tree_in(copy, sizeof(copy), 0, info) != nullptr);

    // A garbage token inside the structure block.
    copy_bytes(copy, blob, size);
    u32 structure = fdt_off_dt_struct(copy);
    fill_bytes(copy + structure + 8, 0xee, 4);
    KEXPECT(parse_device_tree_in(copy, sizeof(copy), 0, info) != nullptr);

    KEXPECT(parse_device_tree(nullptr, 0, info) != nullptr);
}

// Issue 18 item 4: every cpu node becomes a HartInfo; a hart is usable when
// its status is okay and it has an MMU; V comes from "riscv,isa" or, on newer
// trees, from the "riscv,isa-extensions" string list.
KTEST(dt_harts_status_mmu_and_vector)
{
    TreeBuilder tree;
    build_typical(tree, nullptr, false);
    tree.begin("cpus");
    tree.property_u32("#address-cells", 1);
    tree.property_u32("#size-cells", 0);
    struct Cpu {
        const char* name;
        u32 reg;
        const char* isa;                // nullptr: none
        const char* extensions;         // string list, nullptr: none
        usize extensions_size;
        const char* status;             // nullptr: none
        const char* mmu;                // nullptr: none
    };
    static constexpr char with_v[] = "i\0m\0a\0f\0d\0c\0v\0zba";
    static constexpr char without_v[] = "i\0m\0a\0f\0d\0c\0zve32x\0zvl128b";
    Cpu cpus[] = {
        { "cpu@0", 0, "rv64imafdcv_zba_zbb", nullptr, 0, "okay", "riscv,sv39" },
        { "cpu@1", 1, nullptr, with_v, sizeof(with_v), nullptr, "riscv,sv39" },
        { "cpu@2", 2, "rv64imafdc_zvl128b", nullptr, 0, "okay", "riscv,sv48" },
        { "cpu@3", 3, "rv64imafdcv", nullptr, 0, "disabled", "riscv,sv39" },
        { "cpu@4", 4, "rv64imac", nullptr, 0, "okay", nullptr },
        { "cpu@5", 5, nullptr, without_v, sizeof(without_v), "okay", "riscv,sv39" },
        { "cpu@6", 6, "rv64imafdc", with_v, sizeof(with_v), "okay", "riscv,none" },
    };
    for (const auto& cpu : cpus) {
        tree.begin(cpu.name);
        tree.property_string("device_type", "cpu");
        tree.property_u32("reg", cpu.reg);
        if (cpu.isa != nullptr)
            tree.property_string("riscv,isa", cpu.isa);
        if (cpu.extensions != nullptr)
            tree.property_bytes("riscv,isa-extensions", cpu.extensions, cpu.extensions_size);
        if (cpu.status != nullptr)
            tree.property_string("status", cpu.status);
        if (cpu.mmu != nullptr)
            tree.property_string("mmu-type", cpu.mmu);
        tree.end();
    }
    tree.end();
    void* blob = tree.finish();
    KASSERT(tree.ok());
    PlatformInfo info;
    KASSERT(parse_device_tree_in(blob, tree.capacity(), 1, info) == nullptr);
    KASSERT_EQ(info.hart_count, 7u);
    KEXPECT_EQ(info.cpu_count, 7u);
    bool usable[] = { true, true, true, false, false, true, false };
    bool vector[] = { true, true, false, true, false, false, true };
    for (u32 i = 0; i < 7; ++i) {
        const auto* hart = info.hart(i);
        KASSERT(hart != nullptr);
        KEXPECT_EQ(hart->hart_id, u64(i));
        KEXPECT_EQ(hart->usable, usable[i]);
        KEXPECT_EQ(hart->has_vector, vector[i]);
    }
    KEXPECT(info.hart(7) == nullptr);
    KEXPECT(info.boot_hart_isa.is_empty());
}

// The UEFI loader's fallback for the boot hart (loader/main.cpp): a 32- or
// 64-bit /chosen/boot-hartid; anything else is no answer.
KTEST(dt_chosen_boot_hart_id)
{
    struct Case {
        const char* value;
        usize size;     // 0: no property
        bool found;
        u64 expected;
    };
    static constexpr char one_cell[] = { 0, 0, 0, 5 };
    static constexpr char two_cells[] = { 0, 0, 0, 1, 0, 0, 0, 7 };
    static constexpr char three_bytes[] = { 0, 0, 3 };
    Case cases[] = {
        { one_cell, sizeof(one_cell), true, 5 },
        { two_cells, sizeof(two_cells), true, 0x1'0000'0007ull },
        { three_bytes, sizeof(three_bytes), false, 0 },
        { nullptr, 0, false, 0 },
    };
    for (const auto& c : cases) {
        void* blob = nullptr;
        TreeBuilder chosen_tree;
        chosen_tree.begin_root();
        chosen_tree.begin("chosen");
        if (c.value != nullptr)
            chosen_tree.property_bytes("boot-hartid", c.value, c.size);
        chosen_tree.end();
        blob = chosen_tree.finish();
        KASSERT(chosen_tree.ok());
        u64 id = 0xdead;
        KEXPECT_EQ(chosen_boot_hart_id(blob, id), c.found);
        if (c.found)
            KEXPECT_EQ(id, c.expected);
    }
}

namespace {

// A tree with memory and a /chosen holding the given initrd properties:
// `start_size`/`end_size` bytes (4, 8, another size, or 0 = absent).
const char* parse_with_initrd(u64 start, usize start_size, u64 end, usize end_size, PlatformInfo& info) noexcept
{
    TreeBuilder tree;
    tree.begin_root();
    u64 memory[] = { ram_base, ram_size };
    tree.memory_node("memory@80000000", memory, 1);
    tree.begin("chosen");
    auto put = [&](const char* name, u64 value, usize size) {
        if (size == 0)
            return;
        char bytes[8];
        for (usize i = 0; i < 8; ++i)
            bytes[i] = char(value >> (8 * (7 - i))); // big-endian u64
        // A 4-byte cell is the low half, big-endian too; other sizes are junk.
        tree.property_bytes(name, size == 4 ? bytes + 4 : bytes, size);
    };
    put("linux,initrd-start", start, start_size);
    put("linux,initrd-end", end, end_size);
    tree.end();
    void* blob = tree.finish();
    if (!tree.ok())
        return "builder failed";
    return parse_device_tree_in(blob, tree.capacity(), 0, info);
}

} // namespace

KTEST(dt_initrd_properties)
{
    // QEMU's -initrd: 64-bit values on riscv64 virt.
    PlatformInfo info;
    KASSERT(parse_with_initrd(0x8820'0000, 8, 0x8820'1200, 8, info) == nullptr);
    KEXPECT(info.has_initrd);
    KEXPECT_EQ(info.initrd.base, 0x8820'0000u);
    KEXPECT_EQ(info.initrd.size, 0x1200u);
    KEXPECT(info.initrd_problem == nullptr);
    // 32-bit cells (U-Boot on 32-bit address-cells trees), mixed sizes.
    KASSERT(parse_with_initrd(0x8400'0000, 4, 0x8400'0010, 8, info) == nullptr);
    KEXPECT(info.has_initrd);
    KEXPECT_EQ(info.initrd.base, 0x8400'0000u);
    KEXPECT_EQ(info.initrd.size, 0x10u);
    // None at all: nothing, and no problem.
    KASSERT(parse_with_initrd(0, 0, 0, 0, info) == nullptr);
    KEXPECT(!info.has_initrd);
    KEXPECT(info.initrd_problem == nullptr);
    // Broken pairs are not used, and say why; the boot goes on.
    KASSERT(parse_with_initrd(0x8400'0000, 8, 0, 0, info) == nullptr);
    KEXPECT(!info.has_initrd);
    KEXPECT(info.initrd_problem != nullptr);
    KASSERT(parse_with_initrd(0x8400'0000, 3, 0x8400'0010, 8, info) == nullptr);
    KEXPECT(!info.has_initrd);
    KEXPECT(info.initrd_problem != nullptr);
    KASSERT(parse_with_initrd(0x8400'0010, 8, 0x8400'0000, 8, info) == nullptr);
    KEXPECT(!info.has_initrd);
    KEXPECT(info.initrd_problem != nullptr);
}
