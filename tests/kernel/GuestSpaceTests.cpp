// Guest spaces (kernel/mm/GuestSpace.h): two roots per guest, the engine's
// heap in the guest's user half with per-class permissions, code W^X, linear
// memories at random addresses, the platform hooks inside and outside a
// GuestSpace::Scope, and every frame back after destroy. U-mode programs are
// written with the project's assembler, loaded through the code hooks, and
// run on a stack from platform_allocate_exposed, as the engine will.

#include <arch/riscv64/Csr.h>
#include <arch/riscv64/asm/Assembler.h>
#include <arch/riscv64/asm/CodeHolder.h>
#include <base/Memory.h>
#include <base/Platform.h>
#include <base/Result.h>
#include <kernel/Console.h>
#include <kernel/Guest.h>
#include <kernel/Heap.h>
#include <kernel/KTest.h>
#include <kernel/Trap.h>
#include <kernel/UserCopy.h>
#include <kernel/mm/AslrRandom.h>
#include <kernel/mm/GuestSpace.h>
#include <kernel/mm/PageTableAudit.h>
#include <kernel/mm/PhysicalMemory.h>
#include <kernel/mm/VirtualMemory.h>

using namespace k23;
using namespace k23::kernel;
using namespace k23::riscv64;

namespace {

struct Program {
    u8 bytes[1024];
    usize size { 0 };
    bool ok { false };
};

template<typename Emit>
Program assemble(Emit emit)
{
    Program program;
    CodeHolder code(CpuFeatures::rv64gc(), CodeOptions { .compress = false });
    Assembler a(code);
    emit(a);
    if (code.finalize().is_error() || code.code_size() > sizeof program.bytes)
        return program;
    program.size = code.code_size();
    program.ok = !code.copy_to(Span<u8>(program.bytes, program.size)).is_error();
    return program;
}

void emit_exit(Assembler& a, GpReg status)
{
    if (status.id() != a0.id())
        a.mv(a0, status);
    a.li(a7, static_cast<i64>(system_call_exit));
    a.ecall();
}

// `load address; exit(value)`, `store; exit(0)`, `jump there`.
Program load_program(u64 address)
{
    return assemble([&](Assembler& a) {
        a.li(t0, static_cast<i64>(address));
        a.ld(a0, t0, 0);
        emit_exit(a, a0);
    });
}

Program store_program(u64 address, i64 value)
{
    return assemble([&](Assembler& a) {
        a.li(t0, static_cast<i64>(address));
        a.li(t1, value);
        a.sd(t1, t0, 0);
        a.li(a0, 0);
        emit_exit(a, a0);
    });
}

Program jump_program(u64 address)
{
    return assemble([&](Assembler& a) {
        a.li(t0, static_cast<i64>(address));
        a.jalr(zero, t0, 0);
    });
}

// Inside a Scope: the program through the code hooks (written through the
// kernel view, then published U+RX).
u8* load_code(const Program& program)
{
    if (!program.ok)
        return nullptr;
    auto code = platform_code_allocate(program.size);
    if (code.is_error())
        return nullptr;
    copy_bytes(code.value(), program.bytes, program.size);
    if (platform_code_publish(code.value(), program.size).is_error()) {
        platform_code_release(code.value(), program.size);
        return nullptr;
    }
    return code.value();
}

struct Stack {
    u8* base { nullptr };
    u64 top() const { return u64(base) + guest_stack_min_size; }
};

// Inside a Scope: the guest stack as the engine allocates it.
Stack allocate_stack()
{
    return { static_cast<u8*>(platform_allocate_exposed(guest_stack_min_size, 16, Exposure::ReadWrite)) };
}

void free_stack(Stack stack) { platform_deallocate_exposed(stack.base, guest_stack_min_size, 16, Exposure::ReadWrite); }

// Inside a Scope: runs `program` in `space` until it exits or faults.
GuestExit run_in(GuestSpace& space, const Program& program, SystemCallHandler handler = nullptr, void* cookie = nullptr)
{
    u8* code = load_code(program);
    Stack stack = allocate_stack();
    if (code == nullptr || stack.base == nullptr) {
        ktest_fail(__FILE__, __LINE__, "could not load the guest program"_sv, true);
        return {};
    }
    Guest guest;
    if (guest.create(space).is_error()) {
        ktest_fail(__FILE__, __LINE__, "could not create the guest"_sv, true);
        return {};
    }
    guest.reset(u64(code), stack.top());
    auto exit = guest.run(handler, cookie);
    free_stack(stack);
    platform_code_release(code, program.size);
    return exit;
}

bool faulted_with(const GuestExit& exit, Exception cause, u64 stval)
{
    return exit.faulted() && exit.scause == static_cast<u64>(cause) && exit.stval == stval;
}

bool kernel_roots_shared(const GuestSpace& space)
{
    const auto& as = space.address_space();
    const auto* kernel = kernel_virtual_memory().root_table();
    for (usize i = PTES_PER_TABLE / 2; i < PTES_PER_TABLE; ++i) {
        if (as.root_table(View::Guest)[i] != kernel[i] || as.root_table(View::Kernel)[i] != kernel[i])
            return false;
    }
    return true;
}

bool audit_clean(const GuestSpace& space, const char* what)
{
    auto guest = audit_user_page_tables(space.address_space(), View::Guest);
    auto kernel_view = audit_user_page_tables(space.address_space(), View::Kernel);
    if (guest.violations() != 0 || kernel_view.violations() != 0) {
        print_page_table_audit(what, guest);
        print_page_table_audit(what, kernel_view);
        return false;
    }
    return true;
}

bool satp_is_kernel()
{
    return (read_csr<Csr::Satp>() & Satp::PPN_MASK) == kernel_virtual_memory().root_physical() >> PAGE_SHIFT;
}

} // namespace

