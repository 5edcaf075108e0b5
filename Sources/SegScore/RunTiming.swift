import Foundation

/// When a run started and how long it took (wall clock): JUnit's `timestamp` and `time`.
public struct RunTiming: Sendable, Equatable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var start: Double
    /// Wall-clock seconds of the run.
    public var seconds: Double

    /// A timing from its start (seconds since 1970) and its wall-clock duration in seconds.
    public init(start: Double, seconds: Double) {
        self.start = start
        self.seconds = seconds
    }

    /// A stopwatch started now.
    public static func started() -> (start: Double, clock: ContinuousClock.Instant) {
        (Date().timeIntervalSince1970, ContinuousClock.now)
    }

    /// The timing of a run begun at `began`, ending now.
    public static func since(_ began: (start: Double, clock: ContinuousClock.Instant)) -> RunTiming {
        let elapsed = ContinuousClock.now - began.clock
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return RunTiming(start: began.start, seconds: max(0, seconds))
    }

    /// `SOURCE_DATE_EPOCH` (whole seconds, 0 through the end of year 9999), when set and valid.
    public static func sourceDateEpoch(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Double? {
        guard let text = environment["SOURCE_DATE_EPOCH"], let seconds = Int64(text), seconds >= 0, seconds <= 253_402_300_799
        else {
            return nil
        }
        return Double(seconds)
    }

    /// What a report shows: with `SOURCE_DATE_EPOCH` set, that instant and a time of 0 (the
    /// reproducible-builds convention: the same inputs give the same bytes); otherwise the run's
    /// own timing, or now and 0 when the result carries none.
    public static func reported(for measured: RunTiming?, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> RunTiming
    {
        if let epoch = sourceDateEpoch(environment) { return RunTiming(start: epoch, seconds: 0) }
        return measured ?? RunTiming(start: Date().timeIntervalSince1970, seconds: 0)
    }
}
