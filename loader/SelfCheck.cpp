// The loader's check of itself: the first thing entry.S calls on every way in
// (OpenSBI, booti, and after the UEFI entry has exited boot services), before
// the loader writes any of its own bytes (relocation, .data) and before any
// other code of it runs. It checks the prologue (boot/ImageFormat.h,
// LoaderPrologue at byte 64): the magic (bytes 72..79), the payload offset
// (bytes 80..87) against the size the loader was linked with; the end marker
// "K23LEND!" that loader.ld puts after the loader's last file byte; and the
// CRC-32 tools/mkimage.py stored in bytes 64..67 over the loader's file bytes
// (the header page included, bytes 64..67 as zero).
// A failure prints one line `loader: integrity: ...` and the status line, and
// powers off with status 1.
//
// Everything here runs unrelocated, from the image's first pages: every
// function and constant is in a .text.boot.* section (loader.ld puts them
// right after entry.S's code), nothing takes an absolute address, nothing
// calls out of this file. So an image cut anywhere after these first pages
// is still reported by the loader itself; what cannot be is a flip in the
// code that checks (entry.S up to the call, and this file): a loader cannot
// vouch for its own checker. The driver reports those boots as having
// printed no status (tools/driver/qemu.py).

#include <base/Integers.h>
#include <boot/ImageFormat.h>

#define SELF_CHECK_TEXT [[gnu::section(".text.boot.selfcheck")]]
#define SELF_CHECK_CONST [[gnu::section(".text.boot.selfcheck.const")]]

