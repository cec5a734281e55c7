// WASI host functions called by a guest in U-mode (kernel/WasmGuest.h,
// wasi/GuestMemory.h, kernel/UserCopy.h): they run with sstatus.SUM clear
// and never see a pointer into the guest's memory — only bounded copies,
// each with SUM set for the copy alone — and a bad guest pointer is EFAULT,
// a first touch inside a copy commits the page. The module is
// tests/kernel/modules/wasi_probe.wat.

#include <arch/riscv64/Csr.h>
#include <base/Memory.h>
#include <generated/tests/kernel/Modules.h>
#include <kernel/KTest.h>
#include <kernel/Trap.h>
#include <kernel/WasmGuest.h>
#include <kernel/mm/UserAddressSpace.h>
#include <wasi/Host.h>
#include <wasi/Wasi.h>

using namespace k23;
using namespace k23::kernel;
using namespace k23::riscv64;
using wasm::Value;

namespace {

// A wasi::Host that looks at the hart while a host function runs: whether
// sstatus.SUM is set, whether the buffer it was handed points into the user
// half, and whether reading the guest's memory directly faults.
class ProbeHost final : public wasi::Host {
public:
    struct Probe {
        u32 calls { 0 };
        bool sum_set { false };
        bool buffer_in_user_half { false };
        bool direct_read_faulted { true };
        u64 direct_read_scause { 0 };
    };

    u64 guest_memory { 0 }; // a committed page of the guest's memory
    Probe probe;
    u8 written[64] {};
    usize written_length { 0 };

    wasi::Errno write(int, const u8* data, usize length, usize& done) noexcept override
    {
        look(data);
        written_length = length < sizeof written ? length : sizeof written;
        copy_bytes(written, data, written_length);
        done = length;
        return wasi::errno_::success;
    }
    wasi::Errno random_bytes(u8* buffer, usize length) noexcept override
    {
        look(buffer);
        for (usize i = 0; i < length; ++i)
            buffer[i] = u8(i * 7 + 1);
        return wasi::errno_::success;
    }
    wasi::Errno clock_time(u32, u64& nanoseconds) noexcept override
    {
        look(nullptr);
        nanoseconds = 0x1122334455667788ull;
        return wasi::errno_::success;
    }

