#include <arch/riscv64/asm/CpuFeatures.h>

namespace k23::riscv64 {

namespace {

struct NamedExtension {
    const char* name;
    Extension extension;
};

// Multi-letter extensions, in the order they are printed.
constexpr NamedExtension multi_letter_extensions[] = {
    { "zicsr", Extension::Zicsr },
    { "zifencei", Extension::Zifencei },
    { "zihintpause", Extension::Zihintpause },
    { "zicond", Extension::Zicond },
    { "zicbom", Extension::Zicbom },
    { "zicboz", Extension::Zicboz },
    { "zba", Extension::Zba },
    { "zbb", Extension::Zbb },
    { "zbc", Extension::Zbc },
    { "zbs", Extension::Zbs },
    { "zfh", Extension::Zfh },
    { "svinval", Extension::Svinval },
    { "svpbmt", Extension::Svpbmt },
    { "sstc", Extension::Sstc },
};

constexpr NamedExtension single_letter_extensions[] = {
    { "i", Extension::I },
    { "m", Extension::M },
    { "a", Extension::A },
    { "f", Extension::F },
    { "d", Extension::D },
    { "c", Extension::C },
    { "v", Extension::V },
    { "h", Extension::H },
};

constexpr char to_lower(char c) noexcept
{
    return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

} // namespace

StringView extension_name(Extension extension) noexcept
{
    for (const auto& entry : single_letter_extensions) {
        if (entry.extension == extension)
            return StringView(entry.name);
    }
    for (const auto& entry : multi_letter_extensions) {
        if (entry.extension == extension)
            return StringView(entry.name);
    }
    return StringView("?");
}

Result<CpuFeatures> CpuFeatures::parse_isa_string(StringView isa) noexcept
{
    const char* p = isa.characters_without_null_termination();
    usize length = isa.length();
    if (length < 5 || to_lower(p[0]) != 'r' || to_lower(p[1]) != 'v')
        return Error::from_code(ErrorCode::Malformed, "ISA string does not start with rv");
    if (p[2] != '6' || p[3] != '4')
        return Error::from_code(ErrorCode::Unsupported, "ISA string is not rv64");

    CpuFeatures features;
    usize i = 4;
    char base = to_lower(p[i]);
    if (base == 'g') {
        features = rv64gc().without(Extension::C);
    } else if (base == 'i' || base == 'e') {
        if (base == 'e')
            return Error::from_code(ErrorCode::Unsupported, "RV64E is not supported");
        features = rv64i();
    } else {
        return Error::from_code(ErrorCode::Malformed, "ISA string has no base (i, e or g)");
    }
    ++i;

    auto skip_version = [&] {
        // "2p1", "2", "1p0"
        while (i < length && is_digit(p[i]))
            ++i;
        if (i + 1 < length && to_lower(p[i]) == 'p' && is_digit(p[i + 1])) {
            ++i;
            while (i < length && is_digit(p[i]))
                ++i;
        }
    };
    skip_version();

    // Single-letter extensions until '_' or the first multi-letter name.
    while (i < length && p[i] != '_') {
        char c = to_lower(p[i]);
        if (c == 'z' || c == 's' || c == 'x')
            break;
        if (c < 'a' || c > 'z')
            return Error::formatted(ErrorCode::Malformed, "unexpected '{}' in ISA string", p[i]);
        if (c == 'g') {
            features = CpuFeatures(features.m_bits | rv64gc().without(Extension::C).m_bits);
        } else {
            for (const auto& entry : single_letter_extensions) {
                if (entry.name[0] == c)
                    features = features.with(entry.extension);
            }
        }
        ++i;
        skip_version();
    }

    // Multi-letter extensions separated by '_'.
    while (i < length) {
        if (p[i] == '_') {
            ++i;
            continue;
        }
        usize start = i;
        while (i < length && p[i] != '_')
            ++i;
        // Strip a trailing version ("zba1p0"): digits, optionally 'p' digits.
        usize end = i;
        usize cut = end;
        while (cut > start && is_digit(p[cut - 1]))
            --cut;
        if (cut > start + 1 && cut < end && to_lower(p[cut - 1]) == 'p' && is_digit(p[cut - 2])) {
            cut -= 1;
            while (cut > start && is_digit(p[cut - 1]))
                --cut;
        }
        if (cut > start)
            end = cut;
        for (const auto& entry : multi_letter_extensions) {
            usize name_length = __builtin_strlen(entry.name);
            if (name_length != end - start)
                continue;
            bool same = true;
            for (usize k = 0; k < name_length; ++k) {
                if (to_lower(p[start + k]) != entry.name[k]) {
                    same = false;
                    break;
                }
            }
            if (same)
                features = features.with(entry.extension);
        }
    }

    // Implications the spec states: D needs F, F needs Zicsr, V needs D here
    // (V 1.0 §18.3: V implies Zve64d).
    if (features.has(Extension::D) && !features.has(Extension::F))
        return Error::from_code(ErrorCode::Invalid, "ISA string has D without F");
    if (features.has(Extension::F))
        features = features.with(Extension::Zicsr);
    return features;
}

void CpuFeatures::format(FormatBuilder& builder) const noexcept
{
    builder.append(StringView("rv64"));
    for (const auto& entry : single_letter_extensions) {
        if (has(entry.extension))
            builder.append(entry.name[0]);
    }
    for (const auto& entry : multi_letter_extensions) {
        if (has(entry.extension)) {
            builder.append('_');
            builder.append(StringView(entry.name));
        }
    }
}

} // namespace k23::riscv64
