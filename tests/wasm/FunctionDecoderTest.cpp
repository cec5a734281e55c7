#include "WasmTestHelpers.h"

#include <wasm/FunctionDecoder.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace k23;
using namespace k23::wasm;
using namespace k23::wasm::test;

namespace {

// Records the interface calls, as a compiler tier would receive them.
struct RecordingInterface : NullInterface {
    std::vector<std::string> calls;
    void on_local_get(u32 offset, u32 index, ValueType t) noexcept { calls.push_back("local.get " + std::to_string(index) + " @" + std::to_string(offset)); }
    void on_numeric(u32, Opcode op) noexcept { calls.push_back(std::string(opcode_name(op).data(), opcode_name(op).length())); }
    void on_i32_const(u32, i32 v) noexcept { calls.push_back("i32.const " + std::to_string(v)); }
    void on_block(u32, const ControlFrame& f) noexcept { calls.push_back("block " + std::to_string(f.results.size())); }
    void on_end(u32, const ControlFrame&) noexcept { calls.push_back("end"); }
    void on_br_if(u32, u32 depth) noexcept { calls.push_back("br_if " + std::to_string(depth)); }
    void on_load(u32, Opcode op, const MemArg& arg) noexcept { calls.push_back("load offset=" + std::to_string(arg.offset)); }
};

} // namespace

TEST(FunctionDecoder, DrivesTheInterface)
{
    // (func (param i32 i32) (result i32)
    //   block (result i32) local.get 0 local.get 1 i32.add i32.const 7 br_if 0 end)
    ByteVector type { 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f };
    ByteVector body { 0x00, 0x02, 0x7f, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x41, 0x07, 0x0d, 0x00, 0x0b, 0x0b };
    auto m = read(single_function(type, body));
    ASSERT_FALSE(m.is_error()) << message_of(m);
    RecordingInterface rec;
    DecoderScratch scratch;
    FunctionDecoder<RecordingInterface> decoder(m.value(), rec, scratch);
    ASSERT_FALSE(decoder.decode(0).is_error());
    u32 base = m->functions()[0].body.offset;
    std::vector<std::string> expected {
        "block 1",
        "local.get 0 @" + std::to_string(base + 3),
        "local.get 1 @" + std::to_string(base + 5),
        "i32.add",
        "i32.const 7",
        "br_if 0",
        "end",
        "end",
    };
    EXPECT_EQ(rec.calls, expected);
}

namespace {

// An interface that lets the decoder own reachability (a compiler's shape).
struct ReachabilityInterface : NullInterface {
    static constexpr bool owns_reachability = true;
    std::vector<std::string> calls;
    bool stop_at_const { false };
    bool on_instruction(u32, Opcode op) noexcept
    {
        calls.push_back("@" + std::string(opcode_name(op).data(), opcode_name(op).length()));
        return !(stop_at_const && op == Opcode::I32Const);
    }
    Result<void> on_function_end() noexcept
    {
        calls.push_back("function end");
        if (stop_at_const)
            return Error::from_code(ErrorCode::Unsupported, "stopped");
        return {};
    }
    void on_i32_const(u32, i32 v) noexcept { calls.push_back("i32.const " + std::to_string(v)); }
    void on_block(u32, const ControlFrame&) noexcept { calls.push_back("block"); }
    void on_if(u32, const ControlFrame&) noexcept { calls.push_back("if"); }
    void on_else(u32, const ControlFrame& f) noexcept { calls.push_back(f.unreachable ? "else (then-branch ends unreachable)" : "else"); }
    void on_end(u32, const ControlFrame& f) noexcept { calls.push_back(f.unreachable ? "end (unreachable)" : "end"); }
    void on_br(u32, u32 depth) noexcept { calls.push_back("br " + std::to_string(depth)); }
    void on_drop(u32, ValueType) noexcept { calls.push_back("drop"); }
};

} // namespace

TEST(FunctionDecoder, SkipsUnreachableCodeForInterfacesThatOwnReachability)
{
    // (func (param i32)
    //   block
    //     br 0
    //     i32.const 1 drop          ;; unreachable: no hooks
    //     block i32.const 2 drop end ;; opened unreachable: no hooks at all
    //   end
    //   local.get 0 if unreachable else i32.const 3 drop end)
    ByteVector type { 0x60, 0x01, 0x7f, 0x00 };
    ByteVector body { 0x00, 0x02, 0x40, 0x0c, 0x00, 0x41, 0x01, 0x1a, 0x02, 0x40, 0x41, 0x02, 0x1a, 0x0b, 0x0b,
        0x20, 0x00, 0x04, 0x40, 0x00, 0x05, 0x41, 0x03, 0x1a, 0x0b, 0x0b };
    auto m = read(single_function(type, body));
    ASSERT_FALSE(m.is_error()) << message_of(m);
    ReachabilityInterface rec;
    DecoderScratch scratch;
    FunctionDecoder<ReachabilityInterface> decoder(m.value(), rec, scratch);
    ASSERT_FALSE(decoder.decode(0).is_error());
    std::vector<std::string> expected {
        "@block", "block", "@br", "br 0", "end (unreachable)",
        "@local.get", "@if", "if", "@unreachable", "else (then-branch ends unreachable)",
        "@i32.const", "i32.const 3", "@drop", "drop", "@end", "end",
        "@end", "end", "function end",
    };
    EXPECT_EQ(rec.calls, expected);
}

