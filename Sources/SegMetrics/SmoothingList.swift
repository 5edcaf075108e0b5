import Foundation

extension Smoothing {
    /// Parses a smoothing list as `--smooth`, `--smooth-nr` and `--smooth-dr` take it: `S` or one
    /// value per scored class `S1,S2,…`, each a finite, non-negative number (spaces around a value
    /// are allowed; an empty item is not). The one parser of `evaluate` and `explain`.
    /// - Parameters:
    ///   - text: the option's value.
    ///   - option: the option's name, for the message (`--smooth`).
    /// - Returns: the values, in order.
    /// - Throws: `DiceVariant.ParseError` naming the option: "--smooth takes non-negative numbers: …".
    public static func values(parsing text: String, option: String) throws(DiceVariant.ParseError) -> [Double] {
        var values: [Double] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = Double(item.trimmingCharacters(in: .whitespaces)), value.isFinite, value >= 0 else {
                throw DiceVariant.ParseError(description: "\(option) takes non-negative numbers: 1e-5 or 1e-5,1,100")
            }
            values.append(value)
        }
        return values
    }
}
