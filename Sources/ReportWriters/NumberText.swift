/// How numbers are written in the human-readable reports (text summary, Markdown, gate messages)
/// and in CSV cells. Every finite Double prints, however large or small: no conversion to a
/// fixed-width integer can trap.
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
        value.isFinite ? JSONValue.format(value) : nonFinite(value)
    }

    private static func nonFinite(_ value: Double) -> String {
        value.isNaN ? "NaN" : (value < 0 ? "-inf" : "inf")
    }
}