namespace {

// CRC-32 (IEEE 802.3, reflected, polynomial 0xedb88320, initial value and
// final xor 0xffffffff): what Python's zlib.crc32 computes.
constexpr u32 crc32_polynomial = 0xedb88320;

constexpr u8 loader_magic[8] = { 'K', '2', '3', 'L', 'D', 'R', 0, 0 };
constexpr u8 loader_end_marker[8] = { 'K', '2', '3', 'L', 'E', 'N', 'D', '!' };

// Where the prologue's fields are (boot/ImageFormat.h).
constexpr u64 crc_at = __builtin_offsetof(k23::boot::ImagePrologue, loader.loader_crc32);
constexpr u64 magic_at = __builtin_offsetof(k23::boot::ImagePrologue, loader.magic);
constexpr u64 payload_offset_at = __builtin_offsetof(k23::boot::ImagePrologue, loader.payload_offset);
static_assert(crc_at == 64 && magic_at == 72 && payload_offset_at == 80);

// SelfCheck codes (also the message index).
enum : u64 {
    Ok = 0,
    BadMagic = 1,
    BadPayloadOffset = 2,
    NoEndMarker = 3,
    BadChecksum = 4,
};

SELF_CHECK_CONST const char message_magic[] = "loader: integrity: no K23LDR magic in the image's bytes 72..79: not a k23 image, or its first bytes are corrupted\n";
SELF_CHECK_CONST const char message_offset[] = "loader: integrity: the image's bytes 80..87 say the payload starts at ";
SELF_CHECK_CONST const char message_offset_linked[] = ", this loader was linked for ";
SELF_CHECK_CONST const char message_offset_end[] = " (its first bytes are corrupted)\n";
SELF_CHECK_CONST const char message_cut[] = "loader: integrity: the image is cut inside the loader (no end marker in its bytes ";
SELF_CHECK_CONST const char message_cut_2[] = "..";
SELF_CHECK_CONST const char message_cut_3[] = ")\n";
SELF_CHECK_CONST const char message_checksum[] = "loader: integrity: loader checksum mismatch (CRC-32 over its ";
SELF_CHECK_CONST const char message_checksum_2[] = " bytes is ";
SELF_CHECK_CONST const char message_checksum_3[] = ", the image's bytes 64..67 say ";
SELF_CHECK_CONST const char message_checksum_4[] = "): the image is cut or corrupted inside the loader\n";
SELF_CHECK_CONST const char message_status[] = "shutdown: status 1\n";
SELF_CHECK_CONST const char message_halted[] = "shutdown: the firmware cannot power off: halted\n";
SELF_CHECK_CONST const char hex_digits[] = "0123456789abcdef";
SELF_CHECK_CONST const char fdt_compatible[] = "compatible";
SELF_CHECK_CONST const char fdt_reg[] = "reg";
SELF_CHECK_CONST const char fdt_address_cells[] = "#address-cells";
SELF_CHECK_CONST const char fdt_test_finisher[] = "sifive,test0";

[[gnu::always_inline]] inline u32 read_u32(const u8* p) noexcept
{
    return u32(p[0]) | u32(p[1]) << 8 | u32(p[2]) << 16 | u32(p[3]) << 24;
}

[[gnu::always_inline]] inline u64 read_u64(const u8* p) noexcept
{
    return u64(read_u32(p)) | u64(read_u32(p + 4)) << 32;
}

[[gnu::always_inline]] inline u32 read_be32(const u8* p) noexcept
{
    return u32(p[0]) << 24 | u32(p[1]) << 16 | u32(p[2]) << 8 | u32(p[3]);
}

// SBI spec §3: a7 = extension id, a6 = function id, a0.. = arguments; the
// error comes back in a0, the value in a1. Returns the value.
[[gnu::always_inline]] inline u64 sbi_call(u64 eid, u64 fid, u64 arg0, u64 arg1) noexcept
{
    register u64 a0 asm("a0") = arg0;
    register u64 a1 asm("a1") = arg1;
    register u64 a6 asm("a6") = fid;
    register u64 a7 asm("a7") = eid;
    asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
    return a1;
}

constexpr u64 sbi_eid_base = 0x10;   // §4, FID 3: sbi_probe_extension
constexpr u64 sbi_eid_srst = 0x53525354;

// SBI spec §5.2, legacy Console Putchar: no device tree needed, and OpenSBI
// always has it. Slow, but this prints one line.
SELF_CHECK_TEXT void put_string(const char* s) noexcept
{
    for (; *s != '\0'; ++s)
        sbi_call(0x01, 0, u8(*s), 0);
}

SELF_CHECK_TEXT void put_hex(u64 value) noexcept
{
    char text[19];
    text[0] = '0';
    text[1] = 'x';
    int digits = 1;
    while (digits < 16 && (value >> (4 * digits)) != 0)
        ++digits;
    for (int i = 0; i < digits; ++i)
        text[2 + i] = hex_digits[(value >> (4 * (digits - 1 - i))) & 0xf];
    text[2 + digits] = '\0';
    put_string(text);
}

SELF_CHECK_TEXT bool names_equal(const u8* a, const u8* limit, const char* b) noexcept
{
    for (; a < limit && *b != '\0'; ++a, ++b) {
        if (*a != u8(*b))
            return false;
    }
    return a < limit && *a == '\0' && *b == '\0';
}

// Does the string list [list, list + size) (devicetree spec §2.2.4) hold `name`?
SELF_CHECK_TEXT bool string_list_has(const u8* list, u32 size, const char* name) noexcept
{
    const u8* end = list + size;
    while (list < end) {
        if (names_equal(list, end, name))
            return true;
        while (list < end && *list != '\0')
            ++list;
        ++list;
    }
    return false;
}

// The SiFive test finisher's address, for a non-zero QEMU exit status: the
// `reg` of the node compatible with "sifive,test0", read with the parent's
// #address-cells (devicetree spec v0.4 §5.4 structure block, §2.3.5). A walk
// of its own, not libfdt: libfdt is not in these first pages. 0 if none.
SELF_CHECK_TEXT u64 find_test_finisher(const u8* fdt) noexcept
{
    constexpr u32 fdt_magic = 0xd00dfeed;
    constexpr u32 begin_node = 1, end_node = 2, prop = 3, nop = 4, end = 9;
    constexpr int max_depth = 16;
    if (fdt == nullptr || (reinterpret_cast<u64>(fdt) & 3) != 0 || read_be32(fdt) != fdt_magic)
        return 0;
    u32 total = read_be32(fdt + 4);
    u32 struct_offset = read_be32(fdt + 8);
    u32 strings_offset = read_be32(fdt + 12);
    u32 strings_size = read_be32(fdt + 32);
    if (total < 40 || total > (16u << 20) || struct_offset >= total || strings_offset > total
        || strings_size > total - strings_offset || (struct_offset & 3) != 0)
        return 0;
    const u8* p = fdt + struct_offset;
    const u8* limit = fdt + total;
    const u8* strings = fdt + strings_offset;
    u32 address_cells[max_depth];
    bool compatible[max_depth];
    const u8* reg[max_depth];
    u32 reg_size[max_depth];
    int depth = 0;
    address_cells[0] = 2;
    while (p + 4 <= limit) {
        u32 token = read_be32(p);
        p += 4;
        if (token == begin_node) {
            if (++depth >= max_depth)
                return 0;
            address_cells[depth] = 2;
            compatible[depth] = false;
            reg[depth] = nullptr;
            reg_size[depth] = 0;
            while (p < limit && *p != '\0')
                ++p;
            p = reinterpret_cast<const u8*>((reinterpret_cast<u64>(p) + 4) & ~u64(3));
        } else if (token == prop) {
            if (p + 8 > limit)
                return 0;
            u32 size = read_be32(p);
            u32 name = read_be32(p + 4);
            const u8* value = p + 8;
            if (size > u64(limit - value) || name >= strings_size || depth == 0)
                return 0;
            const u8* name_at = strings + name;
            const u8* name_end = strings + strings_size;
            if (names_equal(name_at, name_end, fdt_address_cells) && size == 4)
                address_cells[depth] = read_be32(value);
            else if (names_equal(name_at, name_end, fdt_compatible))
                compatible[depth] = string_list_has(value, size, fdt_test_finisher);
            else if (names_equal(name_at, name_end, fdt_reg)) {
                reg[depth] = value;
                reg_size[depth] = size;
            }
            p = value + ((size + 3) & ~3u);
        } else if (token == end_node) {
            if (depth == 0)
                return 0;
            if (compatible[depth] && reg[depth] != nullptr) {
                u32 cells = address_cells[depth - 1];
                if (cells == 1 && reg_size[depth] >= 4)
                    return read_be32(reg[depth]);
                if (cells == 2 && reg_size[depth] >= 8)
                    return u64(read_be32(reg[depth])) << 32 | read_be32(reg[depth] + 4);
                return 0;
            }
            --depth;
        } else if (token != nop) {
            (void)end;
            return 0;
        }
    }
    return 0;
}

} // namespace

