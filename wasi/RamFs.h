#pragma once

// RamFs: an in-memory file system of directories and regular files, the
// kernel's file system for WASI (DESIGN.md, "Guests in the kernel":
// "Files"), unpacked from a cpio newc initial ramdisk (wasi/Cpio.h).
// Freestanding: the kernel links it, and host gtests drive it through the
// same WasiContext as hosted/wasi/Posix.cpp.
//
// It is a wasi::Host: handles 0-2 are the console (stdin reads from a
// source the embedder sets, else end of file; stdout and stderr go to a
// sink the embedder sets), handles from 3
// on are open files and directories. Paths resolve beneath the directory
// handle given, one component at a time: an absolute path, or a `..` that
// would climb above that directory (the preopen), answers ENOTCAPABLE
// (preview1 witx: "paths are relative to a directory capability"). File
// data counts against a byte budget: a write or truncate past it answers
// ENOSPC and changes nothing. A removed file or directory is freed when the
// last handle on it is closed (its bytes count until then, as in POSIX).
// Symbolic and hard links are not supported (ENOTSUP; an archive with a
// symlink is refused).
//
// `changed()` marks files written since the unpack, for write-back.

#include <base/Result.h>
#include <base/Span.h>
#include <base/StringView.h>
#include <base/Vector.h>
#include <wasi/Host.h>

namespace k23::wasi {

class RamFs final : public Host {
public:
    // `budget`: the most bytes of file data it holds at once.
    explicit RamFs(u64 budget) noexcept;
    ~RamFs() noexcept;
    RamFs(const RamFs&) = delete;
    RamFs& operator=(const RamFs&) = delete;

    // Adds the entries of a cpio newc archive beneath `/` (directories
    // and regular files; a parent missing from the archive is created).
    // A malformed archive, an unsupported entry type or a full budget is
    // an Error naming the problem; what was added before it stays.
    Result<void> unpack(Span<const u8> archive) noexcept;

    // Where stdout/stderr (handles 1 and 2) go.
    using ConsoleSink = void (*)(void* data, int handle, const u8* bytes, usize length);
    void set_console(ConsoleSink sink, void* data) noexcept { m_console = sink; m_console_data = data; }
    // Where stdin (handle 0) reads from: `done` 0 is end of file. Without
    // one, stdin is at end of file.
    using ConsoleSource = Errno (*)(void* data, u8* buffer, usize length, usize& done) noexcept;
    void set_console_input(ConsoleSource source, void* data) noexcept { m_input = source; m_input_data = data; }
    // What sched_yield and a poll_oneoff that waits on a clock do: by
    // default nothing and a busy wait; the kernel's scheduler gives the
    // hart to another guest instead (kernel/WasiRun.h).
    struct Waiting {
        void (*sleep_nanoseconds)(u64 nanoseconds) noexcept { nullptr };
        void (*yield)() noexcept { nullptr };
    };
    void set_waiting(Waiting waiting) noexcept { m_waiting = waiting; }

    [[nodiscard]] u64 bytes_used() const noexcept { return m_used; }
    [[nodiscard]] u64 budget() const noexcept { return m_budget; }
    // Nodes alive: linked ones, the root included, and removed ones still open.
    [[nodiscard]] usize node_count() const noexcept { return m_nodes.size(); }

    // Walks every node beneath `/` in depth-first order, parents first:
    // `visit(data, path, filetype, contents, changed)`. Paths have no
    // leading slash; the root itself is not visited.
    using WalkVisitor = bool (*)(void* data, StringView path, u8 filetype, Span<const u8> contents, bool changed);
    Result<void> walk(WalkVisitor visit, void* data) const noexcept;

