/// What values a mask holds: range, number of distinct values, and a histogram when it is small.
public struct MaskStatistics: Sendable, Equatable {
    /// Smallest stored sample (NaN samples of float data are left out; NaN if every sample is NaN).
    public var min: Double
    /// Largest stored sample.
    public var max: Double
    /// Number of distinct values, for integer data; nil for floats.
    public var distinct: Int?
    /// `(value, count)` in increasing value order when integer data has at most
    /// `histogramLimit` distinct values; nil otherwise and for floats.
    public var histogram: [ValueCount]?

    /// One histogram bin.
    public struct ValueCount: Sendable, Equatable {
        /// A stored sample value.
        public var value: UInt32
        /// Samples holding that value.
        public var count: Int
        /// A bin of `count` samples equal to `value`.
        public init(value: UInt32, count: Int) {
            self.value = value
            self.count = count
        }
    }

    /// The largest number of distinct values listed in `histogram`.
    public static let histogramLimit = 256

    /// Scans every sample of every channel and page once.
    /// - Complexity: O(n) for 8- and 16-bit data, O(n log n) for 32-bit integers.
    public init(of mask: DecodedMask) {
        switch mask.samples {
        case .uint8(let values): self.init(counting: values, range: 256)
        case .uint16(let values): self.init(counting: values, range: 65536)
        case .uint32(let values): self.init(sorting: values)
        case .float32(let values): self.init(floats: values)
        }
    }

    private init<T: FixedWidthInteger & UnsignedInteger>(counting values: [T], range: Int) {
        var counts = [Int](repeating: 0, count: range)
        counts.withUnsafeMutableBufferPointer { bins in
            values.withUnsafeBufferPointer { samples in
                for value in samples { bins[Int(truncatingIfNeeded: value)] &+= 1 }
            }
        }
        var bins: [ValueCount] = []
        for (value, count) in counts.enumerated() where count > 0 {
            bins.append(ValueCount(value: UInt32(value), count: count))
        }
        self.init(bins: bins)
    }

    private init(sorting values: [UInt32]) {
        var bins: [ValueCount] = []
        for value in values.sorted() {
            if let last = bins.last, last.value == value {
                bins[bins.count - 1].count += 1
            } else {
                bins.append(ValueCount(value: value, count: 1))
            }
        }
        self.init(bins: bins)
    }

    private init(bins: [ValueCount]) {
        min = Double(bins.first?.value ?? 0)
        max = Double(bins.last?.value ?? 0)
        distinct = bins.count
        histogram = bins.count <= Self.histogramLimit ? bins : nil
    }

    private init(floats values: [Float]) {
        var low = Float.infinity
        var high = -Float.infinity
        for value in values where !value.isNaN {
            low = Swift.min(low, value)
            high = Swift.max(high, value)
        }
        let any = low <= high
        min = any ? Double(low) : .nan
        max = any ? Double(high) : .nan
        distinct = nil
        histogram = nil
    }
}