TEST(FunctionDecoder, UnreachableCodeIsStillValidated)
{
    // (func block br 0 i64.const 1 i32.eqz drop end): the dead i32.eqz of an
    // i64 is a type mismatch though no hook sees it.
    ByteVector type { 0x60, 0x00, 0x00 };
    ByteVector body { 0x00, 0x02, 0x40, 0x0c, 0x00, 0x42, 0x01, 0x45, 0x1a, 0x0b, 0x0b };
    ByteVector bytes = single_function(type, body);
    ReadOptions options;
    options.validate_functions = false;
    auto m = read_module(ReadonlyBytes(bytes.data(), bytes.size()), options);
    ASSERT_FALSE(m.is_error()) << message_of(m);
    ReachabilityInterface rec;
    DecoderScratch scratch;
    FunctionDecoder<ReachabilityInterface> decoder(m.value(), rec, scratch);
    auto result = decoder.decode(0);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error().code(), ErrorCode::Invalid);
}

TEST(FunctionDecoder, AnInterfaceStopsTheDecodeByFailing)
{
    ByteVector type { 0x60, 0x00, 0x00 };
    ByteVector body { 0x00, 0x41, 0x01, 0x1a, 0x0b };
    auto m = read(single_function(type, body));
    ASSERT_FALSE(m.is_error()) << message_of(m);
    ReachabilityInterface rec;
    rec.stop_at_const = true;
    DecoderScratch scratch;
    FunctionDecoder<ReachabilityInterface> decoder(m.value(), rec, scratch);
    auto result = decoder.decode(0);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error().code(), ErrorCode::Unsupported);
    std::vector<std::string> expected { "@i32.const", "function end" };
    EXPECT_EQ(rec.calls, expected);
}

TEST(FunctionDecoder, MemArgOffsetsReachTheInterface)
{
    ByteVector body { 0x00, 0x41, 0x00, 0x28, 0x02, 0x90, 0x03, 0x1a, 0x0b }; // i32.load offset=400
    ByteVector bytes = concat({ header(), section(1, { 0x01, 0x60, 0x00, 0x00 }), section(3, { 0x01, 0x00 }),
        section(5, { 0x01, 0x00, 0x01 }), section(10, concat({ ByteVector { 0x01, u8(body.size()) }, body })) });
    auto m = read(bytes);
    ASSERT_FALSE(m.is_error()) << message_of(m);
    RecordingInterface rec;
    DecoderScratch scratch;
    FunctionDecoder<RecordingInterface> decoder(m.value(), rec, scratch);
    ASSERT_FALSE(decoder.decode(0).is_error());
    ASSERT_GE(rec.calls.size(), 2u);
    EXPECT_EQ(rec.calls[1], "load offset=400");
}

namespace {

// What the compilers are given of the operand types: drop's and select's.
struct TypeRecorder : NullInterface {
    static constexpr bool owns_reachability = true;
    std::vector<std::string> calls;
    bool on_instruction(u32, Opcode) noexcept { return true; }
    void on_drop(u32, ValueType t) noexcept { calls.push_back("drop " + std::string(value_type_name(t).data(), value_type_name(t).length())); }
    void on_select(u32, ValueType t) noexcept { calls.push_back("select " + std::string(value_type_name(t).data(), value_type_name(t).length())); }
    void on_local_get(u32, u32 index, ValueType) noexcept { calls.push_back("local.get " + std::to_string(index)); }
    void on_end(u32, const ControlFrame& f) noexcept { calls.push_back(f.unreachable ? "end (unreachable)" : "end"); }
};

} // namespace

TEST(FunctionDecoder, TrustedModeGivesTheCompilersTheValidatedTypes)
{
    // (func (param i64 f32) (result f32)
    //   local.get 0 drop
    //   block (result f32) local.get 1 local.get 1 i32.const 1 select br 0 end
    //   local.get 1 i32.const 0 select
    //   block (result i64) unreachable select drop i64.const 0 end drop)
    ByteVector type { 0x60, 0x02, 0x7e, 0x7d, 0x01, 0x7d };
    ByteVector body { 0x00, 0x20, 0x00, 0x1a, 0x02, 0x7d, 0x20, 0x01, 0x20, 0x01, 0x41, 0x01, 0x1b, 0x0c, 0x00, 0x0b,
        0x20, 0x01, 0x41, 0x00, 0x1b, 0x02, 0x7e, 0x00, 0x1b, 0x1a, 0x42, 0x00, 0x0b, 0x1a, 0x0b };
    auto m = read(single_function(type, body));
    ASSERT_FALSE(m.is_error()) << message_of(m);
    ASSERT_TRUE(m->functions_validated());
    TypeRecorder rec;
    DecoderScratch scratch;
    FunctionDecoder<TypeRecorder, DecodeMode::Trusted> decoder(m.value(), rec, scratch);
    ASSERT_FALSE(decoder.decode(0).is_error());
    std::vector<std::string> expected {
        "local.get 0", "drop i64", "local.get 1", "local.get 1", "select f32", "end (unreachable)",
        "local.get 1", "select f32", "end (unreachable)", "drop i64", "end",
    };
    EXPECT_EQ(rec.calls, expected);
}