    // Nothing else is called.
    wasi::Errno read(int, u8*, usize, usize&) noexcept override { return wasi::errno_::nosys; }
    wasi::Errno pread(int, u8*, usize, u64, usize&) noexcept override { return wasi::errno_::nosys; }
    wasi::Errno pwrite(int, const u8*, usize, u64, usize&) noexcept override { return wasi::errno_::nosys; }
    wasi::Errno seek(int, i64, u8, u64&) noexcept override { return wasi::errno_::nosys; }
    wasi::Errno close(int) noexcept override { return wasi::errno_::success; }
    wasi::Errno sync(int, bool) noexcept override { return wasi::errno_::nosys; }
    wasi::Errno fstat(int, wasi::FileStat& out) noexcept override
    {
        out = {};
        out.filetype = wasi::filetype::character_device;
        return wasi::errno_::success;
    }
    wasi::Errno set_size(int, u64) noexcept override { return wasi::errno_::nosys; }
    wasi::Errno get_fd_flags(int, u16& flags) noexcept override { flags = 0; return wasi::errno_::success; }
    wasi::Errno set_fd_flags(int, u16) noexcept override { return wasi::errno_::nosys; }
    wasi::Errno set_times(int, u64, u64, u16) noexcept override { return wasi::errno_::nosys; }
    wasi::Errno allocate(int, u64, u64) noexcept override { return wasi::errno_::nosys; }
    wasi::Errno read_directory(int, u64, wasi::DirectoryCallback, void*) noexcept override { return wasi::errno_::nosys; }
    wasi::Errno ensure_open(int) noexcept override { return wasi::errno_::success; }
    wasi::Errno open_directory(const char*, int&) noexcept override { return wasi::errno_::nosys; }
    wasi::Errno open_at(int, const char*, usize, u32, u16, u16, bool, bool, int&) noexcept override { return wasi::errno_::nosys; }
    wasi::Errno stat_at(int, const char*, usize, u32, wasi::FileStat&) noexcept override { return wasi::errno_::nosys; }
    wasi::Errno create_directory_at(int, const char*, usize) noexcept override { return wasi::errno_::nosys; }
    wasi::Errno remove_directory_at(int, const char*, usize) noexcept override { return wasi::errno_::nosys; }
    wasi::Errno unlink_file_at(int, const char*, usize) noexcept override { return wasi::errno_::nosys; }
    wasi::Errno rename_at(int, const char*, usize, int, const char*, usize) noexcept override { return wasi::errno_::nosys; }
    wasi::Errno link_at(int, u32, const char*, usize, int, const char*, usize) noexcept override { return wasi::errno_::nosys; }
    wasi::Errno symlink_at(const char*, usize, int, const char*, usize) noexcept override { return wasi::errno_::nosys; }
    wasi::Errno set_times_at(int, const char*, usize, u32, u64, u64, u16) noexcept override { return wasi::errno_::nosys; }
    wasi::Errno readlink_at(int, const char*, usize, u8*, usize, usize&) noexcept override { return wasi::errno_::nosys; }
    wasi::Errno clock_resolution(u32, u64&) noexcept override { return wasi::errno_::nosys; }
    void sleep_nanoseconds(u64) noexcept override { }
    void yield() noexcept override { }

private:
    void look(const void* buffer) noexcept
    {
        ++probe.calls;
        probe.sum_set |= (read_csr<Csr::Sstatus>() & Sstatus::SUM) != 0;
        probe.buffer_in_user_half |= buffer != nullptr && reinterpret_cast<u64>(buffer) < user_half_end();
        // The guest's memory is U pages: with SUM clear, reading one from
        // S-mode is a load page fault (privileged spec 1.12 §4.1.1.2).
        CaughtTrap caught;
        bool faulted = catch_trap([&] { (void)*reinterpret_cast<u8 const volatile*>(guest_memory); }, &caught);
        probe.direct_read_faulted &= faulted;
        if (faulted)
            probe.direct_read_scause = caught.scause;
    }
};

// A guest running wasi_probe.wat over `host`.
struct ProbeGuest {
    ProbeHost host;
    wasi::WasiContext context { host };
    WasmGuest guest;
    wasm::Instance* instance { nullptr };
    u64 memory_base { 0 };
    u64 memory_size { 0 };

    Result<void> create() noexcept
    {
        TRY(guest.create());
        wasm::Module* module = TRY(guest.read_module(ReadonlyBytes(test_modules::wasi_probe, sizeof test_modules::wasi_probe)));
        TRY(guest.define_wasi(*module, context));
        context.set_instance_slot(&instance);
        instance = TRY(guest.instantiate_module(*module, &instance));
        GuestSpace::Scope scope(guest.space());
        const auto* memory = instance->find_export("memory"_sv);
        if (!memory || memory->value.kind != wasm::ExternKind::Memory)
            return Error::from_code(ErrorCode::NotFound, "no memory export");
        memory_base = reinterpret_cast<u64>(memory->value.memory()->data());
        memory_size = memory->value.memory()->size_in_bytes();
        host.guest_memory = memory_base + 16; // the data segment's page
        return {};
    }

    // The export's i32 result, or ~0 if the call failed.
    u32 call(StringView name, Span<Value const> args) noexcept
    {
        Value result = Value::from_i32(~0u);
        if (guest.invoke_export(instance, name, args, Span<Value>(&result, 1)).is_error())
            return ~0u;
        return result.i32;
    }
    void store32(u32 address, u32 value) noexcept
    {
        Value args[] = { Value::from_i32(address), Value::from_i32(value) };
        (void)guest.invoke_export(instance, "store32"_sv, args, {});
    }
    u32 load8(u32 address) noexcept
    {
        Value args[] = { Value::from_i32(address) };
        return call("load8"_sv, args);
    }
};

Value v32(u32 value) { return Value::from_i32(value); }

} // namespace

