// The boot chain as the kernel sees it: where the loader put it (KASLR),
// how it mapped it (W^X, the direct map), what it handed over (BootInfo),
// and the loader's building blocks (KASLR slot choice, signature check,
// zstd) run once more inside the kernel.

#include <arch/riscv64/Csr.h>
#include <arch/riscv64/Paging.h>
#include <base/Memory.h>
#include <boot/AddressSpace.h>
#include <boot/Image.h>
#include <generated/boot/LoaderTestVectors.h>
#include <generated/boot/SigningKey.h>
#include <kernel/Boot.h>
#include <kernel/DeviceTree.h>
#include <kernel/KTest.h>
#include <kernel/mm/VirtualMemory.h>
#include <kernel/Trap.h>

extern "C" {
#include <zstd.h>
}

extern "C" {
[[gnu::visibility("hidden")]] extern char __image_start[];
[[gnu::visibility("hidden")]] extern char _start[];
[[gnu::visibility("hidden")]] extern const u8 k23_symbol_table[]; // kernel/SymbolTableSection.S
}

using namespace k23;
using namespace k23::kernel;
using namespace k23::riscv64;
namespace tv = k23::boot::test_vectors;

namespace {

PagingMode boot_paging_mode() noexcept { return static_cast<PagingMode>(boot_info().paging_mode); }

[[gnu::noinline]] int kaslr_probe() { return 23; }

u64 data_word = 0x1122334455667788ull;
// c.ret (RVC quadrant 2, "jalr x0, 0(ra)") twice: code placed in writable data.
alignas(8) u16 data_code[4] = { 0x8082, 0x8082, 0x8082, 0x8082 };
const u64 rodata_word = 0x0123456789abcdefull;

} // namespace

KTEST(boot_info_is_valid)
{
    const auto& info = boot_info();
    KEXPECT_EQ(info.magic, boot::boot_info_magic);
    KEXPECT_EQ(info.version, boot::boot_info_version);
    KEXPECT_EQ(info.size, sizeof(boot::BootInfo));
    KEXPECT_EQ(info.hart_id, current_hart().hart_id);
    KEXPECT(info.paging_mode == static_cast<u64>(PagingMode::Sv39) || info.paging_mode == static_cast<u64>(PagingMode::Sv48));
    KEXPECT_EQ(read_csr<Csr::Satp>() >> Satp::MODE_SHIFT, info.paging_mode);
    // The kernel switched to its own tables (kernel/mm/VirtualMemory.h).
    KEXPECT_EQ((read_csr<Csr::Satp>() & Satp::PPN_MASK) << PAGE_SHIFT, kernel_virtual_memory().root_physical());
    KEXPECT_NE(kernel_virtual_memory().root_physical(), info.root_page_table);
    KEXPECT_EQ(info.direct_map_offset, boot::direct_map_base(boot_paging_mode()));
    KEXPECT(info.entropy_source != boot::EntropySource::None);
    // The entropy is not all zeros (odds of a false failure: 2^-256).
    u8 any = 0;
    for (u8 byte : info.entropy)
        any |= byte;
    KEXPECT_NE(any, 0);
    // The loader found the kernel's .k23_symtab section and passed it on.
    KEXPECT_EQ(info.symbol_table, reinterpret_cast<uptr>(k23_symbol_table));
    KEXPECT_GT(info.symbol_table_size, 0u);
    // The memory map is sorted, disjoint, page aligned and leaves out the
    // kernel, the loader and the device tree.
    KASSERT(info.memory_range_count > 0);
    for (u32 i = 0; i < info.memory_range_count; ++i) {
        const auto& range = info.memory_map[i];
        KEXPECT_EQ(range.base % PAGE_SIZE, 0u);
        KEXPECT_EQ(range.size % PAGE_SIZE, 0u);
        if (i > 0)
            KEXPECT_GE(range.base, info.memory_map[i - 1].base + info.memory_map[i - 1].size);
        auto overlaps = [&](u64 base, u64 size) { return range.base < base + size && base < range.base + range.size; };
        KEXPECT(!overlaps(info.kernel_physical_base, info.kernel_size));
        KEXPECT(!overlaps(info.loader_physical_base, info.loader_size));
        KEXPECT(!overlaps(info.dtb_physical, info.dtb_size));
        KEXPECT(!overlaps(info.root_page_table, PAGE_SIZE));
        KEXPECT(!overlaps(virt_to_phys(&info), sizeof(info)));
    }
}

KTEST(kaslr_kernel_runs_at_boot_info_base)
{
    const auto& info = boot_info();
    // _start is the first thing in .text, at link offset 0 (kernel.ld).
    KEXPECT_EQ(reinterpret_cast<uptr>(__image_start), info.kernel_virtual_base);
    KEXPECT_EQ(reinterpret_cast<uptr>(_start), info.kernel_virtual_base + 0);
    // A function's runtime address is base + its link offset, and the bytes
    // there are the ones at the same offset from the physical base.
    auto address = reinterpret_cast<uptr>(&kaslr_probe);
    u64 link_offset = address - info.kernel_virtual_base;
    KEXPECT_LT(link_offset, info.kernel_size);
    KEXPECT_EQ(virt_to_phys(reinterpret_cast<const void*>(address)), info.kernel_physical_base + link_offset);
    KEXPECT_EQ(__builtin_memcmp(reinterpret_cast<const void*>(address),
                   reinterpret_cast<const void*>(phys_to_virt(info.kernel_physical_base + link_offset)), 16),
        0);
    KEXPECT_EQ(kaslr_probe(), 23);
}

