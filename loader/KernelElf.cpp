#include <boot/BootMemory.h>
#include <loader/KernelElf.h>

extern "C" void* memset(void*, int, __SIZE_TYPE__);
extern "C" void* memcpy(void*, const void*, __SIZE_TYPE__);

namespace k23::loader {

namespace {

// gABI: ELF header, program header, section header, dynamic entry, RELA.
struct Elf64Header {
    u8 ident[16];
    u16 type;
    u16 machine;
    u32 version;
    u64 entry;
    u64 phoff;
    u64 shoff;
    u32 flags;
    u16 ehsize;
    u16 phentsize;
    u16 phnum;
    u16 shentsize;
    u16 shnum;
    u16 shstrndx;
};
static_assert(sizeof(Elf64Header) == 64);

struct Elf64ProgramHeader {
    u32 type;
    u32 flags;
    u64 offset;
    u64 vaddr;
    u64 paddr;
    u64 filesz;
    u64 memsz;
    u64 align;
};
static_assert(sizeof(Elf64ProgramHeader) == 56);

struct Elf64SectionHeader {
    u32 name;
    u32 type;
    u64 flags;
    u64 addr;
    u64 offset;
    u64 size;
    u32 link;
    u32 info;
    u64 addralign;
    u64 entsize;
};
static_assert(sizeof(Elf64SectionHeader) == 64);

struct Elf64Dynamic {
    i64 tag;
    u64 value;
};

struct Elf64Rela {
    u64 offset;
    u64 info;
    i64 addend;
};
static_assert(sizeof(Elf64Rela) == 24);

constexpr u16 ET_DYN = 3;
constexpr u16 EM_RISCV = 243;
constexpr u32 PT_LOAD = 1;
constexpr u32 PT_DYNAMIC = 2;
constexpr u64 SHF_ALLOC = 2;
constexpr i64 DT_NULL = 0;
constexpr i64 DT_PLTRELSZ = 2;
constexpr i64 DT_RELA = 7;
constexpr i64 DT_RELASZ = 8;
constexpr i64 DT_RELAENT = 9;
constexpr i64 DT_REL = 17;
constexpr i64 DT_RELSZ = 18;
constexpr i64 DT_RELRSZ = 35;
constexpr u32 R_RISCV_RELATIVE = 3; // psABI, "Relocations" table
constexpr u64 page = 4096;

Error malformed(const char* what) noexcept
{
    return Error::formatted(ErrorCode::Malformed, "kernel ELF: {}"_sv, what);
}

bool in_bounds(u64 offset, u64 length, u64 size) noexcept
{
    return offset <= size && length <= size - offset;
}

void find_symbol_table(const u8* bytes, u64 size, const Elf64Header& header, KernelElf& out) noexcept
{
    if (header.shoff == 0 || header.shentsize != sizeof(Elf64SectionHeader) || header.shstrndx >= header.shnum
        || !in_bounds(header.shoff, u64(header.shnum) * sizeof(Elf64SectionHeader), size))
        return;
    const auto* sections = reinterpret_cast<const Elf64SectionHeader*>(bytes + header.shoff);
    const auto& names = sections[header.shstrndx];
    if (!in_bounds(names.offset, names.size, size))
        return;
    static constexpr char wanted[] = ".k23_symtab";
    for (u16 i = 0; i < header.shnum; ++i) {
        const auto& section = sections[i];
        if (section.name + sizeof(wanted) > names.size)
            continue;
        if (__builtin_memcmp(bytes + names.offset + section.name, wanted, sizeof(wanted)) != 0)
            continue;
        if ((section.flags & SHF_ALLOC) == 0 || section.size == 0)
            return;
        out.symbol_table_offset = section.addr;
        out.symbol_table_size = section.size;
        return;
    }
}

} // namespace

Result<KernelElf> parse_kernel_elf(const u8* bytes, u64 size) noexcept
{
    if (size < sizeof(Elf64Header))
        return malformed("shorter than an ELF header");
    Elf64Header header;
    memcpy(&header, bytes, sizeof(header));
    // e_ident: magic, ELFCLASS64 (2), ELFDATA2LSB (1), EV_CURRENT (1).
    if (header.ident[0] != 0x7f || header.ident[1] != 'E' || header.ident[2] != 'L' || header.ident[3] != 'F')
        return malformed("no ELF magic");
    if (header.ident[4] != 2 || header.ident[5] != 1)
        return malformed("not ELF64 little-endian");
    if (header.type != ET_DYN || header.machine != EM_RISCV)
        return malformed("not a position-independent RISC-V executable (ET_DYN, EM_RISCV)");
    if (header.phentsize != sizeof(Elf64ProgramHeader) || header.phoff % 8 != 0
        || !in_bounds(header.phoff, u64(header.phnum) * sizeof(Elf64ProgramHeader), size))
        return malformed("program headers out of bounds");

    KernelElf elf;
    elf.bytes = bytes;
    elf.size = size;
    elf.entry = header.entry;
    const auto* programs = reinterpret_cast<const Elf64ProgramHeader*>(bytes + header.phoff);
    u64 previous_end = 0;
    for (u16 i = 0; i < header.phnum; ++i) {
        const auto& program = programs[i];
        if (program.type == PT_DYNAMIC) {
            elf.dynamic_offset = program.vaddr;
            elf.dynamic_size = program.memsz;
            continue;
        }
        if (program.type != PT_LOAD || program.memsz == 0)
            continue;
        if (elf.segment_count == KernelElf::max_segments)
            return malformed("too many PT_LOAD segments");
        if (program.vaddr % page != 0)
            return malformed("a PT_LOAD segment is not page aligned");
        if (program.vaddr < previous_end)
            return malformed("PT_LOAD segments overlap or share a page");
        if (program.filesz > program.memsz || !in_bounds(program.offset, program.filesz, size)
            || program.memsz > (1ull << 32))
            return malformed("a PT_LOAD segment is out of bounds");
        if ((program.flags & PF_W) && (program.flags & PF_X))
            return malformed("a segment is writable and executable (W^X)");
        elf.segments[elf.segment_count++] = { program.offset, program.vaddr, program.filesz, program.memsz, program.flags };
        previous_end = boot::align_up(program.vaddr + program.memsz, page);
    }
    if (elf.segment_count == 0)
        return malformed("no PT_LOAD segments");
    if (elf.segments[0].virtual_offset != 0)
        return malformed("not linked at 0");
    elf.image_size = previous_end;
    bool entry_in_text = false;
    for (usize i = 0; i < elf.segment_count; ++i) {
        const auto& segment = elf.segments[i];
        if ((segment.flags & PF_X) && elf.entry >= segment.virtual_offset && elf.entry < segment.virtual_offset + segment.memory_size)
            entry_in_text = true;
    }
    if (!entry_in_text)
        return malformed("entry point is not in an executable segment");
    if (elf.dynamic_offset != 0 && (elf.dynamic_offset % 8 != 0 || !in_bounds(elf.dynamic_offset, elf.dynamic_size, elf.image_size)))
        return malformed("PT_DYNAMIC out of bounds");
    find_symbol_table(bytes, size, header, elf);
    if (elf.symbol_table_size != 0 && !in_bounds(elf.symbol_table_offset, elf.symbol_table_size, elf.image_size))
        elf.symbol_table_offset = elf.symbol_table_size = 0;
    return elf;
}

Result<u64> load_kernel(const KernelElf& elf, u64 physical, u64 virtual_base) noexcept
{
    auto* image = reinterpret_cast<u8*>(physical);
    memset(image, 0, elf.image_size);
    for (usize i = 0; i < elf.segment_count; ++i) {
        const auto& segment = elf.segments[i];
        memcpy(image + segment.virtual_offset, elf.bytes + segment.file_offset, segment.file_size);
    }
    if (elf.dynamic_offset == 0)
        return 0;

    u64 rela = 0;
    u64 rela_size = 0;
    u64 rela_entry = sizeof(Elf64Rela);
    const auto* dynamic = reinterpret_cast<const Elf64Dynamic*>(image + elf.dynamic_offset);
    for (u64 i = 0; i < elf.dynamic_size / sizeof(Elf64Dynamic) && dynamic[i].tag != DT_NULL; ++i) {
        const auto& entry = dynamic[i];
        switch (entry.tag) {
        case DT_RELA:
            rela = entry.value;
            break;
        case DT_RELASZ:
            rela_size = entry.value;
            break;
        case DT_RELAENT:
            rela_entry = entry.value;
            break;
        case DT_REL:
        case DT_RELSZ:
        case DT_PLTRELSZ:
        case DT_RELRSZ:
            if (entry.value != 0)
                return Error::formatted(ErrorCode::Unsupported,
                    "unsupported kernel: dynamic tag {} (only RELA with R_RISCV_RELATIVE is supported)"_sv, entry.tag);
            break;
        default:
            break;
        }
    }
    if (rela_size == 0)
        return 0;
    if (rela_entry != sizeof(Elf64Rela) || rela % 8 != 0 || !in_bounds(rela, rela_size, elf.image_size))
        return malformed("relocation table out of bounds");
    const auto* relocations = reinterpret_cast<const Elf64Rela*>(image + rela);
    u64 count = rela_size / sizeof(Elf64Rela);
    for (u64 i = 0; i < count; ++i) {
        const auto& relocation = relocations[i];
        u32 type = static_cast<u32>(relocation.info);
        if (type != R_RISCV_RELATIVE || (relocation.info >> 32) != 0)
            return Error::formatted(ErrorCode::Unsupported,
                "unsupported kernel: relocation {} has type {} (only R_RISCV_RELATIVE is supported)"_sv, i, type);
        if (relocation.offset % 8 != 0 || !in_bounds(relocation.offset, 8, elf.image_size))
            return Error::formatted(ErrorCode::Malformed, "kernel ELF: relocation {} outside the image"_sv, i);
        u64 value = virtual_base + static_cast<u64>(relocation.addend);
        memcpy(image + relocation.offset, &value, sizeof(value));
    }
    return count;
}

} // namespace k23::loader