// Caught: the kernel set sstatus.SUM for the whole WASI host function (the
// host saw a raw pointer into the guest's memory and could read all of it).
KTEST(wasi_host_functions_run_with_sum_clear)
{
    ProbeGuest g;
    KASSERT(!g.create().is_error());

    // fd_write(1, iovec at 0x100 = { 16, 18 }, 1, nwritten at 0x108)
    g.store32(0x100, 16);
    g.store32(0x104, 18);
    Value write_args[] = { v32(1), v32(0x100), v32(1), v32(0x108) };
    KEXPECT_EQ(g.call("fd_write"_sv, write_args), u32(wasi::errno_::success));
    KEXPECT_EQ(g.host.written_length, 18u);
    KEXPECT(compare_bytes(g.host.written, "hello from a guest", 18) == 0);
    KEXPECT_EQ(g.load8(0x108), 18u);

    // random_get(0x200, 32): the host fills a kernel buffer, copied out after.
    Value random_args[] = { v32(0x200), v32(32) };
    KEXPECT_EQ(g.call("random_get"_sv, random_args), u32(wasi::errno_::success));
    for (u32 i = 0; i < 32; ++i)
        KEXPECT_EQ(g.load8(0x200 + i), u32(u8(i * 7 + 1)));

    // clock_time_get(0, 0x300): no buffer at all, SUM still clear.
    Value clock_args[] = { v32(0), v32(0x300) };
    KEXPECT_EQ(g.call("clock_time_get"_sv, clock_args), u32(wasi::errno_::success));
    KEXPECT_EQ(g.load8(0x300), 0x88u);
    KEXPECT_EQ(g.load8(0x307), 0x11u);

    KEXPECT_EQ(g.host.probe.calls, 3u);
    KEXPECT(!g.host.probe.sum_set);
    KEXPECT(!g.host.probe.buffer_in_user_half);
    KEXPECT(g.host.probe.direct_read_faulted);
    KEXPECT_EQ(g.host.probe.direct_read_scause, u64(Exception::LoadPageFault));
    // And the kernel is back to SUM clear after the guest ran.
    KEXPECT_EQ(read_csr<Csr::Sstatus>() & Sstatus::SUM, 0u);
}

KTEST(wasi_bad_guest_pointers_are_efault_in_the_kernel)
{
    ProbeGuest g;
    KASSERT(!g.create().is_error());
    u32 const size = u32(g.memory_size);
    u32 const fault = wasi::errno_::fault;

    // The iovec array runs past the end of memory.
    Value iovs_past_end[] = { v32(1), v32(size - 4), v32(1), v32(0x108) };
    KEXPECT_EQ(g.call("fd_write"_sv, iovs_past_end), fault);
    // An iovec's buffer runs past the end.
    g.store32(0x100, size - 2);
    g.store32(0x104, 10);
    Value buffer_past_end[] = { v32(1), v32(0x100), v32(1), v32(0x108) };
    KEXPECT_EQ(g.call("fd_write"_sv, buffer_past_end), fault);
    Value read_past_end[] = { v32(0), v32(0x100), v32(1), v32(0x108) };
    KEXPECT_EQ(g.call("fd_read"_sv, read_past_end), fault);
    // The result pointer is outside memory; so is a buffer near 4 GiB.
    g.store32(0x104, 4);
    Value result_outside[] = { v32(1), v32(0x100), v32(1), v32(size) };
    KEXPECT_EQ(g.call("fd_write"_sv, result_outside), fault);
    Value random_outside[] = { v32(0xffff'fff0), v32(16) };
    KEXPECT_EQ(g.call("random_get"_sv, random_outside), fault);
    Value random_straddling[] = { v32(size - 8), v32(16) };
    KEXPECT_EQ(g.call("random_get"_sv, random_straddling), fault);
    Value clock_outside[] = { v32(0), v32(size - 4) };
    KEXPECT_EQ(g.call("clock_time_get"_sv, clock_outside), fault);
    KEXPECT_EQ(g.host.written_length, 0u); // no write reached the host

    // Inside the bounds, a page nobody touched yet: the copy's first touch
    // commits it (a data frame more) and the call succeeds.
    usize frames_before = g.guest.space().stats().data_frames;
    Value random_fresh[] = { v32(3 * 65536 + 100), v32(8) };
    KEXPECT_EQ(g.call("random_get"_sv, random_fresh), u32(wasi::errno_::success));
    KEXPECT_EQ(g.guest.space().stats().data_frames, frames_before + 1);
    KEXPECT_EQ(g.load8(3 * 65536 + 101), 8u);

    // The guest goes on working.
    Value good_random[] = { v32(0x200), v32(4) };
    KEXPECT_EQ(g.call("random_get"_sv, good_random), u32(wasi::errno_::success));
}
