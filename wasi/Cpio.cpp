#include <wasi/Cpio.h>

namespace k23::wasi::cpio {

namespace {

constexpr usize header_size = 110; // "070701" + 13 * 8 hex digits
constexpr usize field_count = 13;
enum Field { ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check };

constexpr u64 align4(u64 n) { return (n + 3) & ~u64(3); }

bool parse_hex8(const u8* p, u32& out) noexcept
{
    u32 value = 0;
    for (int i = 0; i < 8; ++i) {
        u8 c = p[i];
        u32 digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else
            return false;
        value = (value << 4) | digit;
    }
    out = value;
    return true;
}

// Strips "./" and leading "/" components is NOT done for "/": an absolute
// name is refused, as is any "..", so an archive cannot place a file above
// the directory it is unpacked into. "." components and a leading "./"
// (what `find .` writes) are dropped; "." alone is the root.
Result<StringView> normalize(const char* name, usize length, u64 offset) noexcept
{
    if (length > 0 && name[0] == '/')
        return Error::formatted(ErrorCode::Malformed, "cpio: entry at offset {}: absolute path"_sv, offset);
    usize start = 0;
    while (start < length) {
        if (length - start >= 2 && name[start] == '.' && name[start + 1] == '/')
            start += 2;
        else if (length - start == 1 && name[start] == '.')
            start += 1;
        else
            break;
    }
    // Check each component.
    usize i = start;
    while (i < length) {
        usize end = i;
        while (end < length && name[end] != '/')
            ++end;
        usize n = end - i;
        if (n == 0)
            return Error::formatted(ErrorCode::Malformed, "cpio: entry at offset {}: empty path component"_sv, offset);
        if ((n == 2 && name[i] == '.' && name[i + 1] == '.'))
            return Error::formatted(ErrorCode::Malformed, "cpio: entry at offset {}: path with a '..' component"_sv, offset);
        if (n == 1 && name[i] == '.')
            return Error::formatted(ErrorCode::Malformed, "cpio: entry at offset {}: path with a '.' component"_sv, offset);
        i = end + 1;
        if (end + 1 == length)
            return Error::formatted(ErrorCode::Malformed, "cpio: entry at offset {}: path ends in '/'"_sv, offset);
    }
    return StringView(name + start, length - start);
}

Result<void> append_hex8(Vector<u8>& out, u64 value) noexcept
{
    for (int shift = 28; shift >= 0; shift -= 4)
        TRY(out.try_append(u8("0123456789ABCDEF"[(value >> shift) & 15])));
    return {};
}

Result<void> pad4(Vector<u8>& out) noexcept
{
    while (out.size() % 4)
        TRY(out.try_append(u8(0)));
    return {};
}

} // namespace

Result<void> append_entry(Vector<u8>& out, StringView path, u32 entry_mode, u32 inode, Span<const u8> data) noexcept
{
    // Offsets are relative to the archive start: keep `out` 4-aligned.
    if (out.size() % 4)
        return Error::from_code(ErrorCode::InvalidArgument, "cpio: appending at an unaligned offset");
    if (data.size() > 0xffffffffu || path.length() + 1 > 0xffffffffu)
        return Error::from_code(ErrorCode::LimitExceeded, "cpio: an entry over 4 GiB");
    u64 fields[field_count] = { inode, entry_mode, 0, 0, 1, 0, data.size(), 0, 0, 0, 0, path.length() + 1, 0 };
    for (char c : StringView("070701"))
        TRY(out.try_append(u8(c)));
    for (u64 f : fields)
        TRY(append_hex8(out, f));
    for (char c : path)
        TRY(out.try_append(u8(c)));
    TRY(out.try_append(u8(0)));
    TRY(pad4(out));
    TRY(out.try_extend(data));
    return pad4(out);
}

Result<void> append_trailer(Vector<u8>& out, u32 inode) noexcept
{
    return append_entry(out, "TRAILER!!!"_sv, 0, inode, {});
}

Result<void> for_each(Span<const u8> archive, Visitor visit, void* data) noexcept
{
    const u8* bytes = archive.data();
    u64 size = archive.size();
    u64 offset = 0;
    for (;;) {
        if (offset == size)
            return Error::formatted(ErrorCode::Malformed, "cpio: no TRAILER!!! entry (archive ends at offset {})"_sv, offset);
        if (size - offset < header_size)
            return Error::formatted(ErrorCode::Malformed, "cpio: truncated header at offset {}"_sv, offset);
        const u8* header = bytes + offset;
        if (__builtin_memcmp(header, "070701", 6) != 0)
            return Error::formatted(ErrorCode::Malformed, "cpio: bad magic at offset {} (want 070701, newc)"_sv, offset);
        u32 fields[field_count];
        for (usize f = 0; f < field_count; ++f) {
            if (!parse_hex8(header + 6 + 8 * f, fields[f]))
                return Error::formatted(ErrorCode::Malformed, "cpio: entry at offset {}: field {} is not 8 hex digits"_sv, offset, f);
        }
        u64 name_size = fields[namesize];
        if (name_size == 0)
            return Error::formatted(ErrorCode::Malformed, "cpio: entry at offset {}: empty name"_sv, offset);
        if (name_size > size - offset - header_size)
            return Error::formatted(ErrorCode::Malformed, "cpio: entry at offset {}: name runs past the end"_sv, offset);
        const char* name = reinterpret_cast<const char*>(header + header_size);
        if (name[name_size - 1] != '\0')
            return Error::formatted(ErrorCode::Malformed, "cpio: entry at offset {}: name without its NUL"_sv, offset);
        if (__builtin_memchr(name, 0, name_size - 1))
            return Error::formatted(ErrorCode::Malformed, "cpio: entry at offset {}: NUL inside the name"_sv, offset);
        u64 data_offset = align4(offset + header_size + name_size);
        if (data_offset > size)
            return Error::formatted(ErrorCode::Malformed, "cpio: entry at offset {}: name padding runs past the end"_sv, offset);
        u64 file_size = fields[filesize];
        if (file_size > size - data_offset)
            return Error::formatted(ErrorCode::Malformed, "cpio: entry at offset {}: data runs past the end"_sv, offset);
        StringView raw(name, name_size - 1);
        if (raw == "TRAILER!!!"_sv)
            return {};
        Entry entry;
        entry.path = TRY(normalize(name, name_size - 1, offset));
        entry.mode = fields[mode];
        entry.mtime = fields[mtime];
        entry.data = Span<const u8>(bytes + data_offset, file_size);
        TRY(visit(data, entry));
        u64 next = align4(data_offset + file_size);
        // The last entry's data padding may be cut off only before the trailer,
        // which must follow; an offset past the end is reported as a missing trailer.
        offset = next > size ? size : next;
    }
}

} // namespace k23::wasi::cpio