KTEST(guest_space_two_roots_share_everything_but_the_engine_region)
{
    GuestSpace space;
    KASSERT(!space.create().is_error());
    auto& as = space.address_space();
    KASSERT(as.is_split());
    KEXPECT(as.engine_slot() >= 1 && as.engine_slot() < PTES_PER_TABLE / 2);
    KEXPECT_EQ(as.engine_region_size(), kernel_virtual_memory().mode() == PagingMode::Sv48 ? 512ull << 30 : 1ull << 30);
    if (asid_bits() > 0) {
        KEXPECT_NE(as.asid(View::Guest), 0u);
        KEXPECT_NE(as.asid(View::Kernel), 0u);
        KEXPECT_NE(as.asid(View::Guest), as.asid(View::Kernel));
    }
    {
        GuestSpace::Scope scope(space);
        KEXPECT(as.is_active(View::Kernel));
        void* object = platform_allocate(64, 8);
        void* exposed = platform_allocate_exposed(64, 8, Exposure::ReadOnly);
        auto memory = platform_memory_reserve(PAGE_SIZE, PAGE_SIZE);
        KASSERT(object != nullptr && exposed != nullptr && !memory.is_error());
        // The memory is one set of leaves, seen through both roots, once
        // its first page is touched (committed on first touch).
        u64 base = u64(memory.value().base);
        KEXPECT(as.translate(base, View::Guest).is_error());
        KASSERT(space.commit_on_fault(base));
        auto in_guest = as.translate(base, View::Guest);
        auto in_kernel = as.translate(base, View::Kernel);
        KASSERT(!in_guest.is_error() && !in_kernel.is_error());
        KEXPECT_EQ(in_guest.value().physical, in_kernel.value().physical);
        KEXPECT(in_guest.value().user && in_guest.value().protection == Protection::ReadWrite);
        // Root entries: identical but for the engine slot, which differs.
        const auto* guest_root = as.root_table(View::Guest);
        const auto* kernel_root = as.root_table(View::Kernel);
        usize differing = 0;
        for (usize i = 0; i < PTES_PER_TABLE / 2; ++i) {
            if (guest_root[i] != kernel_root[i]) {
                ++differing;
                KEXPECT_EQ(i, as.engine_slot());
            }
        }
        KEXPECT_EQ(differing, 1u);
        KEXPECT(kernel_roots_shared(space));
        // Exposed: the same frame, S-mode RW in the kernel view, U+R for the guest.
        auto exposed_kernel = as.translate(u64(exposed), View::Kernel);
        auto exposed_guest = as.translate(u64(exposed), View::Guest);
        KASSERT(!exposed_kernel.is_error() && !exposed_guest.is_error());
        KEXPECT_EQ(exposed_kernel.value().physical, exposed_guest.value().physical);
        KEXPECT(!exposed_kernel.value().user && exposed_kernel.value().protection == Protection::ReadWrite);
        KEXPECT(exposed_guest.value().user && exposed_guest.value().protection == Protection::Read);
        // Private: only in the kernel view.
        auto private_kernel = as.translate(u64(object), View::Kernel);
        KASSERT(!private_kernel.is_error());
        KEXPECT(!private_kernel.value().user && private_kernel.value().protection == Protection::ReadWrite);
        KEXPECT(as.translate(u64(object), View::Guest).is_error());
        KEXPECT(audit_clean(space, "two roots"));
        // The shared half cannot be mapped inside the engine region, nor the
        // engine region's calls outside it.
        KEXPECT(as.map_new(as.engine_region_base(), PAGE_SIZE, Protection::Read).is_error());
        KEXPECT(as.map_new_kernel(base + 16 * PAGE_SIZE, PAGE_SIZE, Protection::ReadWrite).is_error());
        KEXPECT(as.map_new_kernel(as.engine_region_base(), PAGE_SIZE, Protection::ReadExecute).is_error());
        platform_memory_release(memory.value());
        platform_deallocate_exposed(exposed, 64, 8, Exposure::ReadOnly);
        platform_deallocate(object, 64, 8);
    }
    KEXPECT(satp_is_kernel());
}

