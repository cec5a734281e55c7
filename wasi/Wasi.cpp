// WASI preview1 host functions: decoding and bounds-checking guest memory,
// the descriptor table, and the calls into a wasi::Host (wasi/Host.h).

#include <base/Memory.h>
#include <wasi/Wasi.h>


namespace k23::wasi {

using wasm::Value;
using wasm::ValueType;

namespace {

constexpr u32 max_iovecs = 1024; // IOV_MAX

// Bulk data between the guest's memory and the Host moves through this
// bounded buffer, a chunk at a time (GuestMemory.h: no pointer into the
// guest's memory reaches the Host). Static: host functions do not run
// concurrently, and a kernel stack has no room for it.
constexpr usize bounce_size = 64 * 1024;
u8 s_bounce[bounce_size];

// Paths are copied out of the guest's memory into these (two for rename,
// link and symlink); a path this long or longer is ENAMETOOLONG, as the
// hosts answer anyway (PATH_MAX).
constexpr usize path_max = 4096;
char s_paths[2][path_max];

WasiContext::Descriptor* new_descriptor() noexcept
{
    void* memory = platform_allocate(sizeof(WasiContext::Descriptor), alignof(WasiContext::Descriptor));
    return memory ? construct_at(static_cast<WasiContext::Descriptor*>(memory)) : nullptr;
}

void delete_descriptor(WasiContext::Descriptor* d) noexcept
{
    if (!d)
        return;
    destroy_at(d);
    platform_deallocate(d, sizeof(*d), alignof(WasiContext::Descriptor));
}

} // namespace

// ---------------------------------------------------------------- context

WasiContext::WasiContext(Host& host) noexcept
    : m_host(host)
{
    for (int fd = 0; fd < 3; ++fd) {
        // A closed stdio number would be reused by the first preopen or
        // path_open, which would then answer to the guest as its stdio.
        (void)m_host.ensure_open(fd);
        u8 type = filetype::unknown;
        FileStat st;
        if (m_host.fstat(fd, st) == errno_::success)
            type = st.filetype;
        // `k23-run < DIR`: a directory the host passed as a stream is not a
        // capability; the guest sees a stream of unknown type, with no path
        // rights (reading it fails with EISDIR).
        if (type == filetype::directory)
            type = filetype::unknown;
        auto* d = new_descriptor();
        if (!d || m_descriptors.try_append(d).is_error()) {
            delete_descriptor(d);
            continue;
        }
        d->host_fd = fd;
        // A terminal is a character device (wasi-libc's isatty() then line-
        // buffers); a pipe has no preview1 file type and stays unknown.
        d->filetype = type;
        d->rights_base = fd == 0 ? rights::stdin_stream : rights::stdout_stream;
        d->rights_inheriting = 0;
        d->owns_host_fd = false;
        d->is_stdio = true;
    }
}

WasiContext::~WasiContext() noexcept
{
    for (Descriptor* d : m_descriptors) {
        if (d && d->owns_host_fd && d->host_fd >= 0)
            (void)m_host.close(d->host_fd);
        delete_descriptor(d);
    }
}

Result<void> WasiContext::add_argument(StringView argument) noexcept
{
    for (char c : argument)
        TRY(m_arguments.try_append(c));
    TRY(m_arguments.try_append('\0'));
    ++m_argument_count;
    return {};
}

Result<void> WasiContext::add_environment(StringView entry) noexcept
{
    for (char c : entry)
        TRY(m_environment.try_append(c));
    TRY(m_environment.try_append('\0'));
    ++m_environment_count;
    return {};
}

Result<void> WasiContext::add_preopen(StringView host_path, StringView guest_path) noexcept
{
    char path[4096];
    if (host_path.length() >= sizeof(path))
        return Error::from_code(ErrorCode::InvalidArgument, "preopen path too long");
    __builtin_memcpy(path, host_path.data(), host_path.length());
    path[host_path.length()] = '\0';
    int fd = -1;
    if (Errno e = m_host.open_directory(path, fd))
        return Error::formatted(ErrorCode::IO, "cannot open directory {} (wasi errno {})"_sv, host_path, e);
    u32 index = TRY(add_descriptor(fd, filetype::directory, rights::all, rights::all));
    Descriptor* d = descriptor(index);
    d->is_preopen = true;
    for (char c : guest_path)
        TRY(d->guest_path.try_append(c));
    return {};
}

GuestMemory WasiContext::memory() const noexcept
{
    if (!m_memory && m_instance_slot && *m_instance_slot) {
        const wasm::ExportEntry* entry = (*m_instance_slot)->find_export("memory");
        if (entry && entry->value.kind == wasm::ExternKind::Memory)
            m_memory = entry->value.memory();
    }
    if (m_memory)
        return GuestMemory(Span<u8>(m_memory->data(), m_memory->size_in_bytes()), *m_copier);
    return GuestMemory(m_view, *m_copier);
}

WasiContext::Descriptor* WasiContext::descriptor(u32 fd) noexcept
{
    if (fd >= m_descriptors.size())
        return nullptr;
    return m_descriptors[fd];
}

Result<u32> WasiContext::add_descriptor(int host_fd, u8 type, u64 rights_base, u64 rights_inheriting) noexcept
{
    auto* d = new_descriptor();
    if (!d)
        return Error::from_code(ErrorCode::OutOfMemory);
    d->host_fd = host_fd;
    d->filetype = type;
    d->rights_base = rights_base;
    d->rights_inheriting = rights_inheriting;
    // The lowest free number, as POSIX does.
    for (u32 i = 0; i < m_descriptors.size(); ++i) {
        if (!m_descriptors[i]) {
            m_descriptors[i] = d;
            return i;
        }
    }
    if (auto result = m_descriptors.try_append(d); result.is_error()) {
        delete_descriptor(d);
        return result.release_error();
    }
    return u32(m_descriptors.size() - 1);
}

void WasiContext::remove_descriptor(u32 fd) noexcept
{
    Descriptor* d = descriptor(fd);
    if (!d)
        return;
    delete_descriptor(d);
    m_descriptors[fd] = nullptr;
}

bool WasiContext::renumber(u32 from, u32 to) noexcept
{
    Descriptor* source = descriptor(from);
    Descriptor* target = descriptor(to);
    if (!source || !target)
        return false;
    if (from == to)
        return true;
    if (target->owns_host_fd && target->host_fd >= 0)
        (void)m_host.close(target->host_fd);
    delete_descriptor(target);
    m_descriptors[to] = source;
    m_descriptors[from] = nullptr;
    return true;
}

// ---------------------------------------------------------------- functions

namespace {

// A call's arguments as they were in registers (an i32 in the low half):
// what the typed form gets (wasm/Runtime.h), and what the boxed form
// makes of its values.
struct RawArgs {
    u64 raw[9]; // path_open has nine
};
using Args = const RawArgs&;

u32 a32(Args a, usize i) { return u32(a.raw[i]); }
u64 a64(Args a, usize i) { return a.raw[i]; }

// The guest's iovec array, checked: every buffer lies in memory.
struct IoVectors {
    u32 count { 0 };
    u32 base[max_iovecs]; // guest addresses
    u32 length[max_iovecs];
};

Errno decode_iovecs(const GuestMemory& memory, u32 address, u32 count, IoVectors& out)
{
    if (count > max_iovecs)
        return errno_::inval;
    if (!memory.contains(address, u64(count) * layout::iovec_size))
        return errno_::fault;
    u64 total = 0;
    for (u32 i = 0; i < count; ++i) {
        u32 buffer = 0, length = 0;
        if (!memory.read_u32(address + u64(i) * layout::iovec_size, buffer))
            return errno_::fault;
        if (!memory.read_u32(address + u64(i) * layout::iovec_size + 4, length))
            return errno_::fault;
        if (!memory.contains(buffer, length))
            return errno_::fault;
        out.base[i] = buffer;
        out.length[i] = length;
        total += length;
    }
    if (total > 0xffff'ffffu)
        return errno_::inval; // the byte count must fit the u32 result
    out.count = count;
    return errno_::success;
}

// Descriptor `fd` (EBADF) holding every right in `required` (ENOTCAPABLE).
Errno lookup(WasiContext& context, u32 fd, u64 required, WasiContext::Descriptor*& out)
{
    out = context.descriptor(fd);
    if (!out)
        return errno_::badf;
    if ((out->rights_base & required) != required)
        return errno_::notcapable;
    return errno_::success;
}

Errno args_sizes_get(WasiContext& c, const GuestMemory& m, Args a)
{
    if (!m.write_u32(a32(a, 0), c.m_argument_count) || !m.write_u32(a32(a, 1), u32(c.m_arguments.size())))
        return errno_::fault;
    return errno_::success;
}

Errno write_string_list(const GuestMemory& m, u32 pointers, u32 buffer, const Vector<char>& strings, u32 count)
{
    if (!m.contains(pointers, u64(count) * 4) || !m.contains(buffer, strings.size()))
        return errno_::fault;
    u32 offset = 0;
    for (u32 i = 0; i < count; ++i) {
        if (!m.write_u32(pointers + u64(i) * 4, buffer + offset))
            return errno_::fault;
        while (strings[offset] != '\0')
            ++offset;
        ++offset;
    }
    if (!m.write(buffer, strings.data(), strings.size()))
        return errno_::fault;
    return errno_::success;
}

Errno args_get(WasiContext& c, const GuestMemory& m, Args a)
{
    return write_string_list(m, a32(a, 0), a32(a, 1), c.m_arguments, c.m_argument_count);
}

Errno environ_sizes_get(WasiContext& c, const GuestMemory& m, Args a)
{
    if (!m.write_u32(a32(a, 0), c.m_environment_count) || !m.write_u32(a32(a, 1), u32(c.m_environment.size())))
        return errno_::fault;
    return errno_::success;
}

Errno environ_get(WasiContext& c, const GuestMemory& m, Args a)
{
    return write_string_list(m, a32(a, 0), a32(a, 1), c.m_environment, c.m_environment_count);
}

Errno clock_res_get(WasiContext& c, const GuestMemory& m, Args a)
{
    if (!m.contains(a32(a, 1), 8))
        return errno_::fault;
    u64 resolution = 0;
    if (Errno e = c.host().clock_resolution(a32(a, 0), resolution))
        return e;
    if (!m.write_u64(a32(a, 1), resolution))
        return errno_::fault;
    return errno_::success;
}

Errno clock_time_get(WasiContext& c, const GuestMemory& m, Args a)
{
    // (id, precision: i64, time: ptr)
    if (!m.contains(a32(a, 2), 8))
        return errno_::fault;
    u64 now = 0;
    if (Errno e = c.host().clock_time(a32(a, 0), now))
        return e;
    if (!m.write_u64(a32(a, 2), now))
        return errno_::fault;
    return errno_::success;
}

Errno random_get(WasiContext& c, const GuestMemory& m, Args a)
{
    u32 address = a32(a, 0), length = a32(a, 1);
    if (!m.contains(address, length))
        return errno_::fault;
    for (u32 offset = 0; offset < length;) {
        usize chunk = length - offset < bounce_size ? length - offset : bounce_size;
        if (Errno e = c.host().random_bytes(s_bounce, chunk))
            return e;
        if (!m.write(u64(address) + offset, s_bounce, chunk))
            return errno_::fault;
        offset += u32(chunk);
    }
    return errno_::success;
}

Errno sched_yield(WasiContext& c, const GuestMemory&, Args)
{
    c.host().yield();
    return errno_::success;
}

Errno fd_write(WasiContext& c, const GuestMemory& m, Args a)
{
    WasiContext::Descriptor* d;
    if (Errno e = lookup(c, a32(a, 0), rights::fd_write, d))
        return e;
    if (!m.contains(a32(a, 3), 4))
        return errno_::fault;
    static IoVectors iovs; // large; host functions do not run concurrently
    if (Errno e = decode_iovecs(m, a32(a, 1), a32(a, 2), iovs))
        return e;
    u64 total = 0;
    for (u32 i = 0; i < iovs.count; ++i) {
        usize offset = 0;
        while (offset < iovs.length[i]) {
            usize chunk = iovs.length[i] - offset < bounce_size ? iovs.length[i] - offset : bounce_size;
            usize done = 0;
            Errno e = errno_::fault;
            if (m.read(u64(iovs.base[i]) + offset, s_bounce, chunk))
                e = c.host().write(d->host_fd, s_bounce, chunk, done);
            if (done > chunk)
                done = chunk;
            if (e != errno_::success) {
                if (total > 0)
                    goto finished;
                return e;
            }
            if (done == 0)
                goto finished;
            offset += done;
            total += done;
        }
    }
finished:
    if (!m.write_u32(a32(a, 3), u32(total)))
        return errno_::fault;
    return errno_::success;
}

// Which way transfer_iovecs moves the bytes.
enum class Direction : u8 {
    FromGuest, // pwrite: each chunk is copied out of the guest's memory first
    ToGuest,   // read, pread: each chunk is copied into it after
};

// The iovec loop of fd_read, fd_pread and fd_pwrite: `transfer(fd, buffer,
// length, position, done)` moves one chunk of a buffer through s_bounce;
// a short transfer ends the call (end of file, or what a pipe had), an
// error after some bytes is a short count, and the count goes to the
// guest's `result` pointer. A buffer longer than the bounce buffer takes
// several transfers; reading anything but a regular file takes one
// transfer, into the first non-empty buffer (asking for more might block,
// where one read would have returned what was there; and a transfer that
// blocked gave the hart to other guests, whose calls reuse `iovs`).
template<typename Transfer>
Errno transfer_iovecs(WasiContext& c, const GuestMemory& m, Args a, u64 required, u32 result, u64 position,
    Direction direction, Transfer transfer)
{
    WasiContext::Descriptor* d;
    if (Errno e = lookup(c, a32(a, 0), required, d))
        return e;
    if (!m.contains(result, 4))
        return errno_::fault;
    static IoVectors iovs;
    if (Errno e = decode_iovecs(m, a32(a, 1), a32(a, 2), iovs))
        return e;
    u64 total = 0;
    bool one_transfer = direction == Direction::ToGuest && d->filetype != filetype::regular_file;
    for (u32 i = 0; i < iovs.count; ++i) {
        if (one_transfer && iovs.length[i] == 0)
            continue;
        u32 offset = 0;
        for (;;) {
            usize chunk = iovs.length[i] - offset < bounce_size ? iovs.length[i] - offset : bounce_size;
            u64 guest = u64(iovs.base[i]) + offset;
            usize done = 0;
            Errno e = errno_::fault;
            if (direction == Direction::ToGuest || m.read(guest, s_bounce, chunk))
                e = transfer(c.host(), d->host_fd, s_bounce, chunk, position + total, done);
            if (done > chunk)
                done = chunk;
            if (e == errno_::success && direction == Direction::ToGuest && !m.write(guest, s_bounce, done))
                e = errno_::fault;
            if (e != errno_::success) {
                if (total > 0)
                    goto finished;
                return e;
            }
            total += done;
            offset += u32(done);
            if (done < chunk || one_transfer)
                goto finished;
            if (offset == iovs.length[i])
                break;
        }
    }
finished:
    if (!m.write_u32(result, u32(total)))
        return errno_::fault;
    return errno_::success;
}

Errno fd_pwrite(WasiContext& c, const GuestMemory& m, Args a)
{
    // (fd, iovs, iovs_len, offset: i64, nwritten)
    // A positioned write needs fd_seek too: without it a guest cannot
    // overwrite what lies before the position (an append-only stdout).
    return transfer_iovecs(c, m, a, rights::fd_write | rights::fd_seek, a32(a, 4), a64(a, 3), Direction::FromGuest, [](Host& h, int fd, u8* base, usize length, u64 at, usize& done) {
        return h.pwrite(fd, base, length, at, done);
    });
}

Errno fd_read(WasiContext& c, const GuestMemory& m, Args a)
{
    // (fd, iovs, iovs_len, nread)
    return transfer_iovecs(c, m, a, rights::fd_read, a32(a, 3), 0, Direction::ToGuest, [](Host& h, int fd, u8* base, usize length, u64, usize& done) {
        return h.read(fd, base, length, done);
    });
}

Errno fd_pread(WasiContext& c, const GuestMemory& m, Args a)
{
    // (fd, iovs, iovs_len, offset: i64, nread)
    return transfer_iovecs(c, m, a, rights::fd_read | rights::fd_seek, a32(a, 4), a64(a, 3), Direction::ToGuest, [](Host& h, int fd, u8* base, usize length, u64 at, usize& done) {
        return h.pread(fd, base, length, at, done);
    });
}

Errno fd_seek(WasiContext& c, const GuestMemory& m, Args a)
{
    // (fd, offset: i64, whence: u8, newoffset: ptr). Asking where one is
    // (0 from the current position) needs only fd_tell.
    WasiContext::Descriptor* d;
    if (Errno e = lookup(c, a32(a, 0), 0, d))
        return e;
    bool tell_only = a64(a, 1) == 0 && u8(a32(a, 2)) == whence::cur;
    if (!(d->rights_base & rights::fd_seek) && !(tell_only && (d->rights_base & rights::fd_tell)))
        return errno_::notcapable;
    if (!m.contains(a32(a, 3), 8))
        return errno_::fault;
    if (d->filetype == filetype::directory)
        return errno_::badf;
    u64 position = 0;
    if (Errno e = c.host().seek(d->host_fd, i64(a64(a, 1)), u8(a32(a, 2)), position))
        return e;
    if (!m.write_u64(a32(a, 3), position))
        return errno_::fault;
    return errno_::success;
}

Errno fd_tell(WasiContext& c, const GuestMemory& m, Args a)
{
    WasiContext::Descriptor* d;
    if (Errno e = lookup(c, a32(a, 0), 0, d))
        return e;
    if (!(d->rights_base & (rights::fd_tell | rights::fd_seek)))
        return errno_::notcapable;
    if (!m.contains(a32(a, 1), 8))
        return errno_::fault;
    u64 position = 0;
    if (Errno e = c.host().seek(d->host_fd, 0, whence::cur, position))
        return e;
    if (!m.write_u64(a32(a, 1), position))
        return errno_::fault;
    return errno_::success;
}

Errno fd_close(WasiContext& c, const GuestMemory&, Args a)
{
    WasiContext::Descriptor* d;
    if (Errno e = lookup(c, a32(a, 0), 0, d))
        return e;
    Errno e = d->owns_host_fd ? c.host().close(d->host_fd) : errno_::success;
    c.remove_descriptor(a32(a, 0));
    return e;
}

Errno fd_sync(WasiContext& c, const GuestMemory&, Args a)
{
    WasiContext::Descriptor* d;
    if (Errno e = lookup(c, a32(a, 0), rights::fd_sync, d))
        return e;
    return c.host().sync(d->host_fd, false);
}

Errno fd_datasync(WasiContext& c, const GuestMemory&, Args a)
{
    WasiContext::Descriptor* d;
    if (Errno e = lookup(c, a32(a, 0), rights::fd_datasync, d))
        return e;
    return c.host().sync(d->host_fd, true);
}

// A fixed-layout record built in host memory and copied to the guest in
// one piece: one checked copy instead of one per field.
template<usize N>
struct Record {
    u8 bytes[N] {};
    void put(usize offset, u64 value, usize size) noexcept
    {
        for (usize i = 0; i < size; ++i)
            bytes[offset + i] = u8(value >> (8 * i));
    }
};

Errno fd_fdstat_get(WasiContext& c, const GuestMemory& m, Args a)
{
    WasiContext::Descriptor* d;
    if (Errno e = lookup(c, a32(a, 0), 0, d))
        return e;
    u32 out = a32(a, 1);
    if (!m.contains(out, layout::fdstat_size))
        return errno_::fault;
    u16 flags = 0;
    if (Errno e = c.host().get_fd_flags(d->host_fd, flags))
        return e;
    Record<layout::fdstat_size> r;
    r.put(0, d->filetype, 1);
    r.put(2, flags, 2);
    r.put(8, d->rights_base, 8);
    r.put(16, d->rights_inheriting, 8);
    return m.write(out, r.bytes, sizeof r.bytes) ? errno_::success : errno_::fault;
}

Errno fd_fdstat_set_flags(WasiContext& c, const GuestMemory&, Args a)
{
    WasiContext::Descriptor* d;
    if (Errno e = lookup(c, a32(a, 0), rights::fd_fdstat_set_flags, d))
        return e;
    return c.host().set_fd_flags(d->host_fd, u16(a32(a, 1)));
}

Errno fd_fdstat_set_rights(WasiContext& c, const GuestMemory&, Args a)
{
    // Rights may only shrink.
    WasiContext::Descriptor* d;
    if (Errno e = lookup(c, a32(a, 0), 0, d))
        return e;
    u64 base = a64(a, 1), inheriting = a64(a, 2);
    if ((base & ~d->rights_base) || (inheriting & ~d->rights_inheriting))
        return errno_::notcapable;
    d->rights_base = base;
    d->rights_inheriting = inheriting;
    return errno_::success;
}

bool write_filestat(const GuestMemory& m, u32 out, const FileStat& st)
{
    Record<layout::filestat_size> r;
    r.put(0, st.device, 8);
    r.put(8, st.inode, 8);
    r.put(16, st.filetype, 1);
    r.put(24, st.link_count, 8);
    r.put(32, st.size, 8);
    r.put(40, st.access_time, 8);
    r.put(48, st.modify_time, 8);
    r.put(56, st.change_time, 8);
    return m.write(out, r.bytes, sizeof r.bytes);
}

Errno fd_filestat_get(WasiContext& c, const GuestMemory& m, Args a)
{
    WasiContext::Descriptor* d;
    if (Errno e = lookup(c, a32(a, 0), rights::fd_filestat_get, d))
        return e;
    if (!m.contains(a32(a, 1), layout::filestat_size))
        return errno_::fault;
    FileStat st;
    if (Errno e = c.host().fstat(d->host_fd, st))
        return e;
    if (d->is_stdio)
        st.filetype = d->filetype; // a directory passed as stdio is a stream
    if (!write_filestat(m, a32(a, 1), st))
        return errno_::fault;
    return errno_::success;
}

Errno fd_filestat_set_size(WasiContext& c, const GuestMemory&, Args a)
{
    WasiContext::Descriptor* d;
    if (Errno e = lookup(c, a32(a, 0), rights::fd_filestat_set_size, d))
        return e;
    return c.host().set_size(d->host_fd, a64(a, 1));
}

Errno fd_prestat_get(WasiContext& c, const GuestMemory& m, Args a)
{
    auto* d = c.descriptor(a32(a, 0));
    if (!d || !d->is_preopen)
        return errno_::badf;
    u32 out = a32(a, 1);
    if (!m.contains(out, layout::prestat_size))
        return errno_::fault;
    u8 zero[layout::prestat_size] {};
    if (!m.write(out, zero, sizeof(zero)))
        return errno_::fault;
    if (!m.write_u8(out, 0)) // preopentype::dir
        return errno_::fault;
    if (!m.write_u32(out + 4, u32(d->guest_path.size())))
        return errno_::fault;
    return errno_::success;
}

Errno fd_prestat_dir_name(WasiContext& c, const GuestMemory& m, Args a)
{
    auto* d = c.descriptor(a32(a, 0));
    if (!d || !d->is_preopen)
        return errno_::badf;
    u32 length = a32(a, 2);
    if (!m.contains(a32(a, 1), length))
        return errno_::fault;
    if (length < d->guest_path.size())
        return errno_::nametoolong;
    if (!m.write(a32(a, 1), d->guest_path.data(), d->guest_path.size()))
        return errno_::fault;
    return errno_::success;
}

// A path in guest memory, copied into s_paths[slot].
Errno copy_path(const GuestMemory& m, u32 path, u32 length, usize slot, const char*& bytes)
{
    if (length >= path_max)
        return errno_::nametoolong;
    if (!m.read(path, s_paths[slot], length))
        return errno_::fault;
    bytes = s_paths[slot];
    return errno_::success;
}

// A directory descriptor and a path in guest memory (copied into
// s_paths[slot]).
Errno path_argument(WasiContext& c, const GuestMemory& m, u32 fd, u64 required, u32 path, u32 length, WasiContext::Descriptor*& d,
    const char*& bytes, usize slot = 0)
{
    if (Errno e = lookup(c, fd, required, d))
        return e;
    if (!m.contains(path, length))
        return errno_::fault;
    if (d->filetype != filetype::directory)
        return errno_::notdir;
    return copy_path(m, path, length, slot, bytes);
}

Errno path_open(WasiContext& c, const GuestMemory& m, Args a)
{
    // (fd, dirflags, path, path_len, oflags: u16, rights_base: i64,
    //  rights_inheriting: i64, fdflags: u16, opened_fd: ptr)
    u16 open_flags = u16(a32(a, 4));
    u16 fd_flags = u16(a32(a, 7));
    // The directory's own rights: to open at all, to create, to truncate,
    // to ask for synchronized writes.
    u64 required = rights::path_open;
    if (open_flags & oflags::creat)
        required |= rights::path_create_file;
    if (open_flags & oflags::trunc)
        required |= rights::path_filestat_set_size;
    if (fd_flags & (fdflags::rsync | fdflags::sync))
        required |= rights::fd_sync;
    WasiContext::Descriptor* d;
    const char* path;
    if (Errno e = path_argument(c, m, a32(a, 0), required, a32(a, 2), a32(a, 3), d, path))
        return e;
    if ((fd_flags & fdflags::dsync) && !(d->rights_base & (rights::fd_datasync | rights::fd_sync)))
        return errno_::notcapable;
    u32 out = a32(a, 8);
    if (!m.contains(out, 4))
        return errno_::fault;
    // Bits preview1 does not define are dropped (some libcs ask for ~0);
    // the rest may be no more than the directory passes on.
    u64 rights_base = a64(a, 5) & rights::all;
    u64 rights_inheriting = a64(a, 6) & rights::all;
    if ((rights_base | rights_inheriting) & ~d->rights_inheriting)
        return errno_::notcapable;
    constexpr u64 write_rights = rights::fd_write | rights::fd_allocate | rights::fd_filestat_set_size;
    bool want_write = (rights_base & write_rights) || (fd_flags & fdflags::append) || (open_flags & oflags::trunc);
    bool want_read = (rights_base & (rights::fd_read | rights::fd_readdir)) || !want_write;
    int host_fd = -1;
    if (Errno e = c.host().open_at(d->host_fd, path, a32(a, 3), a32(a, 1), open_flags, fd_flags, want_read, want_write, host_fd))
        return e;
    FileStat st;
    if (Errno e = c.host().fstat(host_fd, st)) {
        (void)c.host().close(host_fd);
        return e;
    }
    auto index = c.add_descriptor(host_fd, st.filetype, rights_base, rights_inheriting);
    if (index.is_error()) {
        (void)c.host().close(host_fd);
        return errno_::nomem;
    }
    if (!m.write_u32(out, index.value()))
        return errno_::fault;
    return errno_::success;
}

Errno path_filestat_get(WasiContext& c, const GuestMemory& m, Args a)
{
    // (fd, flags, path, path_len, buf)
    WasiContext::Descriptor* d;
    const char* path;
    if (Errno e = path_argument(c, m, a32(a, 0), rights::path_filestat_get, a32(a, 2), a32(a, 3), d, path))
        return e;
    if (!m.contains(a32(a, 4), layout::filestat_size))
        return errno_::fault;
    FileStat st;
    if (Errno e = c.host().stat_at(d->host_fd, path, a32(a, 3), a32(a, 1), st))
        return e;
    if (!write_filestat(m, a32(a, 4), st))
        return errno_::fault;
    return errno_::success;
}

Errno path_create_directory(WasiContext& c, const GuestMemory& m, Args a)
{
    WasiContext::Descriptor* d;
    const char* path;
    if (Errno e = path_argument(c, m, a32(a, 0), rights::path_create_directory, a32(a, 1), a32(a, 2), d, path))
        return e;
    return c.host().create_directory_at(d->host_fd, path, a32(a, 2));
}

Errno path_remove_directory(WasiContext& c, const GuestMemory& m, Args a)
{
    WasiContext::Descriptor* d;
    const char* path;
    if (Errno e = path_argument(c, m, a32(a, 0), rights::path_remove_directory, a32(a, 1), a32(a, 2), d, path))
        return e;
    return c.host().remove_directory_at(d->host_fd, path, a32(a, 2));
}

Errno path_unlink_file(WasiContext& c, const GuestMemory& m, Args a)
{
    WasiContext::Descriptor* d;
    const char* path;
    if (Errno e = path_argument(c, m, a32(a, 0), rights::path_unlink_file, a32(a, 1), a32(a, 2), d, path))
        return e;
    return c.host().unlink_file_at(d->host_fd, path, a32(a, 2));
}

Errno path_readlink(WasiContext& c, const GuestMemory& m, Args a)
{
    // (fd, path, path_len, buf, buf_len, bufused)
    WasiContext::Descriptor* d;
    const char* path;
    if (Errno e = path_argument(c, m, a32(a, 0), rights::path_readlink, a32(a, 1), a32(a, 2), d, path))
        return e;
    if (!m.contains(a32(a, 3), a32(a, 4)) || !m.contains(a32(a, 5), 4))
        return errno_::fault;
    usize length = a32(a, 4) < bounce_size ? a32(a, 4) : bounce_size; // a link is never this long
    usize used = 0;
    if (Errno e = c.host().readlink_at(d->host_fd, path, a32(a, 2), s_bounce, length, used))
        return e;
    if (used > length || !m.write(a32(a, 3), s_bounce, used))
        return errno_::fault;
    if (!m.write_u32(a32(a, 5), u32(used)))
        return errno_::fault;
    return errno_::success;
}

Errno path_rename(WasiContext& c, const GuestMemory& m, Args a)
{
    // (fd, old_path, old_path_len, new_fd, new_path, new_path_len)
    WasiContext::Descriptor *from, *to;
    const char *old_path, *new_path;
    if (Errno e = path_argument(c, m, a32(a, 0), rights::path_rename_source, a32(a, 1), a32(a, 2), from, old_path))
        return e;
    if (Errno e = path_argument(c, m, a32(a, 3), rights::path_rename_target, a32(a, 4), a32(a, 5), to, new_path, 1))
        return e;
    return c.host().rename_at(from->host_fd, old_path, a32(a, 2), to->host_fd, new_path, a32(a, 5));
}

Errno path_link(WasiContext& c, const GuestMemory& m, Args a)
{
    // (old_fd, old_flags, old_path, old_path_len, new_fd, new_path, new_path_len)
    WasiContext::Descriptor *from, *to;
    const char *old_path, *new_path;
    if (Errno e = path_argument(c, m, a32(a, 0), rights::path_link_source, a32(a, 2), a32(a, 3), from, old_path))
        return e;
    if (Errno e = path_argument(c, m, a32(a, 4), rights::path_link_target, a32(a, 5), a32(a, 6), to, new_path, 1))
        return e;
    return c.host().link_at(from->host_fd, a32(a, 1), old_path, a32(a, 3), to->host_fd, new_path, a32(a, 6));
}

Errno path_symlink(WasiContext& c, const GuestMemory& m, Args a)
{
    // (old_path, old_path_len, fd, new_path, new_path_len)
    if (!m.contains(a32(a, 0), a32(a, 1)))
        return errno_::fault;
    WasiContext::Descriptor* d;
    const char* path;
    if (Errno e = path_argument(c, m, a32(a, 2), rights::path_symlink, a32(a, 3), a32(a, 4), d, path))
        return e;
    const char* target;
    if (Errno e = copy_path(m, a32(a, 0), a32(a, 1), 1, target))
        return e;
    return c.host().symlink_at(target, a32(a, 1), d->host_fd, path, a32(a, 4));
}

Errno path_filestat_set_times(WasiContext& c, const GuestMemory& m, Args a)
{
    // (fd, flags, path, path_len, atim: i64, mtim: i64, fst_flags)
    WasiContext::Descriptor* d;
    const char* path;
    if (Errno e = path_argument(c, m, a32(a, 0), rights::path_filestat_set_times, a32(a, 2), a32(a, 3), d, path))
        return e;
    return c.host().set_times_at(d->host_fd, path, a32(a, 3), a32(a, 1), a64(a, 4), a64(a, 5), u16(a32(a, 6)));
}

Errno fd_filestat_set_times(WasiContext& c, const GuestMemory&, Args a)
{
    // (fd, atim: i64, mtim: i64, fst_flags)
    WasiContext::Descriptor* d;
    if (Errno e = lookup(c, a32(a, 0), rights::fd_filestat_set_times, d))
        return e;
    return c.host().set_times(d->host_fd, a64(a, 1), a64(a, 2), u16(a32(a, 3)));
}

Errno fd_advise(WasiContext& c, const GuestMemory&, Args a)
{
    // (fd, offset: i64, len: i64, advice: u8): advice only, accepted.
    WasiContext::Descriptor* d;
    if (Errno e = lookup(c, a32(a, 0), rights::fd_advise, d))
        return e;
    return a32(a, 3) <= 5 ? errno_::success : errno_::inval;
}

Errno fd_allocate(WasiContext& c, const GuestMemory&, Args a)
{
    WasiContext::Descriptor* d;
    if (Errno e = lookup(c, a32(a, 0), rights::fd_allocate, d))
        return e;
    return c.host().allocate(d->host_fd, a64(a, 1), a64(a, 2));
}

Errno fd_renumber(WasiContext& c, const GuestMemory&, Args a)
{
    return c.renumber(a32(a, 0), a32(a, 1)) ? errno_::success : errno_::badf;
}

struct ReaddirState {
    const GuestMemory* memory;
    u32 buffer;
    u32 length;
    u32 used;
};

bool emit_dirent(void* data, const DirectoryEntry& entry)
{
    auto& s = *static_cast<ReaddirState*>(data);
    // dirent: d_next u64 @0, d_ino u64 @8, d_namlen u32 @16, d_type u8 @20;
    // 24 bytes, then the name. The last entry is cut off at the buffer's
    // end, which tells the guest to call again with a bigger buffer.
    u8 header[24] {};
    for (int i = 0; i < 8; ++i) {
        header[i] = u8(entry.next_cookie >> (8 * i));
        header[8 + i] = u8(entry.inode >> (8 * i));
    }
    for (int i = 0; i < 4; ++i)
        header[16 + i] = u8(u32(entry.name_length) >> (8 * i));
    header[20] = entry.filetype;
    auto put = [&](const void* bytes, usize count) {
        usize room = s.length - s.used;
        usize n = count < room ? count : room;
        (void)s.memory->write(u64(s.buffer) + s.used, bytes, n);
        s.used += u32(n);
        return n == count;
    };
    return put(header, sizeof(header)) && put(entry.name, entry.name_length);
}

Errno fd_readdir(WasiContext& c, const GuestMemory& m, Args a)
{
    // (fd, buf, buf_len, cookie: i64, bufused)
    WasiContext::Descriptor* d;
    if (Errno e = lookup(c, a32(a, 0), rights::fd_readdir, d))
        return e;
    if (!m.contains(a32(a, 1), a32(a, 2)) || !m.contains(a32(a, 4), 4))
        return errno_::fault;
    if (d->filetype != filetype::directory)
        return errno_::notdir;
    ReaddirState state { &m, a32(a, 1), a32(a, 2), 0 };
    if (Errno e = c.host().read_directory(d->host_fd, a64(a, 3), emit_dirent, &state))
        return e;
    if (!m.write_u32(a32(a, 4), state.used))
        return errno_::fault;
    return errno_::success;
}

Errno poll_oneoff(WasiContext& c, const GuestMemory& m, Args a)
{
    // (in: ptr, out: ptr, nsubscriptions, nevents: ptr). Clock
    // subscriptions sleep until the earliest; fd subscriptions are reported
    // ready at once (reads and writes on host files do not block for long).
    u32 in = a32(a, 0), out = a32(a, 1), count = a32(a, 2), nevents = a32(a, 3);
    if (count == 0)
        return errno_::inval;
    if (!m.contains(in, u64(count) * layout::subscription_size) || !m.contains(out, u64(count) * layout::event_size)
        || !m.contains(nevents, 4))
        return errno_::fault;
    bool any_fd = false;
    u64 earliest = ~u64(0);
    for (u32 i = 0; i < count; ++i) {
        u64 base = in + u64(i) * layout::subscription_size;
        u8 tag = 0;
        if (!m.read_u8(base + 8, tag))
            return errno_::fault;
        if (tag == eventtype::fd_read || tag == eventtype::fd_write) {
            any_fd = true;
            continue;
        }
        if (tag != eventtype::clock)
            return errno_::inval;
        u32 id = 0;
        u64 timeout = 0;
        u16 flags = 0;
        if (!m.read_u32(base + 16, id))
            return errno_::fault;
        if (!m.read_u64(base + 24, timeout))
            return errno_::fault;
        if (!m.read_u16(base + 40, flags))
            return errno_::fault;
        u64 now = 0;
        if (c.host().clock_time(id, now) != errno_::success)
            continue; // reported as an event with an error below
        u64 wait = timeout;
        if (flags & subclock_abstime)
            wait = timeout > now ? timeout - now : 0;
        if (wait < earliest)
            earliest = wait;
    }
    if (!any_fd && earliest != ~u64(0) && earliest > 0)
        c.host().sleep_nanoseconds(earliest);
    u32 events = 0;
    for (u32 i = 0; i < count; ++i) {
        u64 base = in + u64(i) * layout::subscription_size;
        u64 userdata = 0;
        u8 tag = 0;
        if (!m.read_u64(base, userdata))
            return errno_::fault;
        if (!m.read_u8(base + 8, tag))
            return errno_::fault;
        Errno error = errno_::success;
        if (tag == eventtype::fd_read || tag == eventtype::fd_write) {
            // Waiting on a descriptor needs the right to move data its way.
            u32 fd = 0;
            if (!m.read_u32(base + 16, fd))
                return errno_::fault;
            WasiContext::Descriptor* d;
            error = lookup(c, fd, tag == eventtype::fd_read ? rights::fd_read : rights::fd_write, d);
        } else if (tag == eventtype::clock) {
            u32 id = 0;
            u64 timeout = 0;
            u16 flags = 0;
            if (!m.read_u32(base + 16, id))
                return errno_::fault;
            if (!m.read_u64(base + 24, timeout))
                return errno_::fault;
            if (!m.read_u16(base + 40, flags))
                return errno_::fault;
            u64 now = 0;
            error = c.host().clock_time(id, now);
            if (error == errno_::success) {
                u64 wait = (flags & subclock_abstime) ? (timeout > now ? timeout - now : 0) : timeout;
                if (any_fd || wait > earliest)
                    continue; // not due yet
            }
        }
        u64 event = out + u64(events) * layout::event_size;
        u8 zero[layout::event_size] {};
        if (!m.write(event, zero, sizeof(zero)))
            return errno_::fault;
        if (!m.write_u64(event, userdata))
            return errno_::fault;
        if (!m.write_u16(event + 8, error))
            return errno_::fault;
        if (!m.write_u8(event + 10, tag))
            return errno_::fault;
        ++events;
    }
    if (!m.write_u32(nevents, events))
        return errno_::fault;
    return errno_::success;
}

Error exit_with(WasiContext& context, u32 status)
{
    context.m_exited = true;
    context.m_exit_status = status;
    return Error::formatted(ErrorCode::Exit, "proc_exit({})"_sv, status);
}

Result<void> proc_exit(void* data, Span<const Value> args, Span<Value>)
{
    return exit_with(*static_cast<WasiContext*>(data), args[0].i32);
}

wasm::HostReturn proc_exit_typed(u64 status, u64, u64, u64, u64, u64, const wasm::HostCall& call) noexcept
{
    return call.fail(exit_with(*static_cast<WasiContext*>(call.data), u32(status)));
}

Result<void> nosys_stub(void*, Span<const Value>, Span<Value> results)
{
    // Every preview1 function returns an errno, except proc_exit.
    if (results.size() > 0)
        results[0] = Value::from_i32(errno_::nosys);
    return {};
}

template<Errno (*F)(WasiContext&, const GuestMemory&, Args)>
Result<void> wrap(void* data, Span<const Value> args, Span<Value> results)
{
    auto& context = *static_cast<WasiContext*>(data);
    GuestMemory memory = context.memory();
    RawArgs raw {};
    for (usize i = 0; i < args.size() && i < 9; ++i)
        raw.raw[i] = args[i].type == ValueType::I64 ? args[i].i64 : args[i].i32;
    Errno e = F(context, memory, raw);
    results[0] = Value::from_i32(e);
    return {};
}

// The typed form (at most six parameters): registers straight in.
template<Errno (*F)(WasiContext&, const GuestMemory&, Args)>
wasm::HostReturn wrap_typed(u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, const wasm::HostCall& call) noexcept
{
    auto& context = *static_cast<WasiContext*>(call.data);
    RawArgs raw { { a0, a1, a2, a3, a4, a5 } };
    return { F(context, context.memory(), raw), 0 };
}

const FunctionEntry s_functions[] = {
    { "args_get", "ii", "i", wrap<args_get>, wrap_typed<args_get> },
    { "args_sizes_get", "ii", "i", wrap<args_sizes_get>, wrap_typed<args_sizes_get> },
    { "environ_get", "ii", "i", wrap<environ_get>, wrap_typed<environ_get> },
    { "environ_sizes_get", "ii", "i", wrap<environ_sizes_get>, wrap_typed<environ_sizes_get> },
    { "clock_res_get", "ii", "i", wrap<clock_res_get>, wrap_typed<clock_res_get> },
    { "clock_time_get", "iIi", "i", wrap<clock_time_get>, wrap_typed<clock_time_get> },
    { "random_get", "ii", "i", wrap<random_get>, wrap_typed<random_get> },
    { "sched_yield", "", "i", wrap<sched_yield>, wrap_typed<sched_yield> },
    { "poll_oneoff", "iiii", "i", wrap<poll_oneoff>, wrap_typed<poll_oneoff> },
    { "proc_exit", "i", "", proc_exit, proc_exit_typed },
    { "fd_write", "iiii", "i", wrap<fd_write>, wrap_typed<fd_write> },
    { "fd_pwrite", "iiiIi", "i", wrap<fd_pwrite>, wrap_typed<fd_pwrite> },
    { "fd_read", "iiii", "i", wrap<fd_read>, wrap_typed<fd_read> },
    { "fd_pread", "iiiIi", "i", wrap<fd_pread>, wrap_typed<fd_pread> },
    { "fd_seek", "iIii", "i", wrap<fd_seek>, wrap_typed<fd_seek> },
    { "fd_tell", "ii", "i", wrap<fd_tell>, wrap_typed<fd_tell> },
    { "fd_close", "i", "i", wrap<fd_close>, wrap_typed<fd_close> },
    { "fd_sync", "i", "i", wrap<fd_sync>, wrap_typed<fd_sync> },
    { "fd_datasync", "i", "i", wrap<fd_datasync>, wrap_typed<fd_datasync> },
    { "fd_fdstat_get", "ii", "i", wrap<fd_fdstat_get>, wrap_typed<fd_fdstat_get> },
    { "fd_fdstat_set_flags", "ii", "i", wrap<fd_fdstat_set_flags>, wrap_typed<fd_fdstat_set_flags> },
    { "fd_fdstat_set_rights", "iII", "i", wrap<fd_fdstat_set_rights>, wrap_typed<fd_fdstat_set_rights> },
    { "fd_filestat_get", "ii", "i", wrap<fd_filestat_get>, wrap_typed<fd_filestat_get> },
    { "fd_filestat_set_size", "iI", "i", wrap<fd_filestat_set_size>, wrap_typed<fd_filestat_set_size> },
    { "fd_prestat_get", "ii", "i", wrap<fd_prestat_get>, wrap_typed<fd_prestat_get> },
    { "fd_prestat_dir_name", "iii", "i", wrap<fd_prestat_dir_name>, wrap_typed<fd_prestat_dir_name> },
    { "fd_readdir", "iiiIi", "i", wrap<fd_readdir>, wrap_typed<fd_readdir> },
    { "path_open", "iiiiiIIii", "i", wrap<path_open>, nullptr },
    { "path_filestat_get", "iiiii", "i", wrap<path_filestat_get>, wrap_typed<path_filestat_get> },
    { "path_create_directory", "iii", "i", wrap<path_create_directory>, wrap_typed<path_create_directory> },
    { "path_remove_directory", "iii", "i", wrap<path_remove_directory>, wrap_typed<path_remove_directory> },
    { "path_unlink_file", "iii", "i", wrap<path_unlink_file>, wrap_typed<path_unlink_file> },
    { "path_readlink", "iiiiii", "i", wrap<path_readlink>, wrap_typed<path_readlink> },
    { "path_rename", "iiiiii", "i", wrap<path_rename>, wrap_typed<path_rename> },
    { "path_link", "iiiiiii", "i", wrap<path_link>, nullptr },
    { "path_symlink", "iiiii", "i", wrap<path_symlink>, wrap_typed<path_symlink> },
    { "path_filestat_set_times", "iiiiIIi", "i", wrap<path_filestat_set_times>, nullptr },
    { "fd_filestat_set_times", "iIIi", "i", wrap<fd_filestat_set_times>, wrap_typed<fd_filestat_set_times> },
    { "fd_advise", "iIIi", "i", wrap<fd_advise>, wrap_typed<fd_advise> },
    { "fd_allocate", "iII", "i", wrap<fd_allocate>, wrap_typed<fd_allocate> },
    { "fd_renumber", "ii", "i", wrap<fd_renumber>, wrap_typed<fd_renumber> },
};

} // namespace

Span<const FunctionEntry> functions() noexcept
{
    return { s_functions, sizeof(s_functions) / sizeof(s_functions[0]) };
}

const FunctionEntry* find_function(StringView name) noexcept
{
    for (const FunctionEntry& entry : functions()) {
        if (entry.name == name)
            return &entry;
    }
    return nullptr;
}

Result<u32> intern_signature(wasm::Store& store, const char* params, const char* results) noexcept
{
    ValueType param_types[16], result_types[4];
    usize param_count = 0, result_count = 0;
    for (const char* p = params; *p; ++p)
        param_types[param_count++] = *p == 'I' ? ValueType::I64 : ValueType::I32;
    for (const char* p = results; *p; ++p)
        result_types[result_count++] = *p == 'I' ? ValueType::I64 : ValueType::I32;
    wasm::FunctionType type { Span<const ValueType>(param_types, param_count), Span<const ValueType>(result_types, result_count) };
    return store.intern_type(type);
}

Result<wasm::Instance*> define(wasm::Store& store, wasm::Linker& linker, const wasm::Module& module, WasiContext& context) noexcept
{
    wasm::Instance* instance = TRY(store.create_instance());
    for (const FunctionEntry& entry : functions()) {
        u32 type = TRY(intern_signature(store, entry.params, entry.results));
        wasm::FunctionInstance* function = TRY(store.create_host_function(store.type(type), entry.callback, entry.typed, &context));
        TRY(instance->add_export(entry.name, { wasm::ExternKind::Function, function }));
    }
    // Every other preview1 function the module names: ENOSYS, with the
    // import's own type so it links.
    for (const wasm::Import& import : module.imports()) {
        if (import.kind != wasm::ExternKind::Function || import.module != module_name)
            continue;
        if (instance->find_export(import.name))
            continue;
        StringView name = TRY(store.intern_string(import.name));
        wasm::FunctionInstance* stub = TRY(store.create_host_function(module.function_type(import.index), nosys_stub, nullptr));
        TRY(instance->add_export(name, { wasm::ExternKind::Function, stub }));
    }
    TRY(linker.register_instance(module_name, instance));
    return instance;
}

} // namespace k23::wasi
