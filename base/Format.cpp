#include <base/Format.h>

namespace k23 {

namespace {

enum class Align : u8 {
    Default,
    Left,
    Right,
    Center,
};

struct Spec {
    Align align { Align::Default };
    bool plus { false };
    bool alternate { false };
    bool zero_pad { false };
    usize width { 0 };
    int precision { -1 };
    char type { 0 };
};

constexpr usize max_width = 4096; // caps absurd widths; the buffer is bounded anyway

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Parses "[index][:spec]"; returns false for anything malformed.
bool parse_placeholder(StringView text, Spec& spec, bool& has_index, usize& index)
{
    usize i = 0;
    const usize n = text.length();
    const char* s = text.data();
    has_index = false;
    index = 0;
    while (i < n && is_digit(s[i])) {
        has_index = true;
        index = index * 10 + usize(s[i] - '0');
        if (index > 1000)
            return false;
        ++i;
    }
    if (i == n)
        return true;
    if (s[i] != ':')
        return false;
    ++i;
    if (i < n && (s[i] == '<' || s[i] == '>' || s[i] == '^')) {
        spec.align = s[i] == '<' ? Align::Left : s[i] == '>' ? Align::Right : Align::Center;
        ++i;
    }
    if (i < n && s[i] == '+') {
        spec.plus = true;
        ++i;
    }
    if (i < n && s[i] == '#') {
        spec.alternate = true;
        ++i;
    }
    if (i < n && s[i] == '0') {
        spec.zero_pad = true;
        ++i;
    }
    while (i < n && is_digit(s[i])) {
        spec.width = spec.width * 10 + usize(s[i] - '0');
        if (spec.width > max_width)
            spec.width = max_width;
        ++i;
    }
    if (i < n && s[i] == '.') {
        ++i;
        if (i >= n || !is_digit(s[i]))
            return false;
        int precision = 0;
        while (i < n && is_digit(s[i])) {
            precision = precision * 10 + (s[i] - '0');
            if (precision > 1000)
                precision = 1000;
            ++i;
        }
        spec.precision = precision;
    }
    if (i < n) {
        switch (s[i]) {
        case 'd': case 'x': case 'X': case 'b': case 'o': case 'c':
        case 's': case 'p': case 'e': case 'f':
            spec.type = s[i];
            ++i;
            break;
        default:
            return false;
        }
    }
    return i == n;
}

// Writes the digits of `value` in `base`, most significant first.
usize render_unsigned(char* out, u64 value, unsigned base, bool upper)
{
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char reversed[64];
    usize count = 0;
    do {
        reversed[count++] = digits[value % base];
        value /= base;
    } while (value != 0);
    for (usize i = 0; i < count; ++i)
        out[i] = reversed[count - 1 - i];
    return count;
}

void emit_padded(FormatBuilder& builder, StringView prefix, StringView body, const Spec& spec, Align default_align, bool allow_zero_pad)
{
    usize total = prefix.length() + body.length();
    usize padding = spec.width > total ? spec.width - total : 0;
    if (allow_zero_pad && spec.zero_pad && spec.align == Align::Default) {
        builder.append(prefix);
        builder.append_repeated('0', padding);
        builder.append(body);
        return;
    }
    Align align = spec.align == Align::Default ? default_align : spec.align;
    usize before = align == Align::Right ? padding : align == Align::Center ? padding / 2 : 0;
    builder.append_repeated(' ', before);
    builder.append(prefix);
    builder.append(body);
    builder.append_repeated(' ', padding - before);
}

void format_integer(FormatBuilder& builder, u64 magnitude, bool negative, const Spec& spec)
{
    if (spec.type == 'c') {
        char c = char(magnitude);
        emit_padded(builder, {}, StringView(&c, 1), spec, Align::Left, false);
        return;
    }
    unsigned base = 10;
    bool upper = false;
    const char* alt_prefix = "";
    switch (spec.type) {
    case 'x': base = 16; alt_prefix = "0x"; break;
    case 'X': base = 16; alt_prefix = "0X"; upper = true; break;
    case 'p': base = 16; alt_prefix = "0x"; break;
    case 'b': base = 2; alt_prefix = "0b"; break;
    case 'o': base = 8; alt_prefix = "0o"; break;
    default: break;
    }
    char prefix[4];
    usize prefix_length = 0;
    if (negative)
        prefix[prefix_length++] = '-';
    else if (spec.plus)
        prefix[prefix_length++] = '+';
    if (spec.alternate || spec.type == 'p') {
        for (const char* p = alt_prefix; *p; ++p)
            prefix[prefix_length++] = *p;
    }
    char digits[64];
    usize digit_count = render_unsigned(digits, magnitude, base, upper);
    emit_padded(builder, StringView(prefix, prefix_length), StringView(digits, digit_count), spec, Align::Right, true);
}

void format_signed(FormatBuilder& builder, i64 value, const Spec& spec)
{
    // Negate in unsigned arithmetic so INT64_MIN is fine.
    bool negative = value < 0;
    u64 magnitude = negative ? u64(0) - u64(value) : u64(value);
    // Hex/binary of a negative number shows its two's complement bits.
    if (negative && (spec.type == 'x' || spec.type == 'X' || spec.type == 'b' || spec.type == 'o'))
        format_integer(builder, u64(value), false, spec);
    else
        format_integer(builder, magnitude, negative, spec);
}

void format_string(FormatBuilder& builder, StringView text, const Spec& spec)
{
    if (spec.precision >= 0 && usize(spec.precision) < text.length())
        text = text.substring(0, usize(spec.precision));
    emit_padded(builder, {}, text, spec, Align::Left, false);
}

void format_float(FormatBuilder& builder, f64 value, const Spec& spec)
{
    char body[96];
    usize n = 0;
    bool negative = __builtin_signbit(value) != 0;
    char sign_buffer[1];
    usize sign_length = 0;

    if (__builtin_isnan(value)) {
        negative = false;
        body[n++] = 'n', body[n++] = 'a', body[n++] = 'n';
    } else {
        f64 magnitude = negative ? -value : value;
        if (__builtin_isinf(magnitude)) {
            body[n++] = 'i', body[n++] = 'n', body[n++] = 'f';
        } else {
            bool scientific = spec.type == 'e'
                || (spec.type != 'f' && magnitude != 0.0 && (magnitude >= 1e16 || magnitude < 1e-4));
            if (spec.type == 'f' && magnitude >= 1e19)
                scientific = true; // does not fit the integer-part renderer
            int precision = spec.precision >= 0 ? min(spec.precision, 17) : 6;
            bool trim = spec.precision < 0;
            int exponent = 0;
            if (scientific && magnitude != 0.0) {
                // Repeated scaling loses a few ulps; good enough for logs.
                while (magnitude >= 10.0) {
                    magnitude /= 10.0;
                    ++exponent;
                }
                while (magnitude < 1.0) {
                    magnitude *= 10.0;
                    --exponent;
                }
            }
            u64 scale = 1;
            for (int i = 0; i < precision; ++i)
                scale *= 10;
            u64 integer_part = u64(magnitude);
            f64 fraction = magnitude - f64(integer_part);
            u64 fraction_digits = u64(fraction * f64(scale) + 0.5);
            if (fraction_digits >= scale) {
                fraction_digits -= scale;
                ++integer_part;
            }
            if (scientific && integer_part >= 10) {
                integer_part /= 10;
                ++exponent;
            }
            n += render_unsigned(body + n, integer_part, 10, false);
            if (precision > 0) {
                char fraction_text[20];
                usize fraction_length = render_unsigned(fraction_text, fraction_digits, 10, false);
                body[n++] = '.';
                for (usize i = fraction_length; i < usize(precision); ++i)
                    body[n++] = '0';
                for (usize i = 0; i < fraction_length; ++i)
                    body[n++] = fraction_text[i];
                if (trim) {
                    // Drop trailing zeros but keep one digit: "2.0", "0.5".
                    while (body[n - 1] == '0' && body[n - 2] != '.')
                        --n;
                }
            }
            if (scientific) {
                body[n++] = 'e';
                body[n++] = exponent < 0 ? '-' : '+';
                int e = exponent < 0 ? -exponent : exponent;
                if (e < 10)
                    body[n++] = '0';
                n += render_unsigned(body + n, u64(e), 10, false);
            }
        }
    }
    if (negative)
        sign_buffer[sign_length++] = '-';
    else if (spec.plus)
        sign_buffer[sign_length++] = '+';
    emit_padded(builder, StringView(sign_buffer, sign_length), StringView(body, n), spec, Align::Right, true);
}

bool is_numeric_type(char type)
{
    return type == 'd' || type == 'x' || type == 'X' || type == 'b' || type == 'o';
}

void format_argument(FormatBuilder& builder, const FormatArg& arg, const Spec& spec)
{
    switch (arg.kind) {
    case FormatArg::Kind::Signed:
        format_signed(builder, arg.as_signed, spec);
        return;
    case FormatArg::Kind::Unsigned:
        format_integer(builder, arg.as_unsigned, false, spec);
        return;
    case FormatArg::Kind::Bool:
        if (is_numeric_type(spec.type))
            format_integer(builder, arg.as_bool ? 1 : 0, false, spec);
        else
            format_string(builder, arg.as_bool ? "true"_sv : "false"_sv, spec);
        return;
    case FormatArg::Kind::Char:
        if (is_numeric_type(spec.type)) {
            format_integer(builder, u8(arg.as_char), false, spec);
        } else {
            Spec text_spec = spec;
            text_spec.precision = -1;
            format_string(builder, StringView(&arg.as_char, 1), text_spec);
        }
        return;
    case FormatArg::Kind::String:
        format_string(builder, StringView(arg.as_string.characters, arg.as_string.length), spec);
        return;
    case FormatArg::Kind::Pointer: {
        Spec pointer_spec = spec;
        if (!is_numeric_type(pointer_spec.type))
            pointer_spec.type = 'p';
        format_integer(builder, u64(reinterpret_cast<uptr>(arg.as_pointer)), false, pointer_spec);
        return;
    }
    case FormatArg::Kind::Float:
        format_float(builder, arg.as_float, spec);
        return;
    case FormatArg::Kind::Custom:
        arg.as_custom.format(builder, arg.as_custom.object);
        return;
    }
}

} // namespace

FormatBuilder::FormatBuilder(Span<char> buffer, usize initial_length) noexcept
    : m_data(buffer.data())
    , m_capacity(buffer.is_empty() ? 0 : buffer.size() - 1)
    , m_length(min(initial_length, m_capacity))
{
    if (!buffer.is_empty())
        m_data[m_length] = '\0';
}

void FormatBuilder::append(char c) noexcept
{
    if (m_length >= m_capacity) {
        m_truncated = true;
        return;
    }
    m_data[m_length++] = c;
    m_data[m_length] = '\0';
}

void FormatBuilder::append(StringView text) noexcept
{
    usize room = m_capacity - m_length;
    usize count = text.length();
    if (count > room) {
        count = room;
        m_truncated = true;
    }
    if (count == 0)
        return;
    __builtin_memcpy(m_data + m_length, text.data(), count);
    m_length += count;
    m_data[m_length] = '\0';
}

void FormatBuilder::append_repeated(char c, usize count) noexcept
{
    usize room = m_capacity - m_length;
    if (count > room) {
        count = room;
        m_truncated = true;
    }
    if (count == 0)
        return;
    __builtin_memset(m_data + m_length, c, count);
    m_length += count;
    m_data[m_length] = '\0';
}

void FormatBuilder::vappendf(StringView fmt, Span<const FormatArg> args) noexcept
{
    const char* s = fmt.data();
    const usize n = fmt.length();
    usize next_argument = 0;
    usize i = 0;
    while (i < n) {
        char c = s[i];
        if (c == '{') {
            if (i + 1 < n && s[i + 1] == '{') {
                append('{');
                i += 2;
                continue;
            }
            usize close = fmt.find('}', i + 1);
            if (close == StringView::not_found) {
                append(fmt.substring(i));
                return;
            }
            Spec spec;
            bool has_index = false;
            usize index = 0;
            bool ok = parse_placeholder(fmt.substring(i + 1, close - i - 1), spec, has_index, index);
            if (!has_index)
                index = next_argument++;
            if (ok && index < args.size())
                format_argument(*this, args.data()[index], spec);
            else
                append("{?}"_sv);
            i = close + 1;
            continue;
        }
        if (c == '}') {
            // "}}" is an escaped brace; a lone '}' is printed as is.
            append('}');
            i += (i + 1 < n && s[i + 1] == '}') ? 2 : 1;
            continue;
        }
        usize run_end = i;
        while (run_end < n && s[run_end] != '{' && s[run_end] != '}')
            ++run_end;
        append(StringView(s + i, run_end - i));
        i = run_end;
    }
}

usize vformat_to(Span<char> buffer, StringView fmt, Span<const FormatArg> args) noexcept
{
    FormatBuilder builder(buffer);
    builder.vappendf(fmt, args);
    return builder.length();
}

} // namespace k23