KTEST(guest_space_new_shared_subtables_appear_in_both_roots)
{
    GuestSpace space;
    KASSERT(!space.create().is_error());
    GuestSpace::Scope scope(space);
    auto& as = space.address_space();
    // Several memories: each new root entry is written into both roots, and
    // both roots go on agreeing outside the engine slot as they come and go.
    MemoryReservation memories[6];
    for (auto& memory : memories) {
        auto reserved = platform_memory_reserve(2 * PAGE_SIZE, 65536);
        KASSERT(!reserved.is_error());
        memory = reserved.value();
    }
    auto roots_agree = [&] {
        for (usize i = 0; i < PTES_PER_TABLE / 2; ++i) {
            if (i != as.engine_slot() && as.root_table(View::Guest)[i] != as.root_table(View::Kernel)[i])
                return false;
        }
        return true;
    };
    KEXPECT(roots_agree());
    // Writing through the kernel (sstatus.SUM for U pages, privileged spec
    // §4.1.1.2) is seen by reading back.
    u64 previous = set_csr_bits<Csr::Sstatus>(Sstatus::SUM);
    for (usize i = 0; i < 6; ++i)
        *reinterpret_cast<volatile u64*>(memories[i].base + PAGE_SIZE) = 0x1000 + i;
    u64 sum = 0;
    for (usize i = 0; i < 6; ++i)
        sum += *reinterpret_cast<volatile u64*>(memories[i].base + PAGE_SIZE);
    if ((previous & Sstatus::SUM) == 0)
        clear_csr_bits<Csr::Sstatus>(Sstatus::SUM);
    KEXPECT_EQ(sum, 6u * 0x1000 + 15);
    usize tables_with_memories = space.stats().table_frames;
    for (auto& memory : memories)
        platform_memory_release(memory);
    KEXPECT(roots_agree());
    // Released memories took their page tables with them.
    KEXPECT_LT(space.stats().table_frames, tables_with_memories);
    KEXPECT(audit_clean(space, "after memories"));
}