// The trusted mode indexes locals, labels, functions and tables unchecked:
// a body read_module did not validate must never reach it.
TEST(FunctionDecoder, TrustedModeRefusesBodiesThatWereNotValidated)
{
    // (func local.get 7 drop): an unknown local, as a guest could send.
    ByteVector type { 0x60, 0x00, 0x00 };
    ByteVector bytes = single_function(type, { 0x00, 0x20, 0x07, 0x1a, 0x0b });
    ReadOptions options;
    options.validate_functions = false;
    auto m = read_module(ReadonlyBytes(bytes.data(), bytes.size()), options);
    ASSERT_FALSE(m.is_error()) << message_of(m);
    EXPECT_FALSE(m->functions_validated());
    ReachabilityInterface rec;
    DecoderScratch scratch;
    FunctionDecoder<ReachabilityInterface, DecodeMode::Trusted> decoder(m.value(), rec, scratch);
    auto result = decoder.decode(0);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error().code(), ErrorCode::InvalidArgument);
    EXPECT_TRUE(rec.calls.empty());
    // Validated, the same body is refused by read_module itself.
    auto checked = read(bytes);
    EXPECT_EQ(message_of(checked), "unknown local 7");
}

TEST(FunctionDecoder, SyntaxModeFindsMalformationsButNoValidationErrors)
{
    ByteVector type { 0x60, 0x00, 0x00 };
    ReadOptions options;
    options.validate_functions = false;
    auto decode = [&](ByteVector body) -> Result<void> {
        ByteVector bytes = single_function(type, body);
        auto m = read_module(ReadonlyBytes(bytes.data(), bytes.size()), options);
        if (m.is_error())
            return m.release_error();
        DecoderScratch scratch;
        NullInterface null;
        FunctionDecoder<NullInterface, DecodeMode::Syntax> decoder(m.value(), null, scratch);
        return decoder.decode(0);
    };
    // Unknown local, label, function, global and table, a type mismatch and
    // a stack underflow: well-formed all the same.
    EXPECT_FALSE(decode({ 0x00, 0x20, 0x07, 0x0c, 0x09, 0x10, 0x05, 0x23, 0x03, 0x25, 0x04, 0x42, 0x00, 0x45, 0x6a, 0x0b }).is_error());
    auto illegal = decode({ 0x00, 0x20, 0x07, 0x0c, 0x09, 0x06, 0x0b });
    ASSERT_TRUE(illegal.is_error());
    EXPECT_EQ(illegal.error().code(), ErrorCode::Malformed);
    auto unterminated = decode({ 0x00, 0x02, 0x40, 0x0b });
    ASSERT_TRUE(unterminated.is_error());
    EXPECT_EQ(unterminated.error().code(), ErrorCode::Malformed);
}

TEST(FunctionDecoder, ScratchIsReusedAcrossFunctions)
{
    ByteVector type { 0x60, 0x00, 0x01, 0x7f };
    auto m = read(single_function(type, { 0x00, 0x41, 0x05, 0x0b }));
    ASSERT_FALSE(m.is_error());
    DecoderScratch scratch;
    NullInterface null;
    FunctionDecoder<NullInterface> decoder(m.value(), null, scratch);
    for (int i = 0; i < 3; ++i)
        ASSERT_FALSE(decoder.decode(0).is_error());
    usize capacity = scratch.operands.capacity();
    ASSERT_FALSE(decoder.decode(0).is_error());
    EXPECT_EQ(scratch.operands.capacity(), capacity);
}

TEST(Opcodes, TableIsConsistent)
{
    EXPECT_EQ(opcode_for_byte(0x6a), Opcode::I32Add);
    EXPECT_EQ(opcode_for_fc(8), Opcode::MemoryInit);
    EXPECT_EQ(opcode_for_fd(0x113), Opcode::I32x4RelaxedDotI8x16I7x16AddS);
    EXPECT_EQ(opcode_for_fd(154), Opcode::Invalid);
    EXPECT_EQ(opcode_name(Opcode::F64x2PromoteLowF32x4), "f64x2.promote_low_f32x4"_sv);
    for (u16 i = 0; i < u16(Opcode::Count); ++i) {
        const OpcodeInfo& info = opcode_info(Opcode(i));
        Opcode back = info.prefix == 0 ? opcode_for_byte(u8(info.code)) : info.prefix == 0xfc ? opcode_for_fc(info.code) : opcode_for_fd(info.code);
        EXPECT_EQ(u16(back), i) << std::string(info.name.data(), info.name.length());
    }
}
