// The console protocol's encoding (user/lib/console_protocol.hpp) and the uart's request handling
// (console_service.hpp) over the model 16550.
#include "user/components/uart/console_service.hpp"

#include <gtest/gtest.h>

#include <string>

#include "user/components/uart/testing/model16550.hpp"

namespace janus::components::uart {
namespace {

using testing::Model16550;
using testing::ModelWaiter;

TEST(ConsoleProtocol, WordsHoldTheLengthThenEightBytesEach) {
    EXPECT_EQ(console::words_for(0), 1u);
    EXPECT_EQ(console::words_for(1), 2u);
    EXPECT_EQ(console::words_for(8), 2u);
    EXPECT_EQ(console::words_for(9), 3u);
    EXPECT_EQ(console::words_for(16), 3u); // the most that travels in registers alone
    EXPECT_EQ(console::words_for(504), 64u);
    EXPECT_EQ(console::max_write, 504u);
    EXPECT_EQ(console::register_write, 16u);
}

TEST(ConsoleProtocol, BytesArePackedLittleEndian) {
    std::uint64_t w[4] = {99, 99, 99, 99};
    console::pack("ABCDEFGHI", 9, w);
    EXPECT_EQ(w[0], 9u);
    EXPECT_EQ(w[1], 0x4847464544434241u); // "ABCDEFGH": 'A' in the lowest byte
    EXPECT_EQ(w[2], 0x49u);               // "I", the rest zero
    EXPECT_EQ(w[3], 99u);                 // beyond words_for(9): untouched
    EXPECT_EQ(console::byte_at(w, 8), 'I');
}

TEST(ConsoleProtocol, LengthsTheWordsCannotCarryAreRefused) {
    std::uint64_t w[64] = {};
    w[0] = 17; // needs 4 words
    EXPECT_EQ(console::check_write(w, 3), console::Status::bad_length);
    EXPECT_EQ(console::check_write(w, 4), console::Status::ok);
    w[0] = 505;
    EXPECT_EQ(console::check_write(w, 64), console::Status::bad_length);
    EXPECT_EQ(console::check_write(w, 0), console::Status::bad_length);
    w[0] = ~std::uint64_t{0}; // no overflow into a small word count
    EXPECT_EQ(console::check_write(w, 64), console::Status::bad_length);
}

struct Served {
    Model16550 uart;
    ModelWaiter waiter{uart};
    Transmitter<Model16550, ModelWaiter> tx{uart, waiter, program(uart).burst};

    ConsoleAnswer request(std::uint64_t label, const std::string& text) {
        std::uint64_t w[64] = {};
        console::pack(text.data(), text.size(), w);
        return serve_console(tx, label, w, console::words_for(text.size()));
    }
};

TEST(ConsoleService, AWriteGoesOutAsWritten) {
    Served s;
    const std::string text = "hello: tick 1\r\n\x01 tabs\tand all 256 byte values stay \xff";
    const ConsoleAnswer a = s.request(console::label_write, text);
    s.uart.drain();
    EXPECT_EQ(a.status, console::Status::ok);
    EXPECT_EQ(a.written, text.size());
    EXPECT_EQ(s.uart.sent, text); // no prefix, no translation
}

TEST(ConsoleService, TheLongestRequestIsServedWhole) {
    Served s;
    std::string text;
    for (std::size_t i = 0; i < console::max_write; ++i) text.push_back(static_cast<char>(i));
    const ConsoleAnswer a = s.request(console::label_write, text);
    s.uart.drain();
    EXPECT_EQ(a.status, console::Status::ok);
    EXPECT_EQ(s.uart.sent, text);
}

TEST(ConsoleService, BadRequestsWriteNothing) {
    Served s;
    EXPECT_EQ(s.request(7, "x").status, console::Status::unknown_request);
    std::uint64_t w[64] = {};
    w[0] = 40; // 40 bytes announced, 2 words sent
    EXPECT_EQ(serve_console(s.tx, console::label_write, w, 2).status, console::Status::bad_length);
    w[0] = 600;
    EXPECT_EQ(serve_console(s.tx, console::label_write, w, 64).status, console::Status::bad_length);
    s.uart.drain();
    EXPECT_EQ(s.uart.sent, "");
}

TEST(ConsoleService, AStalledDeviceIsReportedWithWhatWentOut) {
    Model16550 uart(Model16550::Options{.stuck = true});
    ModelWaiter waiter(uart);
    Transmitter<Model16550, ModelWaiter> tx(uart, waiter, program(uart).burst);
    std::uint64_t w[64] = {};
    const std::string text(100, 'z');
    console::pack(text.data(), text.size(), w);
    const ConsoleAnswer a = serve_console(tx, console::label_write, w, console::words_for(text.size()));
    EXPECT_EQ(a.status, console::Status::device_stalled);
    EXPECT_EQ(a.written, 16u);
}

} // namespace
} // namespace janus::components::uart
