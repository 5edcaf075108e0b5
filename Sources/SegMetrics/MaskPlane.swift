/// A sample type segscore counts: the integer and floating-point types masks are stored in.
public protocol MaskSample: Sendable {
    /// The sample as a Double (exact for every integer type segscore reads).
    var sampleValue: Double { get }
}

extension UInt8: MaskSample {
    /// The sample as a Double (exact).
    @inlinable public var sampleValue: Double { Double(self) }
}
extension UInt16: MaskSample {
    /// The sample as a Double (exact).
    @inlinable public var sampleValue: Double { Double(self) }
}
extension UInt32: MaskSample {
    /// The sample as a Double (exact).
    @inlinable public var sampleValue: Double { Double(self) }
}
extension Float: MaskSample {
    /// The sample widened to a Double (exact).
    @inlinable public var sampleValue: Double { Double(self) }
}
extension Double: MaskSample {
    /// The sample itself.
    @inlinable public var sampleValue: Double { self }
}

/// Per-pixel values of one plane, read in pixel order by the counting loops of `ChannelCounting`:
/// a stored channel (`MaskPlane`), or a view that computes each value from stored samples inline
/// (a one-hot plane of a label map, a scaled or thresholded channel), so no plane is copied.
public protocol PlaneValues {
    /// Pixels in the plane.
    var count: Int { get }
    /// The value of pixel `i` (unchecked: `i` must be below `count`).
    func value(at i: Int) -> Double
}

/// One channel of a flat sample buffer: `count` samples starting at `offset`, `stride` apart.
///
/// Channel c of an interleaved K-channel image is `MaskPlane(buffer, offset: c, stride: K)`;
/// channel c of a channel-first array is `MaskPlane(buffer, offset: c·n, stride: 1, count: n)`.
/// The buffer must outlive the plane (use it inside `withUnsafeBufferPointer`).
public struct MaskPlane<T: MaskSample> {
    /// The flat sample buffer the plane reads (not owned: it must outlive the plane).
    public let buffer: UnsafeBufferPointer<T>
    /// The index in `buffer` of the plane's first sample.
    public let offset: Int
    /// The distance in samples between consecutive pixels of the plane (K for interleaved K-channel data).
    public let stride: Int
    /// Pixels in the plane.
    public let count: Int

    /// Creates a plane; it must lie inside `buffer`.
    public init(_ buffer: UnsafeBufferPointer<T>, offset: Int = 0, stride: Int = 1, count: Int? = nil) {
        let count = count ?? (buffer.count - offset + stride - 1) / stride
        precondition(offset >= 0 && stride >= 1 && count >= 0, "invalid plane geometry")
        precondition(count == 0 || offset + (count - 1) * stride < buffer.count, "plane exceeds its buffer")
        self.buffer = buffer
        self.offset = offset
        self.stride = stride
        self.count = count
    }

    /// Sample `i` of the plane (unchecked: `i` must be below `count`).
    @inlinable @inline(__always)
    public subscript(i: Int) -> T {
        buffer.baseAddress.unsafelyUnwrapped[offset &+ i &* stride]
    }
}

extension MaskPlane: PlaneValues {
    /// Sample `i` as a Double (unchecked: `i` must be below `count`).
    @inlinable @inline(__always)
    public func value(at i: Int) -> Double { self[i].sampleValue }
}