KTEST(kaslr_base_aligned_and_in_window)
{
    const auto& info = boot_info();
    auto mode = boot_paging_mode();
    KEXPECT_EQ(info.kernel_virtual_base % boot::kernel_alignment, 0u);
    KEXPECT_EQ(info.kernel_physical_base % boot::kernel_alignment, 0u);
    KEXPECT_GE(info.kernel_virtual_base, boot::kaslr_window_start(mode));
    KEXPECT_LE(info.kernel_virtual_base + info.kernel_size, boot::kaslr_window_end(mode));
    KEXPECT_GE(info.kernel_virtual_base, upper_half_start(mode));
    // Disjoint from the direct map.
    KEXPECT_GE(info.kernel_virtual_base, info.direct_map_offset + boot::direct_map_limit(mode));
}

KTEST(kaslr_choose_base_range_and_alignment)
{
    PagingMode modes[] = { PagingMode::Sv39, PagingMode::Sv48 };
    for (auto mode : modes) {
        u64 start = boot::kaslr_window_start(mode);
        u64 end = boot::kaslr_window_end(mode);
        u64 sizes[] = { 4096, 1ull << 21, (5ull << 20) + 123, 64ull << 20 };
        u64 lowest = ~0ull;
        u64 highest = 0;
        u64 random = 0x9e3779b97f4a7c15ull;
        for (u32 i = 0; i < 20000; ++i) {
            // xorshift64: many different inputs, including the extremes.
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            u64 input = i == 0 ? 0 : i == 1 ? ~0ull : random;
            u64 size = sizes[i % 4];
            u64 base = boot::choose_kernel_base(mode, input, size);
            KASSERT_EQ(base % (2u << 20), 0u);
            KASSERT(base >= start);
            KASSERT(base + size <= end);
            lowest = base < lowest ? base : lowest;
            highest = base > highest ? base : highest;
        }
        // The choices spread over the window, not a corner of it.
        KEXPECT_LT(lowest - start, (end - start) / 64);
        KEXPECT_LT(end - highest, (end - start) / 64);
    }
    KEXPECT_EQ(boot::choose_kernel_base(PagingMode::Sv39, 1234, 0), 0u);
    KEXPECT_EQ(boot::choose_kernel_base(PagingMode::Sv39, 1234, 1ull << 40), 0u);
}

KTEST(wx_text_is_not_writable)
{
    CaughtTrap trap;
    auto* text = reinterpret_cast<volatile u32*>(&kaslr_probe);
    u32 original = *text;
    // Store back the same bytes: harmless if the mapping were (wrongly) writable.
    bool trapped = catch_trap([&] { *text = original; }, &trap);
    KASSERT(trapped);
    KEXPECT_EQ(trap.scause, static_cast<u64>(Exception::StorePageFault));
    KEXPECT_EQ(trap.stval, reinterpret_cast<uptr>(text));
}

KTEST(wx_rodata_is_not_writable)
{
    CaughtTrap trap;
    auto* word = const_cast<volatile u64*>(&rodata_word);
    bool trapped = catch_trap([&] { *word = rodata_word; }, &trap);
    KASSERT(trapped);
    KEXPECT_EQ(trap.scause, static_cast<u64>(Exception::StorePageFault));
}

KTEST(wx_data_is_not_executable)
{
    CaughtTrap trap;
    KEXPECT_EQ(data_word, 0x1122334455667788ull);
    auto* function = reinterpret_cast<void (*)()>(reinterpret_cast<uptr>(data_code));
    bool trapped = catch_trap([&] { function(); }, &trap);
    KASSERT(trapped);
    KEXPECT_EQ(trap.scause, static_cast<u64>(Exception::InstructionPageFault));
    KEXPECT_EQ(trap.sepc, reinterpret_cast<uptr>(data_code));
}

KTEST(wx_direct_map_is_not_executable)
{
    // The kernel's own text, seen through the direct map, must not run.
    CaughtTrap trap;
    auto alias = phys_to_virt(virt_to_phys(reinterpret_cast<const void*>(&kaslr_probe)));
    auto* function = reinterpret_cast<int (*)()>(alias);
    bool trapped = catch_trap([&] { (void)function(); }, &trap);
    KASSERT(trapped);
    KEXPECT_EQ(trap.scause, static_cast<u64>(Exception::InstructionPageFault));
}

