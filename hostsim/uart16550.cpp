// The 16550A model: see hostsim/uart16550.hpp. Register and bit names follow the PC16550D datasheet.
#include "hostsim/uart16550.hpp"

#include "hostsim/irq_lines.hpp"

namespace hostsim {

namespace {

// LSR bits.
constexpr std::uint8_t lsr_dr = 0x01, lsr_oe = 0x02, lsr_pe = 0x04, lsr_fe = 0x08, lsr_bi = 0x10,
                       lsr_thre = 0x20, lsr_temt = 0x40, lsr_fifo_error = 0x80;
constexpr std::uint8_t lsr_errors = lsr_oe | lsr_pe | lsr_fe | lsr_bi;
// IER bits.
constexpr std::uint8_t ier_rda = 0x01, ier_thre = 0x02, ier_rls = 0x04, ier_modem = 0x08;
// IIR identifications (bits 3-0).
constexpr std::uint8_t iir_none = 0x01, iir_rls = 0x06, iir_rda = 0x04, iir_timeout = 0x0c, iir_thre = 0x02,
                       iir_modem = 0x00, iir_fifos = 0xc0;
// MCR bits.
constexpr std::uint8_t mcr_dtr = 0x01, mcr_rts = 0x02, mcr_out1 = 0x04, mcr_out2 = 0x08;
// MSR bits.
constexpr std::uint8_t msr_cts = 0x10, msr_dsr = 0x20, msr_ri = 0x40, msr_dcd = 0x80;
constexpr std::uint8_t msr_dcts = 0x01, msr_ddsr = 0x02, msr_teri = 0x04, msr_ddcd = 0x08;
constexpr std::uint8_t lcr_dlab = 0x80;

} // namespace

Uart16550::Uart16550(std::function<void(bool)> line_out, Config config)
    : line_out_(std::move(line_out)), config_(config) {}

Uart16550::Uart16550(Machine& machine, unsigned line, Config config)
    : Uart16550([&machine, line](bool level) { set_irq_line_level(machine, line, level); }, config) {
    line_out_(false); // whatever an earlier device on this line left asserted
}

Uart16550::Uart16550(std::function<void(bool)> line_out) : Uart16550(std::move(line_out), Config{}) {}

Uart16550::Uart16550(Machine& machine, unsigned line) : Uart16550(machine, line, Config{}) {}

Uart16550::~Uart16550() {
    detach();
    if (line_ && line_out_) line_out_(false);
}

bool Uart16550::attach(PortBus& bus, std::uint32_t base) {
    detach();
    if (!bus.claim(base, register_count, *this)) return false;
    bus_ = &bus;
    return true;
}

void Uart16550::detach() {
    if (bus_) bus_->release(*this);
    bus_ = nullptr;
}

std::uint32_t Uart16550::port_read(std::uint32_t offset, unsigned size) {
    std::uint32_t value = 0;
    for (unsigned i = 0; i < size; ++i)
        value |= std::uint32_t{read_register((offset + i) % register_count)} << (8 * i);
    return value;
}

void Uart16550::port_write(std::uint32_t offset, unsigned size, std::uint32_t value) {
    for (unsigned i = 0; i < size; ++i)
        write_register((offset + i) % register_count, static_cast<std::uint8_t>(value >> (8 * i)));
}

std::uint8_t Uart16550::read_register(std::uint32_t offset) {
    tick();
    std::uint8_t v = 0;
    switch (offset) {
    case 0:
        if (lcr_ & lcr_dlab) return dll_;
        if (!rx_.empty()) {
            v = rx_.front();
            rx_.pop_front();
        }
        break;
    case 1:
        return lcr_ & lcr_dlab ? dlm_ : ier_;
    case 2:
        v = identify();
        if (v == iir_thre) thre_pending_ = false; // reading IIR clears a THRE interrupt it reports
        if (fifos()) v |= iir_fifos;
        break;
    case 3:
        return lcr_;
    case 4:
        return mcr_;
    case 5:
        v = lsr();
        lsr_errors_ = 0;
        break;
    case 6:
        v = msr();
        modem_delta_ = 0;
        break;
    default:
        return scr_;
    }
    update();
    return v;
}

void Uart16550::write_register(std::uint32_t offset, std::uint8_t value) {
    tick();
    switch (offset) {
    case 0:
        if (lcr_ & lcr_dlab) {
            dll_ = value;
            return;
        }
        transmit(value);
        break;
    case 1:
        if (lcr_ & lcr_dlab) {
            dlm_ = value;
            return;
        }
        // Enabling the THRE interrupt while THR is empty raises it at once (as the chip and QEMU do).
        if ((value & ier_thre) && !(ier_ & ier_thre) && tx_.empty()) thre_pending_ = true;
        ier_ = value & 0x0f;
        break;
    case 2: {
        const bool was_on = fifos();
        if (!(value & 1)) { // FIFOs off: the other bits are not programmed; turning them off clears them
            if (was_on) {
                rx_.clear();
                tx_.clear();
            }
            fcr_ = 0;
            break;
        }
        const bool had_tx = !tx_.empty();
        if (!was_on || (value & 0x02)) rx_.clear();
        if (!was_on || (value & 0x04)) tx_.clear();
        if (had_tx && tx_.empty()) thre_pending_ = true;
        fcr_ = value & 0xc9; // enable, DMA mode, trigger level; the reset bits clear themselves
        break;
    }
    case 3:
        lcr_ = value;
        return;
    case 4: {
        const std::uint8_t before = msr();
        mcr_ = value & 0x1f; // in loopback the modem inputs follow these bits
        modem_changed(before);
        break;
    }
    case 5:
    case 6:
        return; // LSR and MSR are read-only here (the chip's factory-test writes are not modelled)
    default:
        scr_ = value;
        return;
    }
    update();
}

// Time passes one register access at a time: the byte in the shift register leaves when its count is out.
void Uart16550::tick() {
    if (!shifting_ || shift_left_ == 0) return;
    if (--shift_left_ == 0) {
        shifting_ = false;
        emit(shifter_);
        shift_next();
        update();
    }
}

void Uart16550::transmit(std::uint8_t byte) {
    if (fifos()) {
        if (tx_.size() < fifo_size) tx_.push_back(byte); // a full FIFO loses it, as the chip does
    } else if (tx_.empty()) {
        tx_.push_back(byte);
    } else {
        tx_.back() = byte; // THR overwritten before it moved on
    }
    thre_pending_ = false; // writing THR clears the THRE interrupt ...
    update();              // ... and the line drops, so that the next THRE interrupt is a fresh edge
    shift_next();
}

// THR (or the FIFO's oldest byte) into the shift register when that is free; with no delay it leaves at once.
void Uart16550::shift_next() {
    while (!shifting_ && !tx_.empty()) {
        shifter_ = tx_.front();
        tx_.pop_front();
        if (tx_.empty()) thre_pending_ = true; // THR (the FIFO) became empty
        shifting_ = true;
        shift_left_ = config_.transmit_accesses;
        if (shift_left_ == 0) {
            shifting_ = false;
            emit(shifter_);
        }
    }
}

void Uart16550::take_in(std::uint8_t byte) {
    const std::size_t room = fifos() ? fifo_size : 1;
    if (rx_.size() >= room)
        lsr_errors_ |= lsr_oe; // lost: the FIFO (or RBR) keeps what it holds
    else
        rx_.push_back(byte);
}

void Uart16550::receive(std::uint8_t byte) {
    if (loop()) return; // in loopback the receiver is cut off from the wire
    take_in(byte);
    update();
}

void Uart16550::inject_line_error(std::uint8_t bits) {
    lsr_errors_ |= bits & (lsr_pe | lsr_fe | lsr_bi);
    update();
}

void Uart16550::set_modem_inputs(std::uint8_t bits) {
    const std::uint8_t before = msr();
    modem_in_ = bits & 0xf0;
    modem_changed(before);
    update();
}

// The deltas of MSR bits 0-3 (the datasheet: DCTS, DDSR and DDCD on any change, TERI when RI goes off).
void Uart16550::modem_changed(std::uint8_t before) {
    const std::uint8_t after = msr();
    if (((before ^ after) & msr_cts)) modem_delta_ |= msr_dcts;
    if (((before ^ after) & msr_dsr)) modem_delta_ |= msr_ddsr;
    if ((before & msr_ri) && !(after & msr_ri)) modem_delta_ |= msr_teri;
    if (((before ^ after) & msr_dcd)) modem_delta_ |= msr_ddcd;
}

void Uart16550::emit(std::uint8_t byte) {
    if (loop()) {
        take_in(byte);
        return;
    }
    output_.push_back(static_cast<char>(byte));
    if (config_.echo) std::fputc(byte, config_.echo);
}

std::uint8_t Uart16550::lsr() const {
    std::uint8_t v = lsr_errors_;
    if (!rx_.empty()) v |= lsr_dr;
    if (tx_.empty()) v |= lsr_thre;
    if (tx_.empty() && !shifting_) v |= lsr_temt;
    if (fifos() && (lsr_errors_ & (lsr_pe | lsr_fe | lsr_bi))) v |= lsr_fifo_error;
    return v;
}

std::uint8_t Uart16550::msr() const {
    std::uint8_t in = modem_in_;
    if (loop()) {
        in = 0;
        if (mcr_ & mcr_rts) in |= msr_cts;
        if (mcr_ & mcr_dtr) in |= msr_dsr;
        if (mcr_ & mcr_out1) in |= msr_ri;
        if (mcr_ & mcr_out2) in |= msr_dcd;
    }
    return in | modem_delta_;
}

unsigned Uart16550::trigger_level() const {
    static constexpr unsigned levels[] = {1, 4, 8, 14};
    return levels[fcr_ >> 6];
}

std::uint8_t Uart16550::identify() const {
    if ((ier_ & ier_rls) && (lsr_errors_ & lsr_errors)) return iir_rls;
    if ((ier_ & ier_rda) && !rx_.empty())
        return !fifos() || rx_.size() >= trigger_level() ? iir_rda : iir_timeout;
    if ((ier_ & ier_thre) && thre_pending_) return iir_thre;
    if ((ier_ & ier_modem) && (modem_delta_ & 0x0f)) return iir_modem;
    return iir_none;
}

void Uart16550::update() {
    const bool want = identify() != iir_none && (mcr_ & mcr_out2) && !loop();
    if (want == line_) return;
    line_ = want;
    if (line_out_) line_out_(want);
}

} // namespace hostsim