KTEST(guest_space_exposed_read_only_is_readable_not_writable_from_user_mode)
{
    GuestSpace space;
    KASSERT(!space.create().is_error());
    GuestSpace::Scope scope(space);
    auto* read_only = static_cast<u64*>(platform_allocate_exposed(sizeof(u64), 8, Exposure::ReadOnly));
    auto* read_write = static_cast<u64*>(platform_allocate_exposed(sizeof(u64), 8, Exposure::ReadWrite));
    KASSERT(read_only != nullptr && read_write != nullptr);
    // The kernel writes both through its view (S-mode RW, no SUM needed).
    *read_only = 0x1234'5678;
    *read_write = 77;
    KEXPECT_EQ(*read_only, 0x1234'5678u);
    auto read = run_in(space, load_program(u64(read_only)));
    KEXPECT(read.exited() && read.status == 0x1234'5678);
    auto write = run_in(space, store_program(u64(read_only), 1));
    KEXPECT(faulted_with(write, Exception::StorePageFault, u64(read_only)));
    KEXPECT_EQ(*read_only, 0x1234'5678u);
    // ReadWrite: the guest's store is what the kernel reads back.
    auto write_rw = run_in(space, store_program(u64(read_write), 4242));
    KEXPECT(write_rw.exited() && write_rw.status == 0);
    KEXPECT_EQ(*read_write, 4242u);
    // Neither is executable for the guest.
    auto jump = run_in(space, jump_program(u64(read_write)));
    KEXPECT(faulted_with(jump, Exception::InstructionPageFault, u64(read_write)));
    KEXPECT(space.contains(u64(read_only), 8, GuestRegion::ExposedReadOnly));
    KEXPECT(!space.contains(u64(read_only), 8, GuestRegion::ExposedReadWrite));
    KEXPECT(space.contains(u64(read_write), 8, GuestRegion::ExposedReadWrite));
    KEXPECT(audit_clean(space, "exposed"));
    platform_deallocate_exposed(read_write, sizeof(u64), 8, Exposure::ReadWrite);
    platform_deallocate_exposed(read_only, sizeof(u64), 8, Exposure::ReadOnly);
}

KTEST(guest_space_private_pages_are_not_accessible_from_user_mode)
{
    GuestSpace space;
    KASSERT(!space.create().is_error());
    GuestSpace::Scope scope(space);
    auto* small = static_cast<u64*>(platform_allocate(sizeof(u64), 8));
    auto* large = static_cast<u64*>(platform_allocate(3 * PAGE_SIZE, 16));
    KASSERT(small != nullptr && large != nullptr);
    *small = 5;
    large[100] = 6;
    u64 const addresses[] = { u64(small), u64(large) + 800 };
    for (u64 address : addresses) {
        auto load = run_in(space, load_program(address));
        KEXPECT(faulted_with(load, Exception::LoadPageFault, address));
        auto store = run_in(space, store_program(address, 9));
        KEXPECT(faulted_with(store, Exception::StorePageFault, address));
        auto jump = run_in(space, jump_program(address));
        KEXPECT(faulted_with(jump, Exception::InstructionPageFault, address));
    }
    KEXPECT_EQ(*small, 5u);
    KEXPECT_EQ(large[100], 6u);
    KEXPECT(space.contains(u64(small), 8, GuestRegion::Private));
    KEXPECT(!space.contains(u64(small), 8, GuestRegion::ExposedReadWrite));
    // A system call gets no further: the private object is not the guest's.
    KEXPECT(check_user_range(space.address_space(), u64(small), 8, false).is_error());
    platform_deallocate(large, 3 * PAGE_SIZE, 16);
    platform_deallocate(small, sizeof(u64), 8);
}

KTEST(guest_space_code_is_rx_for_the_guest_and_never_writable_and_executable)
{
    GuestSpace space;
    KASSERT(!space.create().is_error());
    GuestSpace::Scope scope(space);
    auto& as = space.address_space();
    auto program = assemble([](Assembler& a) {
        a.auipc(t0, 0); // t0 = pc: the guest reads its own first instruction
        a.lwu(a0, t0, 0);
        emit_exit(a, a0);
    });
    KASSERT(program.ok);
    auto code = platform_code_allocate(program.size);
    KASSERT(!code.is_error());
    u64 address = u64(code.value());
    KEXPECT(space.in_area(GuestArea::Code, address));
    // Allocated: RW for the kernel, absent for the guest.
    KEXPECT(as.translate(address, View::Guest).is_error());
    KEXPECT(as.translate(address, View::Kernel).value().protection == Protection::ReadWrite);
    KEXPECT(audit_clean(space, "code allocated"));
    copy_bytes(code.value(), program.bytes, program.size);
    KASSERT(!platform_code_publish(code.value(), program.size).is_error());
    // Published: R for the kernel, U+RX for the guest.
    auto kernel_view = as.translate(address, View::Kernel);
    auto guest_view = as.translate(address, View::Guest);
    KASSERT(!kernel_view.is_error() && !guest_view.is_error());
    KEXPECT(kernel_view.value().protection == Protection::Read && !kernel_view.value().user);
    KEXPECT(guest_view.value().protection == Protection::ReadExecute && guest_view.value().user);
    KEXPECT_EQ(kernel_view.value().physical, guest_view.value().physical);
    KEXPECT(space.contains(address, program.size, GuestRegion::Code));
    KEXPECT(audit_clean(space, "code published"));
    // The kernel can no longer write it.
    bool trapped = catch_trap([&] { *reinterpret_cast<volatile u8*>(address) = 0; });
    KEXPECT(trapped);
    // The guest runs it and reads it, but cannot write it.
    Stack stack = allocate_stack();
    KASSERT(stack.base != nullptr);
    Guest guest;
    KASSERT(!guest.create(space).is_error());
    guest.reset(address, stack.top());
    auto exit = guest.run();
    KEXPECT(exit.exited());
    KEXPECT_EQ(exit.status, u64(*reinterpret_cast<const u32*>(program.bytes)));
    auto store = run_in(space, store_program(address, 0));
    KEXPECT(faulted_with(store, Exception::StorePageFault, address));
    // Guard pages around the code run: unmapped in both views.
    KEXPECT(as.translate(address - PAGE_SIZE, View::Kernel).is_error());
    KEXPECT(as.translate(address + PAGE_SIZE, View::Kernel).is_error());
    free_stack(stack);
    platform_code_release(code.value(), program.size);
    KEXPECT(as.translate(address, View::Guest).is_error());
    KEXPECT(as.translate(address, View::Kernel).is_error());
}

KTEST(guest_space_linear_memories_at_distinct_random_addresses)
{
    GuestSpace first;
    GuestSpace second;
    KASSERT(!first.create().is_error());
    KASSERT(!second.create().is_error());
    constexpr usize count = 5;
    MemoryReservation memories[count];
    MemoryReservation other;
    {
        GuestSpace::Scope scope(first);
        for (auto& memory : memories) {
            auto reserved = platform_memory_reserve(PAGE_SIZE, 65536ull * 65536);
            KASSERT(!reserved.is_error());
            memory = reserved.value();
        }
        const auto& as = first.address_space();
        for (usize i = 0; i < count; ++i) {
            u64 base = u64(memories[i].base);
            KEXPECT_EQ(memories[i].reserved, guest_memory32_reservation);
            KEXPECT(base >= 2 * PAGE_SIZE && base + memories[i].reserved <= user_half_end());
            KEXPECT(base + memories[i].reserved <= as.engine_region_base() || base >= as.engine_region_base() + as.engine_region_size());
            for (usize j = 0; j < i; ++j) {
                u64 other_base = u64(memories[j].base);
                KEXPECT(base + memories[i].reserved <= other_base || other_base + memories[j].reserved <= base);
            }
            KEXPECT(first.contains(base, PAGE_SIZE, GuestRegion::LinearMemory));
            KEXPECT(!first.contains(base, PAGE_SIZE + 1, GuestRegion::LinearMemory));
            KEXPECT(first.contains(base + memories[i].reserved - 8, 8, GuestRegion::MemoryReservation));
            KEXPECT(!first.contains(base + memories[i].reserved - 8, 9, GuestRegion::MemoryReservation));
            KEXPECT(!first.contains(base - 1, 1, GuestRegion::MemoryReservation));
        }
        // Grow in place; the base never moves; pages past the accessible
        // size stay unmapped.
        u64 base = u64(memories[0].base);
        KASSERT(!platform_memory_grow(memories[0], 5 * PAGE_SIZE).is_error());
        KEXPECT_EQ(u64(memories[0].base), base);
        // Growing maps nothing; a first touch inside the new size commits
        // a page, one past it does not.
        KEXPECT(as.translate(base + 4 * PAGE_SIZE).is_error());
        KEXPECT(first.commit_on_fault(base + 4 * PAGE_SIZE + 8));
        KEXPECT(!as.translate(base + 4 * PAGE_SIZE).is_error());
        KEXPECT(!first.commit_on_fault(base + 5 * PAGE_SIZE));
        KEXPECT(as.translate(base + 5 * PAGE_SIZE).is_error());
        KEXPECT(platform_memory_grow(memories[0], memories[0].reserved + PAGE_SIZE).is_error());
        // A memory above 4 GiB reserves its maximum; an absurd one is capped.
        auto big = platform_memory_reserve(0, 6ull << 30);
        KASSERT(!big.is_error());
        KEXPECT_EQ(big.value().reserved, 6ull << 30);
        auto huge = platform_memory_reserve(0, ~usize(0) / 2);
        KASSERT(!huge.is_error());
        KEXPECT_EQ(huge.value().reserved, guest_memory64_reservation_cap);
        platform_memory_release(huge.value());
        platform_memory_release(big.value());
    }
    {
        GuestSpace::Scope scope(second);
        auto reserved = platform_memory_reserve(PAGE_SIZE, PAGE_SIZE);
        KASSERT(!reserved.is_error());
        other = reserved.value();
    }
    // Independent random addresses: the two guests' first memories differ
    // (equal only with negligible probability).
    KEXPECT_NE(u64(other.base), u64(memories[0].base));
    {
        GuestSpace::Scope scope(second);
        platform_memory_release(other);
    }
    GuestSpace::Scope scope(first);
    for (auto& memory : memories)
        platform_memory_release(memory);
    KEXPECT_EQ(first.stats().memories, 0u);
}

KTEST(guest_space_hooks_route_inside_a_scope_and_fall_back_outside)
{
    GuestSpace space;
    GuestSpace other;
    KASSERT(!space.create().is_error());
    KASSERT(!other.create().is_error());
    KEXPECT(current_guest_space() == nullptr);
    // Outside: the kernel heap and the kernel's engine area.
    void* kernel_object = platform_allocate(48, 16);
    void* kernel_exposed = platform_allocate_exposed(48, 16, Exposure::ReadWrite);
    KASSERT(kernel_object != nullptr && kernel_exposed != nullptr);
    KEXPECT_GE(u64(kernel_object), user_half_end());
    KEXPECT_GE(u64(kernel_exposed), user_half_end());
    {
        GuestSpace::Scope scope(space);
        KEXPECT(current_guest_space() == &space);
        KEXPECT(space.address_space().is_active(View::Kernel));
        void* object = platform_allocate(48, 16);
        void* big = platform_allocate(100'000, 64);
        void* exposed_ro = platform_allocate_exposed(48, 16, Exposure::ReadOnly);
        void* exposed_rw = platform_allocate_exposed(48, 16, Exposure::ReadWrite);
        void* stack = platform_allocate_exposed(guest_stack_min_size, 16, Exposure::ReadWrite);
        auto code = platform_code_allocate(100);
        auto memory = platform_memory_reserve(0, PAGE_SIZE);
        KASSERT(object && big && exposed_ro && exposed_rw && stack && !code.is_error() && !memory.is_error());
        KEXPECT(space.in_area(GuestArea::Private, u64(object)));
        KEXPECT(space.in_area(GuestArea::Private, u64(big)));
        KEXPECT_EQ(u64(big) % 64, 0u);
        KEXPECT(space.in_area(GuestArea::ExposedReadOnly, u64(exposed_ro)));
        KEXPECT(space.in_area(GuestArea::ExposedReadWrite, u64(exposed_rw)));
        KEXPECT(space.in_area(GuestArea::Stack, u64(stack)));
        KEXPECT(space.contains(u64(stack), guest_stack_min_size, GuestRegion::Stack));
        KEXPECT(space.in_area(GuestArea::Code, u64(code.value())));
        KEXPECT(u64(memory.value().base) < user_half_end() && !space.address_space().in_engine_region(u64(memory.value().base)));
        // A private object never shares a page with an exposed one.
        KEXPECT_NE(u64(object) / PAGE_SIZE, u64(exposed_rw) / PAGE_SIZE);
        KEXPECT_NE(u64(exposed_ro) / PAGE_SIZE, u64(exposed_rw) / PAGE_SIZE);
        // Nested: the same guest, then another, then back.
        {
            GuestSpace::Scope inner(space);
            void* nested = platform_allocate(8, 8);
            KEXPECT(space.in_area(GuestArea::Private, u64(nested)));
            platform_deallocate(nested, 8, 8);
            {
                GuestSpace::Scope another(other);
                KEXPECT(current_guest_space() == &other);
                void* theirs = platform_allocate(8, 8);
                KEXPECT(other.in_area(GuestArea::Private, u64(theirs)));
                platform_deallocate(theirs, 8, 8);
            }
            KEXPECT(current_guest_space() == &space);
            KEXPECT(space.address_space().is_active(View::Kernel));
        }
        KEXPECT(current_guest_space() == &space);
        // Kernel-heap objects freed inside the scope go back to mimalloc.
        platform_deallocate(kernel_object, 48, 16);
        platform_deallocate_exposed(kernel_exposed, 48, 16, Exposure::ReadWrite);
        platform_memory_release(memory.value());
        platform_code_release(code.value(), 100);
        platform_deallocate_exposed(stack, guest_stack_min_size, 16, Exposure::ReadWrite);
        platform_deallocate_exposed(exposed_rw, 48, 16, Exposure::ReadWrite);
        platform_deallocate_exposed(exposed_ro, 48, 16, Exposure::ReadOnly);
        platform_deallocate(big, 100'000, 64);
        platform_deallocate(object, 48, 16);
        auto stats = space.stats();
        for (usize i = 0; i < guest_area_count; ++i) {
            KEXPECT_EQ(stats.areas[i].allocations, 0u);
            KEXPECT_EQ(stats.areas[i].bytes_in_use, 0u);
        }
    }
    KEXPECT(current_guest_space() == nullptr);
    KEXPECT(satp_is_kernel());
    // Outside again: the kernel's own engine area for code.
    auto code = platform_code_allocate(100);
    KASSERT(!code.is_error());
    KEXPECT_GE(u64(code.value()), user_half_end());
    platform_code_release(code.value(), 100);
}

KTEST(guest_space_heap_reuses_memory_and_guards_runs)
{
    GuestSpace space;
    KASSERT(!space.create().is_error());
    GuestSpace::Scope scope(space);
    auto& as = space.address_space();
    // A freed block is reused.
    void* a = platform_allocate(40, 8);
    platform_deallocate(a, 40, 8);
    void* b = platform_allocate(40, 8);
    KEXPECT_EQ(a, b);
    platform_deallocate(b, 40, 8);
    // Alignment up to a page and beyond.
    for (usize alignment = 1; alignment <= 4 * PAGE_SIZE; alignment *= 2) {
        void* p = platform_allocate(24, alignment);
        KASSERT(p != nullptr);
        KEXPECT_EQ(u64(p) % alignment, 0u);
        platform_deallocate(p, 24, alignment);
    }
    // Page runs of every class have unmapped guard pages below and above.
    void* run = platform_allocate(2 * PAGE_SIZE + 1, 16);
    void* exposed_run = platform_allocate_exposed(5 * PAGE_SIZE, 16, Exposure::ReadOnly);
    KASSERT(run != nullptr && exposed_run != nullptr);
    KEXPECT(as.translate(u64(run) - PAGE_SIZE, View::Kernel).is_error());
    KEXPECT(as.translate(u64(run) + 3 * PAGE_SIZE, View::Kernel).is_error());
    KEXPECT(!as.translate(u64(run) + 2 * PAGE_SIZE, View::Kernel).is_error());
    KEXPECT(as.translate(u64(exposed_run) - PAGE_SIZE, View::Kernel).is_error());
    KEXPECT(as.translate(u64(exposed_run) + 5 * PAGE_SIZE, View::Guest).is_error());
    platform_deallocate_exposed(exposed_run, 5 * PAGE_SIZE, 16, Exposure::ReadOnly);
    platform_deallocate(run, 2 * PAGE_SIZE + 1, 16);
    // Churn like a compiler's vectors: many sizes, allocated and freed in
    // waves; at the end nothing is in use and at most one slab per class
    // is kept.
    constexpr usize slots = 256;
    void* pointers[slots] {};
    usize sizes[slots] {};
    u64 seed = 12345;
    auto next = [&] {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        return seed >> 33;
    };
    usize failures = 0;
    for (usize round = 0; round < 20'000; ++round) {
        usize i = next() % slots;
        if (pointers[i] != nullptr) {
            platform_deallocate(pointers[i], sizes[i], 8);
            pointers[i] = nullptr;
            continue;
        }
        sizes[i] = next() % 8 == 0 ? 1 + next() % 40'000 : 1 + next() % 600;
        pointers[i] = platform_allocate(sizes[i], 8);
        if (pointers[i] == nullptr)
            ++failures;
        else
            fill_bytes(pointers[i], 0xab, sizes[i]);
    }
    for (usize i = 0; i < slots; ++i)
        platform_deallocate(pointers[i], sizes[i], 8);
    KEXPECT_EQ(failures, 0u);
    const auto& heap = space.stats().area(GuestArea::Private);
    KEXPECT_EQ(heap.allocations, 0u);
    KEXPECT_EQ(heap.bytes_in_use, 0u);
    KEXPECT_LE(heap.frames, GuestHeapArea::class_count);
    KEXPECT_EQ(heap.frames, heap.slabs);
}

KTEST(guest_space_system_calls_run_in_the_kernel_view)
{
    GuestSpace space;
    KASSERT(!space.create().is_error());
    GuestSpace::Scope scope(space);
    struct Seen {
        GuestSpace* space;
        u64* private_object;
        bool kernel_view_active { false };
        u64 read { 0 };
        u64 copied { 0 };
    };
    auto* object = static_cast<u64*>(platform_allocate(sizeof(u64), 8));
    auto memory = platform_memory_reserve(PAGE_SIZE, PAGE_SIZE);
    KASSERT(object != nullptr && !memory.is_error());
    *object = 99;
    Seen seen { &space, object };
    u64 memory_base = u64(memory.value().base);
    auto program = assemble([&](Assembler& a) {
        a.li(t0, static_cast<i64>(memory_base));
        a.li(t1, 31337);
        a.sd(t1, t0, 0);
        a.mv(a0, t0);
        a.li(a7, 1);
        a.ecall();
        emit_exit(a, a0);
    });
    auto handler = [](Guest&, const SystemCall& call, void* cookie) noexcept -> i64 {
        auto& seen = *static_cast<Seen*>(cookie);
        seen.kernel_view_active = seen.space->address_space().is_active(View::Kernel);
        seen.read = *seen.private_object; // a private engine object, through the kernel view
        u64 value = 0;
        if (copy_from_user(seen.space->address_space(), &value, call.args[0], sizeof value).is_error())
            return -14;
        seen.copied = value;
        return 7;
    };
    auto exit = run_in(space, program, handler, &seen);
    KEXPECT(exit.exited() && exit.status == 7);
    KEXPECT(seen.kernel_view_active);
    KEXPECT_EQ(seen.read, 99u);
    KEXPECT_EQ(seen.copied, 31337u);
    // run() returns with the kernel view active.
    KEXPECT(space.address_space().is_active(View::Kernel));
    platform_memory_release(memory.value());
    platform_deallocate(object, sizeof(u64), 8);
}

namespace {

// One guest's worth of engine-like allocations, inside its scope.
bool exercise(GuestSpace& space)
{
    GuestSpace::Scope scope(space);
    void* small[16];
    for (usize i = 0; i < 16; ++i)
        small[i] = platform_allocate(16 + 24 * i, 8);
    void* big = platform_allocate(20'000, 16);
    void* exposed = platform_allocate_exposed(64, 16, Exposure::ReadOnly);
    void* stack = platform_allocate_exposed(guest_stack_min_size, 16, Exposure::ReadWrite);
    auto code = platform_code_allocate(300);
    auto memory = platform_memory_reserve(2 * PAGE_SIZE, 65536);
    bool ok = big && exposed && stack && !code.is_error() && !memory.is_error();
    for (void* p : small)
        ok = ok && p != nullptr;
    if (!ok)
        return false;
    ok = !platform_code_publish(code.value(), 300).is_error();
    ok = ok && !platform_memory_grow(memory.value(), 3 * PAGE_SIZE).is_error();
    // Half of it is freed; destroy() takes the rest.
    for (usize i = 0; i < 16; i += 2)
        platform_deallocate(small[i], 16 + 24 * i, 8);
    platform_deallocate(big, 20'000, 16);
    platform_code_release(code.value(), 300);
    return ok;
}

} // namespace

KTEST(guest_space_destroy_returns_every_frame)
{
    // Warm up (the kernel heap's first allocations), then measure.
    {
        GuestSpace warm;
        KASSERT(!warm.create().is_error());
        KASSERT(exercise(warm));
    }
    heap_collect();
    usize frames_before = physical_memory().free_frame_count();
    usize heap_before = heap_stats().committed_pages;
    {
        GuestSpace space;
        KASSERT(!space.create().is_error());
        KASSERT(exercise(space));
        auto stats = space.stats();
        KEXPECT_GT(stats.data_frames, 0u);
        KEXPECT_GT(stats.table_frames, 2u);
        KEXPECT_EQ(frames_before - physical_memory().free_frame_count() >= stats.frames(), true);
        KEXPECT(audit_clean(space, "exercised"));
        space.destroy();
        KEXPECT(!space.is_created());
    }
    heap_collect();
    KEXPECT_EQ(physical_memory().free_frame_count(), frames_before);
    KEXPECT_EQ(heap_stats().committed_pages, heap_before);
    // The kernel's tables hold no user mapping afterwards.
    auto kernel_audit = audit_kernel_page_tables();
    KEXPECT_EQ(kernel_audit.user_leaves, 0u);
    KEXPECT_EQ(kernel_audit.violations(), 0u);
}

KTEST(guest_space_thousand_guests_with_allocations_leak_nothing)
{
    heap_collect();
    usize frames_before = physical_memory().free_frame_count();
    usize heap_before = heap_stats().committed_pages;
    usize failures = 0;
    for (u32 i = 0; i < 1000; ++i) {
        GuestSpace space;
        if (space.create().is_error() || !exercise(space))
            ++failures;
    }
    heap_collect();
    KEXPECT_EQ(failures, 0u);
    KEXPECT_EQ(physical_memory().free_frame_count(), frames_before);
    KEXPECT_EQ(heap_stats().committed_pages, heap_before);
}

KTEST(guest_space_ten_thousand_create_destroy_cycles_leak_nothing)
{
    heap_collect();
    usize frames_before = physical_memory().free_frame_count();
    usize heap_before = heap_stats().committed_pages;
    usize failures = 0;
    for (u32 i = 0; i < 10'000; ++i) {
        GuestSpace space;
        if (space.create().is_error()) {
            ++failures;
            continue;
        }
        GuestSpace::Scope scope(space);
        void* p = platform_allocate(100, 8);
        void* q = platform_allocate(10'000, 8);
        if (p == nullptr || q == nullptr)
            ++failures;
        platform_deallocate(p, 100, 8);
    }
    heap_collect();
    KEXPECT_EQ(failures, 0u);
    KEXPECT_EQ(physical_memory().free_frame_count(), frames_before);
    KEXPECT_EQ(heap_stats().committed_pages, heap_before);
}

KTEST(guest_space_create_destroy_cost)
{
    // Instructions for an empty guest space's create + destroy, printed for
    // the record: exact only under QEMU's -icount (DESIGN.md "Platform
    // facts"): about 23,000 measured so, plus a ChaCha20 refill every few guests.
    {
        GuestSpace warm;
        KASSERT(!warm.create().is_error());
    }
    u64 before = read_csr<Csr::Instret>();
    {
        GuestSpace space;
        KASSERT(!space.create().is_error());
    }
    u64 instructions = read_csr<Csr::Instret>() - before;
    kprintln("guest space: create + destroy in {} instructions"_sv, instructions);
}

KTEST(aslr_random_chacha20_block_matches_rfc8439)
{
    // RFC 8439 §2.3.2: key 00 01 .. 1f, nonce 00:00:00:09:00:00:00:4a:00:00:00:00, counter 1.
    u8 key_bytes[32];
    for (u8 i = 0; i < 32; ++i)
        key_bytes[i] = i;
    u32 key[8];
    copy_bytes(key, key_bytes, sizeof key);
    u32 const nonce[3] = { 0x0900'0000, 0x4a00'0000, 0 };
    u8 out[64];
    chacha20_block(key, 1, nonce, out);
    u32 const expected[16] = {
        0xe4e7f110, 0x15593bd1, 0x1fdd0f50, 0xc47120a3, 0xc7f4d1c7, 0x0368c033, 0x9aaa2204, 0x4e6cd4c3,
        0x466482d2, 0x09aa9f07, 0x05d7c214, 0xa2028bd9, 0xd19c12b5, 0xb94e16de, 0xe883d0cb, 0x4e3c50a2,
    };
    for (usize i = 0; i < 16; ++i) {
        u32 word = u32(out[4 * i]) | u32(out[4 * i + 1]) << 8 | u32(out[4 * i + 2]) << 16 | u32(out[4 * i + 3]) << 24;
        KEXPECT_EQ(word, expected[i]);
    }
    // Words differ and bounded draws stay in bounds.
    u64 a = aslr_random_u64();
    u64 b = aslr_random_u64();
    KEXPECT_NE(a, b);
    usize out_of_bounds = 0;
    for (usize i = 0; i < 1000; ++i) {
        if (aslr_random_below(255) >= 255)
            ++out_of_bounds;
    }
    KEXPECT_EQ(out_of_bounds, 0u);
}

KTEST(guest_space_aslr_layouts_differ)
{
    // Two guests' placements (logged with the boot argument debug.aslr; the
    // boot check guest_space_aslr compares two boots).
    GuestSpace first;
    GuestSpace second;
    KASSERT(!first.create().is_error());
    KASSERT(!second.create().is_error());
    auto one = first.layout();
    auto two = second.layout();
    usize same = 0;
    for (usize i = 0; i < guest_area_count; ++i) {
        KEXPECT(one.area_base[i] >= one.engine_region_base
            && one.area_base[i] + one.area_size[i] <= one.engine_region_base + one.engine_region_size);
        for (usize j = 0; j < i; ++j) {
            KEXPECT(one.area_base[i] + one.area_size[i] <= one.area_base[j] || one.area_base[j] + one.area_size[j] <= one.area_base[i]);
        }
        if (one.area_base[i] == two.area_base[i])
            ++same;
    }
    KEXPECT_EQ(same, 0u);
    GuestSpace::Scope scope(first);
    auto memory = platform_memory_reserve(0, PAGE_SIZE);
    KASSERT(!memory.is_error());
    platform_memory_release(memory.value());
}