KTEST(loader_signature_verifies_and_rejects_tampering)
{
    u8 message[sizeof(tv::signed_message)];
    u8 signature[64];
    u8 key[65];
    __builtin_memcpy(message, tv::signed_message, sizeof(message));
    __builtin_memcpy(signature, tv::signature, sizeof(signature));
    __builtin_memcpy(key, boot::signing_public_key, sizeof(key));
    KASSERT(boot::verify_signature(message, sizeof(message), signature, key));
    // Any flipped byte in the message or the signature is refused.
    for (usize i = 0; i < sizeof(message); i += 5) {
        message[i] ^= 0x01;
        KEXPECT(!boot::verify_signature(message, sizeof(message), signature, key));
        message[i] ^= 0x01;
    }
    for (usize i = 0; i < sizeof(signature); i += 7) {
        signature[i] ^= 0x80;
        KEXPECT(!boot::verify_signature(message, sizeof(message), signature, key));
        signature[i] ^= 0x80;
    }
    // A different (here: corrupted) public key.
    key[40] ^= 0x04;
    KEXPECT(!boot::verify_signature(message, sizeof(message), signature, key));
    key[40] ^= 0x04;
    KEXPECT(boot::verify_signature(message, sizeof(message), signature, key));
}

KTEST(loader_zstd_decompresses_test_vector)
{
    usize context_size = ZSTD_estimateDCtxSize();
    void* arena = platform_allocate(context_size, 16);
    auto* out = static_cast<u8*>(platform_allocate(tv::plaintext_size + 16, 16));
    KASSERT(arena != nullptr && out != nullptr);
    auto* context = ZSTD_initStaticDCtx(arena, context_size);
    KASSERT(context != nullptr);
    size_t size = ZSTD_decompressDCtx(context, out, tv::plaintext_size + 16, tv::zstd_frame, sizeof(tv::zstd_frame));
    KEXPECT(!ZSTD_isError(size));
    KEXPECT_EQ(size, tv::plaintext_size);
    u8 digest[32];
    boot::sha256(out, tv::plaintext_size, digest);
    KEXPECT_EQ(__builtin_memcmp(digest, tv::plaintext_sha256, 32), 0);
    // A corrupted frame is an error, never a crash.
    u8 corrupt[sizeof(tv::zstd_frame)];
    __builtin_memcpy(corrupt, tv::zstd_frame, sizeof(corrupt));
    corrupt[sizeof(corrupt) / 2] ^= 0xff;
    corrupt[sizeof(corrupt) / 2 + 1] ^= 0x55;
    size_t bad = ZSTD_decompressDCtx(context, out, tv::plaintext_size + 16, corrupt, sizeof(corrupt));
    if (!ZSTD_isError(bad)) {
        boot::sha256(out, bad, digest);
        KEXPECT_NE(__builtin_memcmp(digest, tv::plaintext_sha256, 32), 0);
    }
    platform_deallocate(out, tv::plaintext_size + 16, 16);
    platform_deallocate(arena, context_size, 16);
}

// The loader hashes with BearSSL's SHA-256 built for Zbb when the device tree
// lists zbb (cmake/deps/bearssl/sha2small_zbb.c): on such a hart, both builds
// give Python's hashlib digest of the test vector, the signature verifies
// through it, and they agree on every length around the 64-byte block.
KTEST(loader_sha256_zbb_build_matches_the_portable_one)
{
    if (!kernel::g_platform.isa_has_extension("zbb"_sv))
        return; // nothing to compare on this hart: the loader uses the portable build
    usize context_size = ZSTD_estimateDCtxSize();
    void* arena = platform_allocate(context_size, 16);
    auto* out = static_cast<u8*>(platform_allocate(tv::plaintext_size, 16));
    KASSERT(arena != nullptr && out != nullptr);
    auto* context = ZSTD_initStaticDCtx(arena, context_size);
    KASSERT(context != nullptr);
    KASSERT(ZSTD_decompressDCtx(context, out, tv::plaintext_size, tv::zstd_frame, sizeof(tv::zstd_frame)) == tv::plaintext_size);
    u8 portable[32];
    u8 zbb[32];
    boot::sha256_use_zbb(true);
    boot::sha256(out, tv::plaintext_size, zbb);
    KEXPECT_EQ(__builtin_memcmp(zbb, tv::plaintext_sha256, 32), 0);
    u8 signature[sizeof(tv::signature)];
    __builtin_memcpy(signature, tv::signature, sizeof(signature));
    KEXPECT(boot::verify_signature(tv::signed_message, sizeof(tv::signed_message), signature, boot::signing_public_key));
    for (usize length = 0; length <= 130 && length <= tv::plaintext_size; ++length) {
        boot::sha256_use_zbb(true);
        boot::sha256(out + 3, length, zbb);
        boot::sha256_use_zbb(false);
        boot::sha256(out + 3, length, portable);
        KEXPECT_EQ(__builtin_memcmp(zbb, portable, 32), 0);
    }
    boot::sha256_use_zbb(false);
    platform_deallocate(out, tv::plaintext_size, 16);
    platform_deallocate(arena, context_size, 16);
}
