#pragma once

// WASI preview1 for commands: the host functions of module
// "wasi_snapshot_preview1". A WasiContext holds what a guest sees — its
// arguments, environment, file descriptors (0-2 are the Host's stdio, then
// one per preopened directory) — and the guest memory the functions read
// and write. Every guest pointer and length is bounds-checked (EFAULT), and
// the functions only copy to and from the guest's memory (GuestMemory.h):
// bulk data moves through bounded buffers, never a pointer into the guest's
// memory handed to the Host. Errnos follow the preview1 witx.
//
// proc_exit records the status and returns an Error with ErrorCode::Exit,
// which unwinds the guest: the runner tells an exit from a trap by that
// code and reads exit_status().
//
// A module may import any preview1 function; the ones not implemented
// here link to a stub of the import's own type that answers ENOSYS, so
// every command instantiates.

#include <base/Result.h>
#include <base/Span.h>
#include <base/StringView.h>
#include <base/Vector.h>
#include <wasi/GuestMemory.h>
#include <wasi/Host.h>
#include <wasi/WasiTypes.h>
#include <wasm/Linker.h>
#include <wasm/Module.h>
#include <wasm/Runtime.h>

namespace k23::wasi {

constexpr StringView module_name = "wasi_snapshot_preview1";

class WasiContext {
public:
    // `host` holds the files, clocks and entropy (hosted: Linux, kernel:
    // the RamFs); it outlives the context.
    explicit WasiContext(Host& host) noexcept;
    ~WasiContext() noexcept;
    WasiContext(const WasiContext&) = delete;
    WasiContext& operator=(const WasiContext&) = delete;

    // args_get's strings, argv[0] first.
    Result<void> add_argument(StringView argument) noexcept;
    // One "KEY=VALUE" string.
    Result<void> add_environment(StringView entry) noexcept;
    // Opens `host_path` (a path the Host understands) and makes it the next preopen, named `guest_path`
    // for the guest (fd_prestat_dir_name).
    Result<void> add_preopen(StringView host_path, StringView guest_path) noexcept;

    // The memory the functions access: the instance's exported "memory",
    // or any buffer (tests). Looked up on every call, so growth is seen.
    void set_memory(wasm::MemoryInstance* memory) noexcept { m_memory = memory; }
    // The instance's "memory" export, looked up when first needed: `*slot`
    // is filled in during instantiation (a start function may already
    // call WASI).
    void set_instance_slot(wasm::Instance* const* slot) noexcept { m_instance_slot = slot; }
    void set_memory_view(Span<u8> bytes) noexcept { m_view = bytes; m_memory = nullptr; }
    // How the functions copy to and from that memory (wasi/GuestMemory.h):
    // a plain memcpy unless the embedder says otherwise (the kernel's sets
    // sstatus.SUM for each copy). `copier` outlives the context.
    void set_copier(const GuestMemoryCopier& copier) noexcept { m_copier = &copier; }
    [[nodiscard]] GuestMemory memory() const noexcept;

    [[nodiscard]] Host& host() const noexcept { return m_host; }

    [[nodiscard]] bool has_exited() const noexcept { return m_exited; }
    [[nodiscard]] u32 exit_status() const noexcept { return m_exit_status; }

    struct Descriptor {
        int host_fd { -1 };
        u8 filetype { filetype::unknown };
        u64 rights_base { 0 };
        u64 rights_inheriting { 0 };
        bool is_preopen { false };
        bool is_stdio { false }; // the host's fd 0-2, never the guest's to close or change
        bool owns_host_fd { true };
        Vector<char> guest_path; // preopens only
    };
    [[nodiscard]] Descriptor* descriptor(u32 fd) noexcept;
    Result<u32> add_descriptor(int host_fd, u8 filetype, u64 rights_base, u64 rights_inheriting) noexcept;
    void remove_descriptor(u32 fd) noexcept;
    // fd_renumber: `to` (closed first) becomes what `from` was; `from` is freed.
    [[nodiscard]] bool renumber(u32 from, u32 to) noexcept;

    // State for the functions in Wasi.cpp.
    Vector<char> m_arguments;   // NUL-terminated strings back to back
    u32 m_argument_count { 0 };
    Vector<char> m_environment; // likewise
    u32 m_environment_count { 0 };
    bool m_exited { false };
    u32 m_exit_status { 0 };

private:
    Host& m_host;
    Vector<Descriptor*> m_descriptors;
    mutable wasm::MemoryInstance* m_memory { nullptr };
    wasm::Instance* const* m_instance_slot { nullptr };
    Span<u8> m_view;
    const GuestMemoryCopier* m_copier { &plain_memory_copier };
};

// One host function: its name, its type ('i' = i32, 'I' = i64 for each
// parameter and result), the callback (data = the WasiContext*) and its
// typed form (wasm/Runtime.h; null for the three with more than six
// parameters).
struct FunctionEntry {
    StringView name;
    const char* params;
    const char* results;
    wasm::HostCallback callback;
    wasm::TypedHostCallback typed;
};
[[nodiscard]] Span<const FunctionEntry> functions() noexcept;
[[nodiscard]] const FunctionEntry* find_function(StringView name) noexcept;

// Creates the "wasi_snapshot_preview1" instance for `module` (every
// function implemented here, plus an ENOSYS stub for each other
// preview1 function `module` imports) and registers it with the linker.
Result<wasm::Instance*> define(wasm::Store& store, wasm::Linker& linker, const wasm::Module& module, WasiContext& context) noexcept;

// Builds a FunctionType from an entry's type strings.
Result<u32> intern_signature(wasm::Store& store, const char* params, const char* results) noexcept;

} // namespace k23::wasi
