#include <boot/DeviceTree.h>

extern "C" {
#include <libfdt.h>
}

namespace k23::boot {

u64 PlatformInfo::total_memory() const noexcept
{
    u64 total = 0;
    for (usize i = 0; i < memory_region_count; ++i)
        total += memory[i].size;
    return total;
}

bool isa_string_has(StringView isa, char extension) noexcept
{
    // "rv64" then single-letter extensions up to the first '_'.
    if (!isa.starts_with("rv64"_sv) && !isa.starts_with("rv32"_sv))
        return false;
    for (usize i = 4; i < isa.length(); ++i) {
        char ch = isa[i];
        if (ch == '_')
            break;
        if (ch == extension)
            return true;
    }
    return false;
}

bool PlatformInfo::isa_has(char extension) const noexcept
{
    return isa_string_has(boot_hart_isa, extension);
}

bool chosen_boot_hart_id(const void* fdt, u64& out) noexcept
{
    int chosen = fdt_path_offset(fdt, "/chosen");
    int length = 0;
    const auto* value = chosen >= 0 ? static_cast<const u8*>(fdt_getprop(fdt, chosen, "boot-hartid", &length)) : nullptr;
    if (value == nullptr || (length != 4 && length != 8))
        return false;
    out = 0;
    for (int i = 0; i < length; ++i)
        out = out << 8 | value[i];
    return true;
}

const HartInfo* PlatformInfo::hart(u64 hart_id) const noexcept
{
    for (usize i = 0; i < hart_count; ++i) {
        if (harts[i].hart_id == hart_id)
            return &harts[i];
    }
    return nullptr;
}

bool PlatformInfo::isa_has_extension(StringView name) const noexcept
{
    // "rv64imac_zicsr_zkr": multi-letter extensions are '_'-separated.
    usize start = boot_hart_isa.find('_');
    while (start != StringView::not_found && start < boot_hart_isa.length()) {
        auto rest = boot_hart_isa.substring(start + 1);
        usize end = rest.find('_');
        auto extension = end == StringView::not_found ? rest : rest.substring(0, end);
        if (extension == name)
            return true;
        if (end == StringView::not_found)
            break;
        start += 1 + end;
    }
    return false;
}

namespace {

// A property as a string, without its terminating NUL.
StringView string_property(const void* fdt, int node, const char* name) noexcept
{
    int length = 0;
    const auto* value = static_cast<const char*>(fdt_getprop(fdt, node, name, &length));
    if (value == nullptr || length <= 0)
        return {};
    usize size = static_cast<usize>(length);
    if (value[size - 1] == '\0')
        --size;
    return { value, size };
}

bool u32_property(const void* fdt, int node, const char* name, u32& out) noexcept
{
    int length = 0;
    const auto* value = static_cast<const fdt32_t*>(fdt_getprop(fdt, node, name, &length));
    if (value == nullptr || length != 4)
        return false;
    out = fdt32_to_cpu(*value);
    return true;
}

// Reads a number of `cells` 32-bit cells (1 or 2) at `cells_pointer`.
u64 read_cells(const fdt32_t* cells_pointer, int cells) noexcept
{
    u64 value = 0;
    for (int i = 0; i < cells; ++i)
        value = (value << 32) | fdt32_to_cpu(cells_pointer[i]);
    return value;
}

// Entry `index` of a node's "reg", using the parent's #address-cells and
// #size-cells.
bool read_reg(const void* fdt, int node, int index, u64& address, u64& size) noexcept
{
    int parent = fdt_parent_offset(fdt, node);
    if (parent < 0)
        return false;
    int address_cells = fdt_address_cells(fdt, parent);
    int size_cells = fdt_size_cells(fdt, parent);
    if (address_cells < 1 || address_cells > 2 || size_cells < 0 || size_cells > 2)
        return false;
    int length = 0;
    const auto* reg = static_cast<const fdt32_t*>(fdt_getprop(fdt, node, "reg", &length));
    if (reg == nullptr || length < 0)
        return false;
    int entry_cells = address_cells + size_cells;
    int entries = length / (entry_cells * 4);
    if (index >= entries)
        return false;
    reg += index * entry_cells;
    address = read_cells(reg, address_cells);
    size = read_cells(reg + address_cells, size_cells);
    return true;
}

// A /chosen property holding one 32- or 64-bit big-endian value (the
// linux,initrd-* properties may be either). 0 = absent, 1 = read, -1 = a
// size other than 4 or 8.
int chosen_address(const void* fdt, int chosen, const char* name, u64& out) noexcept
{
    int length = 0;
    const auto* value = static_cast<const u8*>(fdt_getprop(fdt, chosen, name, &length));
    if (value == nullptr)
        return 0;
    if (length != 4 && length != 8)
        return -1;
    out = 0;
    for (int i = 0; i < length; ++i)
        out = out << 8 | value[i];
    return 1;
}

void parse_initrd(const void* fdt, int chosen, PlatformInfo& out) noexcept
{
    u64 start = 0;
    u64 end = 0;
    int has_start = chosen_address(fdt, chosen, "linux,initrd-start", start);
    int has_end = chosen_address(fdt, chosen, "linux,initrd-end", end);
    if (has_start == 0 && has_end == 0)
        return;
    if (has_start < 0 || has_end < 0)
        out.initrd_problem = "/chosen/linux,initrd-start or -end is neither 4 nor 8 bytes";
    else if (has_start == 0 || has_end == 0)
        out.initrd_problem = "/chosen has only one of linux,initrd-start and linux,initrd-end";
    else if (end < start)
        out.initrd_problem = "/chosen/linux,initrd-end is before linux,initrd-start";
    else {
        out.has_initrd = true;
        out.initrd = { start, end - start };
    }
}

void parse_chosen(const void* fdt, PlatformInfo& out) noexcept
{
    int chosen = fdt_path_offset(fdt, "/chosen");
    if (chosen < 0)
        return;
    out.bootargs = string_property(fdt, chosen, "bootargs");
    parse_initrd(fdt, chosen, out);
    int seed_length = 0;
    const auto* seed = static_cast<const u8*>(fdt_getprop(fdt, chosen, "rng-seed", &seed_length));
    if (seed != nullptr && seed_length > 0) {
        out.rng_seed = seed;
        out.rng_seed_length = static_cast<usize>(seed_length);
    }

    // stdout-path is a path or an alias, optionally followed by ":options".
    auto stdout_path = string_property(fdt, chosen, "stdout-path");
    if (stdout_path.is_empty())
        return;
    usize colon = stdout_path.find(':');
    if (colon != StringView::not_found)
        stdout_path = stdout_path.substring(0, colon);
    int uart = fdt_path_offset_namelen(fdt, stdout_path.data(), static_cast<int>(stdout_path.length()));
    if (uart < 0)
        return;
    // The driver comes from `compatible` (devicetree spec §2.3.1); a UART no
    // driver knows leaves the console on the SBI.
    struct Driver {
        const char* compatible;
        UartKind kind;
    };
    static constexpr Driver drivers[] = {
        { "ns16550a", UartKind::Ns16550 },
        { "ns16550", UartKind::Ns16550 },
        { "sifive,uart0", UartKind::SifiveUart0 },
    };
    const Driver* driver = nullptr;
    for (const auto& candidate : drivers) {
        if (fdt_node_check_compatible(fdt, uart, candidate.compatible) == 0) {
            driver = &candidate;
            break;
        }
    }
    if (driver == nullptr)
        return;
    u64 base = 0;
    u64 size = 0;
    if (!read_reg(fdt, uart, 0, base, size))
        return;
    UartConfig config;
    config.kind = driver->kind;
    config.base = base;
    u32 value = 0;
    // Linux's 8250 binding (Documentation/devicetree/bindings/serial/8250.yaml):
    // reg-shift, and reg-io-width 1 or 4 (other widths: no UART console).
    if (driver->kind == UartKind::Ns16550) {
        if (u32_property(fdt, uart, "reg-shift", value)) {
            if (value > 4)
                return;
            config.reg_shift = value;
        }
        if (u32_property(fdt, uart, "reg-io-width", value)) {
            if (value != 1 && value != 4)
                return;
            config.reg_io_width = value;
        }
    }
    out.uart = config;
    out.has_uart = true;
}

void parse_memory(const void* fdt, PlatformInfo& out) noexcept
{
    static constexpr char memory_type[] = "memory";
    int node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", memory_type, sizeof(memory_type));
    for (; node >= 0; node = fdt_node_offset_by_prop_value(fdt, node, "device_type", memory_type, sizeof(memory_type))) {
        u64 base = 0;
        u64 size = 0;
        for (int i = 0; read_reg(fdt, node, i, base, size); ++i) {
            if (size == 0 || out.memory_region_count == PlatformInfo::max_memory_regions)
                continue;
            out.memory[out.memory_region_count++] = { base, size };
        }
    }
}

void parse_cpus(const void* fdt, PlatformInfo& out) noexcept
{
    int cpus = fdt_path_offset(fdt, "/cpus");
    if (cpus < 0)
        return;
    u32 timebase = 0;
    if (u32_property(fdt, cpus, "timebase-frequency", timebase))
        out.timebase_frequency = timebase;
    int cpu;
    fdt_for_each_subnode(cpu, fdt, cpus)
    {
        if (string_property(fdt, cpu, "device_type") != "cpu"_sv)
            continue;
        ++out.cpu_count;
        u64 hart_id = 0;
        u64 unused = 0;
        if (!read_reg(fdt, cpu, 0, hart_id, unused))
            continue;
        if (out.hart_count < PlatformInfo::max_harts) {
            auto& hart = out.harts[out.hart_count++];
            hart.hart_id = hart_id;
            auto status = string_property(fdt, cpu, "status");
            auto mmu = string_property(fdt, cpu, "mmu-type");
            hart.usable = (status.is_empty() || status == "okay"_sv || status == "ok"_sv)
                && !mmu.is_empty() && mmu != "riscv,none"_sv;
            // The vector unit: the ISA string's single letters, or the newer
            // string list (extensions.yaml: "riscv,isa-extensions" = "i", "m", ..., "v", ...).
            int length = 0;
            const auto* extensions = static_cast<const char*>(fdt_getprop(fdt, cpu, "riscv,isa-extensions", &length));
            hart.has_vector = isa_string_has(string_property(fdt, cpu, "riscv,isa"), 'v')
                || (extensions != nullptr && length > 0 && fdt_stringlist_contains(extensions, length, "v"));
        }
        if (hart_id != out.boot_hart_id)
            continue;
        out.boot_hart_isa = string_property(fdt, cpu, "riscv,isa");
        out.boot_hart_mmu_type = string_property(fdt, cpu, "mmu-type");
        // Some cpu nodes carry the frequency themselves.
        if (u32_property(fdt, cpu, "timebase-frequency", timebase))
            out.timebase_frequency = timebase;
    }
}

void add_reserved(PlatformInfo& out, u64 base, u64 size) noexcept
{
    if (size == 0 || out.reserved_region_count == PlatformInfo::max_reserved_regions)
        return;
    out.reserved[out.reserved_region_count++] = { base, size };
}

void parse_reserved(const void* fdt, PlatformInfo& out) noexcept
{
    // The memory reservation block (devicetree spec §5.3).
    int entries = fdt_num_mem_rsv(fdt);
    for (int i = 0; i < entries; ++i) {
        u64 base = 0;
        u64 size = 0;
        if (fdt_get_mem_rsv(fdt, i, &base, &size) == 0)
            add_reserved(out, base, size);
    }
    // /reserved-memory's children with a "reg" (devicetree spec §3.5).
    // Dynamically placed ones (only "size") were placed by the firmware
    // already, so they carry a reg by the time we run, or do not matter.
    int reserved = fdt_path_offset(fdt, "/reserved-memory");
    if (reserved < 0)
        return;
    int child;
    fdt_for_each_subnode(child, fdt, reserved)
    {
        u64 base = 0;
        u64 size = 0;
        for (int i = 0; read_reg(fdt, child, i, base, size); ++i)
            add_reserved(out, base, size);
    }
}

void parse_test_finisher(const void* fdt, PlatformInfo& out) noexcept
{
    // QEMU virt: compatible = "sifive,test1", "sifive,test0", "syscon".
    int node = fdt_node_offset_by_compatible(fdt, -1, "sifive,test0");
    if (node < 0)
        node = fdt_node_offset_by_compatible(fdt, -1, "sifive,test1");
    if (node < 0)
        return;
    u64 base = 0;
    u64 size = 0;
    if (!read_reg(fdt, node, 0, base, size))
        return;
    out.has_test_finisher = true;
    out.test_finisher_base = base;
}

} // namespace

const char* parse_device_tree(const void* fdt, u64 boot_hart_id, PlatformInfo& out) noexcept
{
    if (fdt == nullptr)
        return "no device tree";
    // fdt_check_header validates magic, version and block bounds; anything
    // libfdt reads later stays inside totalsize.
    int error = fdt_check_header(fdt);
    if (error != 0)
        return fdt_strerror(error);
    out = PlatformInfo {};
    out.fdt = fdt;
    out.fdt_size = fdt_totalsize(fdt);
    out.boot_hart_id = boot_hart_id;
    parse_chosen(fdt, out);
    parse_reserved(fdt, out);
    parse_memory(fdt, out);
    parse_cpus(fdt, out);
    parse_test_finisher(fdt, out);
    if (out.memory_region_count == 0)
        return "device tree has no memory";
    return nullptr;
}

const char* parse_device_tree_in(const void* fdt, usize buffer_size, u64 boot_hart_id, PlatformInfo& out) noexcept
{
    if (fdt == nullptr)
        return "no device tree";
    if (buffer_size < sizeof(fdt_header))
        return "device tree buffer is smaller than a header";
    int error = fdt_check_header(fdt);
    if (error != 0)
        return fdt_strerror(error);
    if (fdt_totalsize(fdt) > buffer_size)
        return "device tree totalsize is larger than its buffer";
    error = fdt_check_full(fdt, buffer_size);
    if (error != 0)
        return fdt_strerror(error);
    return parse_device_tree(fdt, boot_hart_id, out);
}

} // namespace k23::boot
