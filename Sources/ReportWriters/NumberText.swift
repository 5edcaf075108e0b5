import Foundation

/// How every report writes numbers: the one number formatter of the package. Every finite Double
/// prints, however large or small: no conversion to a fixed-width integer can trap.
///
/// | style        | used by                                   | examples                          |
/// |--------------|-------------------------------------------|-----------------------------------|
/// | `fixed`      | summary and Markdown tables, gate messages | `0.6667`, `12.0000`, `NaN`        |
/// | `signed`     | changes against a baseline                 | `+0.0120`, `-0.0300`              |
/// | `shortest`   | CSV cells, JUnit details, thresholds       | `0.1`, `3`, `1e-05`, `inf`        |
/// | `json`       | JSON numbers                               | `0.1`, `3`, `null`                |
/// | `significant`| `explain` tables                           | `0.990099`, `9.9999e-06`          |
/// | `grouped`    | counts in the Markdown report              | `1,950`                           |
/// | `seconds`    | JUnit `time`                               | `0`, `12.345`                     |
public enum NumberText {
    /// 2^53: up to it the integer part of a Double fits an Int64 exactly (and below it a fraction
    /// may remain); above it every Double is an integer and Swift prints it with an exponent.
    static let exactIntegerLimit = 9_007_199_254_740_992.0

    /// Four decimals, as the summary tables show them: 0.6667, 12.0000, -0.5000.
    ///
    /// - Magnitudes above 2^53 print in shortest round-trip form (`1e+300`, `-1.5e+20`):
    ///   four zero decimals after sixteen digits would say nothing.
    /// - Values that round to zero print without a sign (`-0.0`, `-0.00001` → `0.0000`);
    ///   subnormals print `0.0000`.
    /// - NaN prints `NaN`, infinities `inf` and `-inf`.
    public static func fixed(_ value: Double) -> String {
        guard value.isFinite else { return nonFinite(value) }
        let magnitude = value.magnitude
        guard magnitude <= exactIntegerLimit else { return String(value) }
        // The integer part and the fraction are both exact; only the fraction is scaled, so no
        // intermediate value exceeds 2^53.
        let whole = magnitude.rounded(.towardZero)
        var integer = Int64(whole)
        var decimals = Int64(((magnitude - whole) * 10_000).rounded())
        if decimals == 10_000 {
            integer += 1
            decimals = 0
        }
        let sign = value < 0 && (integer != 0 || decimals != 0) ? "-" : ""
        let fraction = String(decimals)
        return sign + String(integer) + "." + String(repeating: "0", count: 4 - fraction.count) + fraction
    }

    /// `fixed` with an explicit `+` on values that are not negative (a change: `+0.0120`, `-0.0300`).
    public static func signed(_ value: Double) -> String {
        let text = fixed(value)
        return text.hasPrefix("-") || value.isNaN ? text : "+" + text
    }

    /// Shortest round-trip form, integral values up to 2^53 as integers (what the JSON report
    /// writes), and `NaN`, `inf`, `-inf` where JSON has to write `null`: the form of CSV cells.
    public static func shortest(_ value: Double) -> String {
        value.isFinite ? json(value) : nonFinite(value)
    }

    /// A JSON number: shortest round-trip decimal form; integral values up to 2^53 print as
    /// integers; NaN and infinities become `null` (the report schema's rule).
    public static func json(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        // Integral values that a Double holds exactly print as integers (counts, ids).
        if value == value.rounded(), abs(value) <= exactIntegerLimit { return String(Int64(value)) }
        return String(value)
    }

    /// Six significant digits (C's `%.6g`), as `explain` shows values: 9.9999e-06, 0.990099, 0;
    /// `NaN`, `inf`, `-inf`.
    public static func significant(_ value: Double) -> String {
        guard value.isFinite else { return nonFinite(value) }
        if value == 0 { return "0" }
        return String(format: "%.6g", value)
    }

    /// An integer with thousands separators: 1950 → `1,950`, -1234567 → `-1,234,567`.
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// Seconds with three decimals: `0` (also for zero, negative and non-finite values), `12.345`.
    public static func seconds(_ value: Double) -> String {
        guard value.isFinite, value > 0 else { return "0" }
        let millis = Int64((value * 1_000).rounded())
        let fraction = String(millis % 1_000)
        return "\(millis / 1_000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }

    private static func nonFinite(_ value: Double) -> String {
        value.isNaN ? "NaN" : (value < 0 ? "-inf" : "inf")
    }
}