    // ---- wasi::Host
    Errno read(int handle, u8* buffer, usize length, usize& done) noexcept override;
    Errno write(int handle, const u8* data, usize length, usize& done) noexcept override;
    Errno pread(int handle, u8* buffer, usize length, u64 offset, usize& done) noexcept override;
    Errno pwrite(int handle, const u8* data, usize length, u64 offset, usize& done) noexcept override;
    Errno seek(int handle, i64 offset, u8 wasi_whence, u64& new_offset) noexcept override;
    Errno close(int handle) noexcept override;
    Errno sync(int handle, bool data_only) noexcept override;
    Errno fstat(int handle, FileStat& out) noexcept override;
    Errno set_size(int handle, u64 size) noexcept override;
    Errno get_fd_flags(int handle, u16& wasi_flags) noexcept override;
    Errno set_fd_flags(int handle, u16 wasi_flags) noexcept override;
    Errno set_times(int handle, u64 access, u64 modify, u16 fst_flags) noexcept override;
    Errno allocate(int handle, u64 offset, u64 length) noexcept override;
    Errno read_directory(int handle, u64 cookie, DirectoryCallback emit, void* data) noexcept override;
    Errno ensure_open(int handle) noexcept override;
    Errno open_directory(const char* path, int& handle) noexcept override;
    Errno open_at(int root, const char* path, usize path_length, u32 lookupflags, u16 wasi_oflags,
        u16 wasi_fdflags, bool want_read, bool want_write, int& handle) noexcept override;
    Errno stat_at(int root, const char* path, usize path_length, u32 lookupflags, FileStat& out) noexcept override;
    Errno create_directory_at(int root, const char* path, usize path_length) noexcept override;
    Errno remove_directory_at(int root, const char* path, usize path_length) noexcept override;
    Errno unlink_file_at(int root, const char* path, usize path_length) noexcept override;
    Errno rename_at(int old_root, const char* old_path, usize old_length, int new_root, const char* new_path, usize new_length) noexcept override;
    Errno link_at(int old_root, u32 old_lookupflags, const char* old_path, usize old_length, int new_root, const char* new_path, usize new_length) noexcept override;
    Errno symlink_at(const char* target, usize target_length, int root, const char* path, usize path_length) noexcept override;
    Errno set_times_at(int root, const char* path, usize path_length, u32 lookupflags, u64 access, u64 modify, u16 fst_flags) noexcept override;
    Errno readlink_at(int root, const char* path, usize path_length, u8* buffer, usize buffer_length, usize& used) noexcept override;
    Errno clock_time(u32 wasi_clock, u64& nanoseconds) noexcept override;
    Errno clock_resolution(u32 wasi_clock, u64& nanoseconds) noexcept override;
    Errno random_bytes(u8* buffer, usize length) noexcept override;
    void sleep_nanoseconds(u64 nanoseconds) noexcept override;
    void yield() noexcept override;

    struct Node;
    struct DirEntry {
        Vector<char> name;
        Node* node { nullptr };
    };
    struct Node {
        u8 filetype { filetype::regular_file };
        u64 inode { 0 };
        Node* parent { nullptr }; // directories: the one holding it (the root: itself)
        Vector<u8> data;          // regular files
        Vector<DirEntry> entries; // directories
        u64 access_time { 0 };
        u64 modify_time { 0 };
        u64 change_time { 0 };
        bool changed { false };
        bool linked { true }; // false once unlinked (open handles keep it)
    };

private:
    struct OpenFile {
        Node* node { nullptr };
        u64 position { 0 };
        u16 fd_flags { 0 };
        bool readable { false };
        bool writable { false };
    };

    Result<Node*> new_node(u8 type, Node* parent) noexcept;
    // A new node named `name` in `directory` (the caller checked the name is free).
    Result<Node*> new_entry(Node* directory, StringView name, u8 type) noexcept;
    OpenFile* open_file(int handle) noexcept;
    Result<int> add_handle(Node* node, bool readable, bool writable, u16 fd_flags) noexcept;
    // Resolves all but the last component of `path` beneath `root`'s
    // directory: `parent` and the last component's name (which may be "."
    // or ".."; empty when the path is only "." components).
    Errno resolve_parent(int root, const char* path, usize length, Node*& parent, StringView& last) noexcept;
    // Resolves the whole path (to a node that exists).
    Errno resolve(int root, const char* path, usize length, Node*& node) noexcept;
    static DirEntry* find_entry(Node* directory, StringView name) noexcept;
    Errno resize_data(Node* node, u64 size) noexcept;
    Errno write_at(Node* node, const u8* data, usize length, u64 offset) noexcept;
    Result<Node*> make_path(StringView path, u8 type) noexcept;
    Errno detach(Node* parent, StringView name) noexcept;
    // Frees a node no directory holds once no handle has it open either.
    void release_if_unused(Node* node) noexcept;
    u64 now() noexcept;

    u64 m_budget;
    u64 m_used { 0 };
    u64 m_next_inode { 1 };
    Node* m_root { nullptr };
    Vector<Node*> m_nodes;   // every live node (linked, or unlinked but open)
    Vector<OpenFile> m_open; // handle - 3 -> open file (node nullptr = free)
    ConsoleSink m_console { nullptr };
    void* m_console_data { nullptr };
    ConsoleSource m_input { nullptr };
    void* m_input_data { nullptr };
    Waiting m_waiting;
};

} // namespace k23::wasi
