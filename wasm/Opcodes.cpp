#include <wasm/Opcodes.h>

namespace k23::wasm {

namespace {

constexpr OpcodeInfo s_infos[] = {
#define K23_OPCODE_INFO(name, prefix, code, text, imm, sig, arg) { StringView(text), prefix, code, Imm::imm, Sig::sig, arg },
    K23_WASM_OPCODES(K23_OPCODE_INFO)
#undef K23_OPCODE_INFO
};
static_assert(sizeof(s_infos) / sizeof(s_infos[0]) == usize(Opcode::Count));

constexpr ValueType letter_type(char c) noexcept
{
    switch (c) {
    case 'i': return ValueType::I32;
    case 'l': return ValueType::I64;
    case 'f': return ValueType::F32;
    case 'd': return ValueType::F64;
    case 'v': return ValueType::V128;
    default: return ValueType::Bottom;
    }
}

constexpr SignatureTypes make_signature(const char* params, const char* results) noexcept
{
    SignatureTypes s {};
    for (u8 i = 0; params[i]; ++i) {
        s.params[i] = letter_type(params[i]);
        s.param_count = u8(i + 1);
    }
    for (u8 i = 0; results[i]; ++i) {
        s.results[i] = letter_type(results[i]);
        s.result_count = u8(i + 1);
    }
    return s;
}

constexpr SignatureTypes s_signatures[] = {
#define K23_SIG_TYPES(name, p, r) make_signature(p, r),
    K23_WASM_SIGNATURES(K23_SIG_TYPES)
#undef K23_SIG_TYPES
};

struct DecodeTables {
    Opcode single[256];
    Opcode fc[32];
    Opcode fd[0x120];
};

constexpr DecodeTables make_tables() noexcept
{
    DecodeTables t {};
    for (auto& op : t.single)
        op = Opcode::Invalid;
    for (auto& op : t.fc)
        op = Opcode::Invalid;
    for (auto& op : t.fd)
        op = Opcode::Invalid;
    for (u16 i = 0; i < u16(Opcode::Count); ++i) {
        const OpcodeInfo& info = s_infos[i];
        if (info.prefix == 0)
            t.single[info.code] = Opcode(i);
        else if (info.prefix == 0xfc)
            t.fc[info.code] = Opcode(i);
        else
            t.fd[info.code] = Opcode(i);
    }
    return t;
}

constexpr DecodeTables s_tables = make_tables();

} // namespace

const OpcodeInfo& opcode_info(Opcode op) noexcept { return s_infos[u16(op)]; }
const SignatureTypes& signature_types(Sig sig) noexcept { return s_signatures[u8(sig)]; }

Opcode opcode_for_byte(u8 byte) noexcept { return s_tables.single[byte]; }
Opcode opcode_for_fc(u32 code) noexcept { return code < 32 ? s_tables.fc[code] : Opcode::Invalid; }
Opcode opcode_for_fd(u32 code) noexcept { return code < 0x120 ? s_tables.fd[code] : Opcode::Invalid; }

} // namespace k23::wasm
