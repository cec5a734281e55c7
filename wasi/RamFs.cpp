#include <base/Memory.h>
#include <base/Platform.h>
#include <wasi/Cpio.h>
#include <wasi/RamFs.h>

namespace k23::wasi {

namespace {

constexpr int first_handle = 3; // 0-2 are the console
constexpr u32 max_name_length = 255;

bool is_dot(StringView name) { return name.length() == 1 && name[0] == '.'; }
bool is_dot_dot(StringView name) { return name.length() == 2 && name[0] == '.' && name[1] == '.'; }

StringView entry_name(const RamFs::DirEntry& entry)
{
    return StringView(entry.name.data(), entry.name.size());
}

} // namespace

RamFs::RamFs(u64 budget) noexcept
    : m_budget(budget)
{
    if (auto root = new_node(filetype::directory, nullptr); !root.is_error()) {
        m_root = root.value();
        m_root->parent = m_root;
    }
}

RamFs::~RamFs() noexcept
{
    for (Node* node : m_nodes) {
        destroy_at(node);
        platform_deallocate(node, sizeof(Node), alignof(Node));
    }
}

Result<RamFs::Node*> RamFs::new_node(u8 type, Node* parent) noexcept
{
    TRY(m_nodes.try_ensure_capacity(m_nodes.size() + 1));
    void* memory = platform_allocate(sizeof(Node), alignof(Node));
    if (!memory)
        return Error::from_code(ErrorCode::OutOfMemory, "ramfs: out of memory for a node");
    Node* node = construct_at(static_cast<Node*>(memory));
    node->filetype = type;
    node->inode = m_next_inode++;
    node->parent = parent;
    MUST(m_nodes.try_append(node));
    return node;
}

Result<RamFs::Node*> RamFs::new_entry(Node* directory, StringView name, u8 type) noexcept
{
    Node* node = TRY(new_node(type, directory));
    DirEntry entry;
    for (char c : name)
        TRY(entry.name.try_append(c));
    entry.node = node;
    TRY(directory->entries.try_append(k23::move(entry)));
    return node;
}

u64 RamFs::now() noexcept
{
    return platform_monotonic_ns();
}

RamFs::DirEntry* RamFs::find_entry(Node* directory, StringView name) noexcept
{
    for (DirEntry& entry : directory->entries) {
        if (entry_name(entry) == name)
            return &entry;
    }
    return nullptr;
}

// ---------------------------------------------------------------- unpack

Result<RamFs::Node*> RamFs::make_path(StringView path, u8 type) noexcept
{
    Node* directory = m_root;
    if (!directory)
        return Error::from_code(ErrorCode::OutOfMemory, "ramfs: no root");
    usize i = 0;
    while (i < path.length()) {
        usize end = i;
        while (end < path.length() && path[end] != '/')
            ++end;
        StringView name(path.data() + i, end - i);
        bool last = end == path.length();
        if (name.length() > max_name_length)
            return Error::from_code(ErrorCode::LimitExceeded, "ramfs: a path component is longer than 255 bytes");
        DirEntry* entry = find_entry(directory, name);
        u8 want = last ? type : filetype::directory;
        if (entry) {
            if (entry->node->filetype != want || (last && want != filetype::directory))
                return Error::formatted(ErrorCode::AlreadyExists, "ramfs: {} exists already as another kind of node"_sv, path);
            directory = entry->node;
        } else {
            directory = TRY(new_entry(directory, name, want));
        }
        i = end + 1;
    }
    return directory;
}

Result<void> RamFs::unpack(Span<const u8> archive) noexcept
{
    return cpio::for_each(archive, [](void* data, const cpio::Entry& entry) -> Result<void> {
        auto& fs = *static_cast<RamFs*>(data);
        u32 type = entry.mode & cpio::type_mask;
        if (entry.path.is_empty()) {
            if (type != cpio::type_directory)
                return Error::from_code(ErrorCode::Malformed, "cpio: the root entry '.' is not a directory");
            return {};
        }
        u64 time = entry.mtime * 1000000000ull;
        if (type == cpio::type_directory) {
            if (!entry.data.is_empty())
                return Error::formatted(ErrorCode::Malformed, "cpio: directory {} has data"_sv, entry.path);
            Node* node = TRY(fs.make_path(entry.path, filetype::directory));
            node->modify_time = node->access_time = node->change_time = time;
            return {};
        }
        if (type == cpio::type_symlink)
            return Error::formatted(ErrorCode::Unsupported, "cpio: {} is a symbolic link (not supported)"_sv, entry.path);
        if (type != cpio::type_regular)
            return Error::formatted(ErrorCode::Unsupported, "cpio: {} is not a file or directory (mode {})"_sv, entry.path, entry.mode);
        if (entry.data.size() > fs.m_budget - fs.m_used)
            return Error::formatted(ErrorCode::Exhausted, "ramfs: no room for {} ({} bytes)"_sv, entry.path, entry.data.size());
        Node* node = TRY(fs.make_path(entry.path, filetype::regular_file));
        TRY(node->data.try_extend(entry.data));
        fs.m_used += entry.data.size();
        node->modify_time = node->access_time = node->change_time = time;
        return {};
    }, this);
}

Result<void> RamFs::walk(WalkVisitor visit, void* data) const noexcept
{
    // Depth-first with an explicit stack of (directory, next entry index).
    struct Frame {
        const Node* directory;
        usize index;
        usize path_length;
    };
    Vector<Frame> stack;
    Vector<char> path;
    if (!m_root)
        return {};
    TRY(stack.try_append(Frame { m_root, 0, 0 }));
    while (!stack.is_empty()) {
        Frame& top = stack[stack.size() - 1];
        if (top.index >= top.directory->entries.size()) {
            stack.take_last();
            continue;
        }
        const DirEntry& entry = top.directory->entries[top.index++];
        usize base = top.path_length;
        TRY(path.try_resize(base));
        if (base > 0)
            TRY(path.try_append('/'));
        TRY(path.try_extend(Span<const char>(entry.name.data(), entry.name.size())));
        const Node* node = entry.node;
        if (!visit(data, StringView(path.data(), path.size()), node->filetype,
                Span<const u8>(node->data.data(), node->data.size()), node->changed))
            return Error::from_code(ErrorCode::IO, "ramfs: walk stopped");
        if (node->filetype == filetype::directory)
            TRY(stack.try_append(Frame { node, 0, path.size() }));
    }
    return {};
}

// ---------------------------------------------------------------- handles

RamFs::OpenFile* RamFs::open_file(int handle) noexcept
{
    if (handle < first_handle || usize(handle - first_handle) >= m_open.size())
        return nullptr;
    OpenFile* file = &m_open[usize(handle - first_handle)];
    return file->node ? file : nullptr;
}

Result<int> RamFs::add_handle(Node* node, bool readable, bool writable, u16 fd_flags) noexcept
{
    OpenFile file { node, 0, fd_flags, readable, writable };
    for (usize i = 0; i < m_open.size(); ++i) {
        if (!m_open[i].node) {
            m_open[i] = file;
            return int(i) + first_handle;
        }
    }
    if (m_open.size() >= 4096)
        return Error::from_code(ErrorCode::Exhausted, "ramfs: too many open files");
    TRY(m_open.try_append(file));
    return int(m_open.size() - 1) + first_handle;
}

Errno RamFs::ensure_open(int handle) noexcept
{
    return handle >= 0 && handle < first_handle ? errno_::success : errno_::badf;
}

Errno RamFs::open_directory(const char* path, int& handle) noexcept
{
    // An embedder's path in the file system: "/", "/a/b" or "a/b".
    usize length = __builtin_strlen(path);
    while (length > 0 && path[0] == '/') {
        ++path;
        --length;
    }
    if (!m_root)
        return errno_::nomem;
    Node* node = m_root;
    if (length > 0) {
        auto root = add_handle(m_root, false, false, 0);
        if (root.is_error())
            return errno_::nfile;
        Errno e = resolve(root.value(), path, length, node);
        (void)close(root.value());
        if (e)
            return e;
    }
    if (node->filetype != filetype::directory)
        return errno_::notdir;
    auto result = add_handle(node, false, false, 0);
    if (result.is_error())
        return errno_::nfile;
    handle = result.value();
    return errno_::success;
}

Errno RamFs::close(int handle) noexcept
{
    if (handle >= 0 && handle < first_handle)
        return errno_::success;
    OpenFile* file = open_file(handle);
    if (!file)
        return errno_::badf;
    Node* node = file->node;
    *file = OpenFile {};
    release_if_unused(node);
    return errno_::success;
}

void RamFs::release_if_unused(Node* node) noexcept
{
    if (!node || node->linked || node == m_root)
        return;
    for (const OpenFile& file : m_open) {
        if (file.node == node)
            return;
    }
    for (usize i = 0; i < m_nodes.size(); ++i) {
        if (m_nodes[i] == node) {
            m_nodes[i] = m_nodes[m_nodes.size() - 1];
            m_nodes.take_last();
            break;
        }
    }
    m_used -= node->data.size();
    destroy_at(node);
    platform_deallocate(node, sizeof(Node), alignof(Node));
}

// ---------------------------------------------------------------- data

Errno RamFs::resize_data(Node* node, u64 size) noexcept
{
    u64 old = node->data.size();
    if (size > old && size - old > m_budget - m_used)
        return errno_::nospc;
    if (node->data.try_resize(usize(size), u8(0)).is_error())
        return errno_::nomem;
    m_used = m_used - old + size;
    return errno_::success;
}

Errno RamFs::write_at(Node* node, const u8* data, usize length, u64 offset) noexcept
{
    if (offset > ~u64(0) - length)
        return errno_::fbig;
    u64 end = offset + length;
    if (end > node->data.size()) {
        if (Errno e = resize_data(node, end))
            return e;
    }
    copy_bytes(node->data.data() + offset, data, length);
    node->changed = true;
    node->modify_time = node->change_time = now();
    return errno_::success;
}

Errno RamFs::read(int handle, u8* buffer, usize length, usize& done) noexcept
{
    done = 0;
    if (handle == 0)
        return m_input ? m_input(m_input_data, buffer, length, done) : errno_::success;
    if (handle > 0 && handle < first_handle)
        return errno_::badf;
    OpenFile* file = open_file(handle);
    if (!file || !file->readable)
        return errno_::badf;
    if (file->node->filetype == filetype::directory)
        return errno_::isdir;
    if (Errno e = pread(handle, buffer, length, file->position, done))
        return e;
    file->position += done;
    return errno_::success;
}

Errno RamFs::pread(int handle, u8* buffer, usize length, u64 offset, usize& done) noexcept
{
    done = 0;
    if (handle >= 0 && handle < first_handle)
        return errno_::spipe;
    OpenFile* file = open_file(handle);
    if (!file || !file->readable)
        return errno_::badf;
    Node* node = file->node;
    if (node->filetype == filetype::directory)
        return errno_::isdir;
    u64 size = node->data.size();
    if (offset >= size)
        return errno_::success;
    u64 count = size - offset < length ? size - offset : length;
    copy_bytes(buffer, node->data.data() + offset, usize(count));
    done = usize(count);
    return errno_::success;
}

Errno RamFs::write(int handle, const u8* data, usize length, usize& done) noexcept
{
    done = 0;
    if (handle == 1 || handle == 2) {
        if (m_console)
            m_console(m_console_data, handle, data, length);
        done = length;
        return errno_::success;
    }
    if (handle == 0)
        return errno_::badf;
    OpenFile* file = open_file(handle);
    if (!file || !file->writable)
        return errno_::badf;
    if (file->node->filetype == filetype::directory)
        return errno_::isdir;
    u64 at = (file->fd_flags & fdflags::append) ? file->node->data.size() : file->position;
    if (Errno e = write_at(file->node, data, length, at))
        return e;
    file->position = at + length;
    done = length;
    return errno_::success;
}

Errno RamFs::pwrite(int handle, const u8* data, usize length, u64 offset, usize& done) noexcept
{
    done = 0;
    if (handle >= 0 && handle < first_handle)
        return errno_::spipe;
    OpenFile* file = open_file(handle);
    if (!file || !file->writable)
        return errno_::badf;
    if (file->node->filetype == filetype::directory)
        return errno_::isdir;
    if (Errno e = write_at(file->node, data, length, offset))
        return e;
    done = length;
    return errno_::success;
}

Errno RamFs::seek(int handle, i64 offset, u8 wasi_whence, u64& new_offset) noexcept
{
    if (handle >= 0 && handle < first_handle)
        return errno_::spipe;
    OpenFile* file = open_file(handle);
    if (!file)
        return errno_::badf;
    i64 base;
    switch (wasi_whence) {
    case whence::set: base = 0; break;
    case whence::cur: base = i64(file->position); break;
    case whence::end: base = i64(file->node->data.size()); break;
    default: return errno_::inval;
    }
    i64 target;
    if (__builtin_add_overflow(base, offset, &target) || target < 0)
        return errno_::inval;
    file->position = u64(target);
    new_offset = file->position;
    return errno_::success;
}

Errno RamFs::sync(int handle, bool) noexcept
{
    if (handle >= 0 && handle < first_handle)
        return errno_::success;
    return open_file(handle) ? errno_::success : errno_::badf;
}

Errno RamFs::fstat(int handle, FileStat& out) noexcept
{
    out = FileStat {};
    if (handle >= 0 && handle < first_handle) {
        out.filetype = filetype::character_device;
        out.link_count = 1;
        return errno_::success;
    }
    OpenFile* file = open_file(handle);
    if (!file)
        return errno_::badf;
    Node* node = file->node;
    out.device = 1;
    out.inode = node->inode;
    out.filetype = node->filetype;
    out.link_count = node->linked ? 1 : 0;
    out.size = node->filetype == filetype::regular_file ? node->data.size() : 0;
    out.access_time = node->access_time;
    out.modify_time = node->modify_time;
    out.change_time = node->change_time;
    return errno_::success;
}

Errno RamFs::set_size(int handle, u64 size) noexcept
{
    OpenFile* file = open_file(handle);
    if (!file || !file->writable)
        return errno_::badf;
    if (file->node->filetype != filetype::regular_file)
        return errno_::isdir;
    if (Errno e = resize_data(file->node, size))
        return e;
    file->node->changed = true;
    file->node->modify_time = file->node->change_time = now();
    return errno_::success;
}

Errno RamFs::allocate(int handle, u64 offset, u64 length) noexcept
{
    OpenFile* file = open_file(handle);
    if (!file || !file->writable)
        return errno_::badf;
    if (file->node->filetype != filetype::regular_file)
        return errno_::isdir;
    if (offset > ~u64(0) - length)
        return errno_::fbig;
    if (offset + length <= file->node->data.size())
        return errno_::success;
    if (Errno e = resize_data(file->node, offset + length))
        return e;
    file->node->changed = true;
    return errno_::success;
}

Errno RamFs::get_fd_flags(int handle, u16& wasi_flags) noexcept
{
    if (handle >= 0 && handle < first_handle) {
        wasi_flags = handle == 0 ? 0 : fdflags::append;
        return errno_::success;
    }
    OpenFile* file = open_file(handle);
    if (!file)
        return errno_::badf;
    wasi_flags = file->fd_flags;
    return errno_::success;
}

Errno RamFs::set_fd_flags(int handle, u16 wasi_flags) noexcept
{
    OpenFile* file = open_file(handle);
    if (!file)
        return errno_::badf;
    // Only append and nonblock mean anything here; the sync flags are
    // trivially met by memory.
    file->fd_flags = wasi_flags;
    return errno_::success;
}

Errno RamFs::set_times(int handle, u64 access, u64 modify, u16 fst_flags) noexcept
{
    OpenFile* file = open_file(handle);
    if (!file)
        return errno_::badf;
    // fstflags: atim 1, atim_now 2, mtim 4, mtim_now 8; "now" and a value
    // for the same time together are invalid (witx fd_filestat_set_times).
    if (((fst_flags & 1) && (fst_flags & 2)) || ((fst_flags & 4) && (fst_flags & 8)) || (fst_flags & ~u16(15)))
        return errno_::inval;
    u64 t = now();
    if (fst_flags & 1) file->node->access_time = access;
    if (fst_flags & 2) file->node->access_time = t;
    if (fst_flags & 4) file->node->modify_time = modify;
    if (fst_flags & 8) file->node->modify_time = t;
    return errno_::success;
}

Errno RamFs::read_directory(int handle, u64 cookie, DirectoryCallback emit, void* data) noexcept
{
    OpenFile* file = open_file(handle);
    if (!file)
        return errno_::badf;
    Node* directory = file->node;
    if (directory->filetype != filetype::directory)
        return errno_::notdir;
    // Cookies: 0 ".", 1 "..", 2 + i the i-th entry.
    u64 index = cookie;
    while (true) {
        DirectoryEntry out {};
        out.next_cookie = index + 1;
        if (index == 0) {
            out = { 1, directory->inode, filetype::directory, ".", 1 };
        } else if (index == 1) {
            // A removed directory's parent may be gone: it names itself.
            u64 parent_inode = directory->linked ? directory->parent->inode : directory->inode;
            out = { 2, parent_inode, filetype::directory, "..", 2 };
        } else {
            u64 i = index - 2;
            if (i >= directory->entries.size())
                return errno_::success;
            const DirEntry& entry = directory->entries[usize(i)];
            out = { index + 1, entry.node->inode, entry.node->filetype, entry.name.data(), entry.name.size() };
        }
        if (!emit(data, out))
            return errno_::success;
        ++index;
    }
}

// ---------------------------------------------------------------- paths

Errno RamFs::resolve_parent(int root, const char* path, usize length, Node*& parent, StringView& last) noexcept
{
    OpenFile* file = open_file(root);
    if (!file)
        return errno_::badf;
    Node* top = file->node;
    if (top->filetype != filetype::directory)
        return errno_::notdir;
    // A removed directory (still open) holds nothing, and its `..` may be
    // gone: every path beneath it is ENOENT.
    if (!top->linked)
        return errno_::noent;
    if (length == 0)
        return errno_::noent;
    if (path[0] == '/')
        return errno_::notcapable;
    if (__builtin_memchr(path, 0, length))
        return errno_::ilseq;
    // Components between slashes; trailing slashes name a directory.
    while (length > 1 && path[length - 1] == '/')
        --length;
    usize last_start = length;
    while (last_start > 0 && path[last_start - 1] != '/')
        --last_start;
    // Walk the directories before the last component, tracking depth
    // beneath the preopen so `..` can never leave it.
    Node* directory = top;
    usize depth = 0;
    usize i = 0;
    while (i < last_start) {
        usize end = i;
        while (end < last_start && path[end] != '/')
            ++end;
        StringView name(path + i, end - i);
        i = end + 1;
        if (name.is_empty() || is_dot(name))
            continue;
        if (is_dot_dot(name)) {
            if (depth == 0)
                return errno_::notcapable;
            directory = directory->parent;
            --depth;
            continue;
        }
        if (name.length() > max_name_length)
            return errno_::nametoolong;
        DirEntry* entry = find_entry(directory, name);
        if (!entry)
            return errno_::noent;
        if (entry->node->filetype != filetype::directory)
            return errno_::notdir;
        directory = entry->node;
        ++depth;
    }
    last = StringView(path + last_start, length - last_start);
    if (last.length() > max_name_length)
        return errno_::nametoolong;
    if (is_dot_dot(last) && depth == 0)
        return errno_::notcapable;
    parent = directory;
    return errno_::success;
}

Errno RamFs::resolve(int root, const char* path, usize length, Node*& node) noexcept
{
    Node* parent;
    StringView last;
    if (Errno e = resolve_parent(root, path, length, parent, last))
        return e;
    if (last.is_empty() || is_dot(last)) {
        node = parent;
        return errno_::success;
    }
    if (is_dot_dot(last)) {
        node = parent->parent;
        return errno_::success;
    }
    DirEntry* entry = find_entry(parent, last);
    if (!entry)
        return errno_::noent;
    bool trailing_slash = length > 0 && path[length - 1] == '/';
    if (trailing_slash && entry->node->filetype != filetype::directory)
        return errno_::notdir;
    node = entry->node;
    return errno_::success;
}

Errno RamFs::open_at(int root, const char* path, usize path_length, u32, u16 wasi_oflags, u16 wasi_fdflags,
    bool want_read, bool want_write, int& handle) noexcept
{
    Node* parent;
    StringView last;
    if (Errno e = resolve_parent(root, path, path_length, parent, last))
        return e;
    Node* node = nullptr;
    if (last.is_empty() || is_dot(last))
        node = parent;
    else if (is_dot_dot(last))
        node = parent->parent;
    else if (DirEntry* entry = find_entry(parent, last))
        node = entry->node;
    if (node) {
        if ((wasi_oflags & oflags::creat) && (wasi_oflags & oflags::excl))
            return errno_::exist;
    } else {
        if (!(wasi_oflags & oflags::creat))
            return errno_::noent;
        if (wasi_oflags & oflags::directory)
            return errno_::inval;
        bool trailing_slash = path[path_length - 1] == '/';
        if (trailing_slash)
            return errno_::isdir;
        auto fresh = new_entry(parent, last, filetype::regular_file);
        if (fresh.is_error())
            return errno_::nomem;
        node = fresh.value();
        node->modify_time = node->access_time = node->change_time = now();
        node->changed = true;
    }
    if ((wasi_oflags & oflags::directory) && node->filetype != filetype::directory)
        return errno_::notdir;
    if (node->filetype == filetype::directory) {
        if (want_write || (wasi_oflags & oflags::trunc))
            return errno_::isdir;
    } else if (wasi_oflags & oflags::trunc) {
        if (Errno e = resize_data(node, 0))
            return e;
        node->changed = true;
    }
    auto result = add_handle(node, want_read, want_write, wasi_fdflags);
    if (result.is_error())
        return errno_::nfile;
    handle = result.value();
    return errno_::success;
}

Errno RamFs::stat_at(int root, const char* path, usize path_length, u32, FileStat& out) noexcept
{
    Node* node;
    if (Errno e = resolve(root, path, path_length, node))
        return e;
    auto result = add_handle(node, false, false, 0);
    if (result.is_error())
        return errno_::nfile;
    Errno e = fstat(result.value(), out);
    (void)close(result.value());
    return e;
}

Errno RamFs::create_directory_at(int root, const char* path, usize path_length) noexcept
{
    Node* parent;
    StringView last;
    if (Errno e = resolve_parent(root, path, path_length, parent, last))
        return e;
    if (last.is_empty() || is_dot(last) || is_dot_dot(last) || find_entry(parent, last))
        return errno_::exist;
    auto fresh = new_entry(parent, last, filetype::directory);
    if (fresh.is_error())
        return errno_::nomem;
    fresh.value()->modify_time = fresh.value()->access_time = fresh.value()->change_time = now();
    fresh.value()->changed = true;
    return errno_::success;
}

Errno RamFs::detach(Node* parent, StringView name) noexcept
{
    for (usize i = 0; i < parent->entries.size(); ++i) {
        if (entry_name(parent->entries[i]) == name) {
            parent->entries[i].node->linked = false;
            parent->entries.remove(i);
            return errno_::success;
        }
    }
    return errno_::noent;
}

Errno RamFs::remove_directory_at(int root, const char* path, usize path_length) noexcept
{
    Node* parent;
    StringView last;
    if (Errno e = resolve_parent(root, path, path_length, parent, last))
        return e;
    if (last.is_empty() || is_dot(last))
        return errno_::inval;
    if (is_dot_dot(last))
        return errno_::notempty;
    DirEntry* entry = find_entry(parent, last);
    if (!entry)
        return errno_::noent;
    if (entry->node->filetype != filetype::directory)
        return errno_::notdir;
    if (!entry->node->entries.is_empty())
        return errno_::notempty;
    Node* node = entry->node;
    Errno e = detach(parent, last);
    release_if_unused(node);
    return e;
}

Errno RamFs::unlink_file_at(int root, const char* path, usize path_length) noexcept
{
    Node* parent;
    StringView last;
    if (Errno e = resolve_parent(root, path, path_length, parent, last))
        return e;
    if (last.is_empty() || is_dot(last) || is_dot_dot(last))
        return errno_::isdir;
    DirEntry* entry = find_entry(parent, last);
    if (!entry)
        return errno_::noent;
    if (entry->node->filetype == filetype::directory)
        return errno_::isdir;
    if (path[path_length - 1] == '/')
        return errno_::notdir;
    Node* node = entry->node;
    Errno e = detach(parent, last);
    // As in POSIX, handles still open keep the file (and its bytes in the
    // budget) until the last is closed.
    release_if_unused(node);
    return e;
}

Errno RamFs::rename_at(int old_root, const char* old_path, usize old_length, int new_root, const char* new_path, usize new_length) noexcept
{
    Node* from_parent;
    StringView from_name;
    if (Errno e = resolve_parent(old_root, old_path, old_length, from_parent, from_name))
        return e;
    Node* to_parent;
    StringView to_name;
    if (Errno e = resolve_parent(new_root, new_path, new_length, to_parent, to_name))
        return e;
    if (from_name.is_empty() || is_dot(from_name) || is_dot_dot(from_name) || to_name.is_empty() || is_dot(to_name) || is_dot_dot(to_name))
        return errno_::inval;
    DirEntry* source = find_entry(from_parent, from_name);
    if (!source)
        return errno_::noent;
    Node* node = source->node;
    // A directory may not move beneath itself.
    if (node->filetype == filetype::directory) {
        for (Node* n = to_parent;; n = n->parent) {
            if (n == node)
                return errno_::inval;
            if (n == m_root)
                break;
        }
    }
    if (DirEntry* target = find_entry(to_parent, to_name)) {
        if (target->node == node)
            return errno_::success;
        if (node->filetype == filetype::directory) {
            if (target->node->filetype != filetype::directory)
                return errno_::notdir;
            if (!target->node->entries.is_empty())
                return errno_::notempty;
        } else if (target->node->filetype == filetype::directory) {
            return errno_::isdir;
        }
        Node* replaced = target->node;
        (void)detach(to_parent, to_name);
        release_if_unused(replaced);
    }
    DirEntry moved;
    for (char c : to_name) {
        if (moved.name.try_append(c).is_error())
            return errno_::nomem;
    }
    moved.node = node;
    if (to_parent->entries.try_append(k23::move(moved)).is_error())
        return errno_::nomem;
    // detach() marks the node unlinked; it is linked again under the new name.
    (void)detach(from_parent, from_name);
    node->linked = true;
    node->parent = node->filetype == filetype::directory ? to_parent : node->parent;
    node->changed = true;
    return errno_::success;
}

Errno RamFs::link_at(int, u32, const char*, usize, int, const char*, usize) noexcept
{
    return errno_::notsup;
}

Errno RamFs::symlink_at(const char*, usize, int, const char*, usize) noexcept
{
    return errno_::notsup;
}

Errno RamFs::readlink_at(int root, const char* path, usize path_length, u8*, usize, usize& used) noexcept
{
    used = 0;
    Node* node;
    if (Errno e = resolve(root, path, path_length, node))
        return e;
    return errno_::inval; // nothing here is a symbolic link
}

Errno RamFs::set_times_at(int root, const char* path, usize path_length, u32, u64 access, u64 modify, u16 fst_flags) noexcept
{
    Node* node;
    if (Errno e = resolve(root, path, path_length, node))
        return e;
    auto result = add_handle(node, false, false, 0);
    if (result.is_error())
        return errno_::nfile;
    Errno e = set_times(result.value(), access, modify, fst_flags);
    (void)close(result.value());
    return e;
}

// ---------------------------------------------------------------- clocks

Errno RamFs::clock_time(u32 wasi_clock, u64& nanoseconds) noexcept
{
    // No wall clock yet: realtime counts from boot like the monotonic one.
    if (wasi_clock > clockid::thread_cputime)
        return errno_::inval;
    nanoseconds = platform_monotonic_ns();
    return errno_::success;
}

Errno RamFs::clock_resolution(u32 wasi_clock, u64& nanoseconds) noexcept
{
    if (wasi_clock > clockid::thread_cputime)
        return errno_::inval;
    nanoseconds = 1;
    return errno_::success;
}

Errno RamFs::random_bytes(u8* buffer, usize length) noexcept
{
    return platform_random_bytes(buffer, length) ? errno_::success : errno_::io;
}

void RamFs::sleep_nanoseconds(u64 nanoseconds) noexcept
{
    if (m_waiting.sleep_nanoseconds) {
        m_waiting.sleep_nanoseconds(nanoseconds);
        return;
    }
    u64 until = platform_monotonic_ns() + nanoseconds;
    while (platform_monotonic_ns() < until) { }
}

void RamFs::yield() noexcept
{
    if (m_waiting.yield)
        m_waiting.yield();
}

} // namespace k23::wasi
