import Foundation
import MaskIO

/// The pattern written by Fixtures/generator/make_fixtures.c (see its header):
/// base = 7x + 13y + 31·page + 5·channel, reduced per bit depth.
enum Pattern {
    static func base(_ x: Int, _ y: Int, _ page: Int, _ channel: Int) -> Int {
        7 * x + 13 * y + 31 * page + 5 * channel
    }

    static func integer(bits: Int, x: Int, y: Int, page: Int = 0, channel: Int = 0) -> Double {
        let b = base(x, y, page, channel)
        switch bits {
        case ..<16: return Double(b % (1 << bits))
        case 16: return Double((b * 257 + 1) % 65536)
        default: return Double(UInt32(truncatingIfNeeded: UInt64(b) &* 16_777_259 &+ 0x0102_0304))
        }
    }

    static func float(x: Int, y: Int, page: Int = 0, channel: Int = 0) -> Double {
        Double(base(x, y, page, channel)) * 0.125 - 1
    }

    /// The index of sample (page, y, x, channel) in a decoded mask.
    static func index(_ mask: DecodedMask, x: Int, y: Int, page: Int, channel: Int) -> Int {
        ((page * mask.height + y) * mask.width + x) * mask.channels + channel
    }

    /// The first (page, y, x, channel) whose decoded sample differs from the pattern, or nil.
    static func firstMismatch(in mask: DecodedMask, bits: Int) -> String? {
        for page in 0..<mask.depth {
            for y in 0..<mask.height {
                for x in 0..<mask.width {
                    for channel in 0..<mask.channels {
                        let expected =
                            mask.sampleType == .float32
                            ? float(x: x, y: y, page: page, channel: channel)
                            : integer(bits: bits, x: x, y: y, page: page, channel: channel)
                        let actual = mask.samples[index(mask, x: x, y: y, page: page, channel: channel)]
                        if actual != expected {
                            return "page \(page) y \(y) x \(x) channel \(channel): \(actual) != \(expected)"
                        }
                    }
                }
            }
        }
        return nil
    }
}