// The CRC-32 of `size` bytes at `data` with bytes [64, 68) counted as zero
// (they hold the CRC itself). Slicing by four (four bytes per step, about
// 0.6 M instructions for the loader): the tables are built on the stack, as
// constant tables would live in .rodata, pages away from here.
extern "C" SELF_CHECK_TEXT u32 loader_crc32(const u8* data, u64 size) noexcept
{
    u32 table[4][256];
    for (u32 i = 0; i < 256; ++i) {
        u32 value = i;
        for (int bit = 0; bit < 8; ++bit)
            value = (value >> 1) ^ (crc32_polynomial & (0u - (value & 1)));
        table[0][i] = value;
    }
    for (u32 i = 0; i < 256; ++i) {
        for (int k = 1; k < 4; ++k)
            table[k][i] = (table[k - 1][i] >> 8) ^ table[0][table[k - 1][i] & 0xff];
    }
    u32 crc = 0xffffffff;
    for (u64 i = 0; i < size && i < crc_at + 4; ++i) {
        u8 byte = i >= crc_at ? 0 : data[i];
        crc = (crc >> 8) ^ table[0][(crc ^ byte) & 0xff];
    }
    u64 i = crc_at + 4;
    // The loader starts on a page boundary: aligned 32-bit loads.
    for (; (reinterpret_cast<u64>(data) & 3) == 0 && i + 4 <= size; i += 4) {
        crc ^= *reinterpret_cast<const u32*>(data + i);
        crc = table[3][crc & 0xff] ^ table[2][(crc >> 8) & 0xff] ^ table[1][(crc >> 16) & 0xff] ^ table[0][crc >> 24];
    }
    for (; i < size; ++i)
        crc = (crc >> 8) ^ table[0][(crc ^ data[i]) & 0xff];
    return crc ^ 0xffffffff;
}

// 0 when the loader's first `file_size` bytes are what mkimage wrote.
extern "C" SELF_CHECK_TEXT u64 loader_self_check(const u8* base, u64 file_size, u64 payload_offset) noexcept
{
    for (int i = 0; i < 8; ++i) {
        if (base[magic_at + i] != loader_magic[i])
            return BadMagic;
    }
    if (read_u64(base + payload_offset_at) != payload_offset)
        return BadPayloadOffset;
    if (file_size < payload_offset_at + 16)
        return NoEndMarker;
    for (int i = 0; i < 8; ++i) {
        if (base[file_size - 8 + i] != loader_end_marker[i])
            return NoEndMarker;
    }
    if (loader_crc32(base, file_size) != read_u32(base + crc_at))
        return BadChecksum;
    return Ok;
}

// Reports a failed self-check and powers off with status 1 (never returns).
extern "C" SELF_CHECK_TEXT [[noreturn]] void loader_self_check_failed(u64 code, const u8* base, u64 file_size,
    u64 payload_offset, const u8* fdt) noexcept
{
    if (code == BadMagic) {
        put_string(message_magic);
    } else if (code == BadPayloadOffset) {
        put_string(message_offset);
        put_hex(read_u64(base + payload_offset_at));
        put_string(message_offset_linked);
        put_hex(payload_offset);
        put_string(message_offset_end);
    } else if (code == NoEndMarker) {
        put_string(message_cut);
        put_hex(file_size - 8);
        put_string(message_cut_2);
        put_hex(file_size - 1);
        put_string(message_cut_3);
    } else {
        put_string(message_checksum);
        put_hex(file_size);
        put_string(message_checksum_2);
        put_hex(loader_crc32(base, file_size));
        put_string(message_checksum_3);
        put_hex(read_u32(base + crc_at));
        put_string(message_checksum_4);
    }
    put_string(message_status);
    // Power off with status 1, as boot/Shutdown.cpp does: the test finisher
    // carries the status to QEMU (SBI SRST alone does not), then SBI SRST
    // shutdown with reason "system failure" (SBI spec §10.1), or on firmware
    // without SRST the legacy shutdown (§5.8); if the machine cannot power
    // off (QEMU sifive_u), say so and halt.
    if (u64 finisher = find_test_finisher(fdt); finisher != 0)
        *reinterpret_cast<volatile u32*>(finisher) = 0x3333 | (1u << 16);
    if (sbi_call(sbi_eid_base, 3, sbi_eid_srst, 0) != 0)
        sbi_call(sbi_eid_srst, 0, 0, 1);
    else
        sbi_call(0x08, 0, 0, 0);
    put_string(message_halted);
    asm volatile("csrw sie, zero");
    for (;;)
        asm volatile("wfi");
}
