internal import CMaskCodecs

/// Where a volume lies in space: what a NIfTI header's qform or sform says, as ITK (SimpleITK,
/// nnU-Net's reader) reads it.
///
/// Values are in the header's right-anterior-superior frame (NIfTI's; ITK shows x and y negated),
/// in millimetres. Voxel `(i, j, k)` lies at `origin + i·spacing[0]·column 0 + j·spacing[1]·column 1
/// + k·spacing[2]·column 2` of `direction`.
public struct VolumeGeometry: Sendable, Equatable {
    /// Voxel spacing along the three axes in mm (`|pixdim[1...3]|` in the units of `xyzt_units`).
    public var spacing: [Double]
    /// Where voxel (0, 0, 0) lies, in mm.
    public var origin: [Double]
    /// The unit direction of each voxel axis, row by row (`direction[3 · row + axis]`): column
    /// `axis` is the direction of voxel axis `axis`. The identity when the header gives none.
    public var direction: [Double]
    /// Which transform gave `origin` and `direction`: `sform`, `qform`, or `none` (both codes 0:
    /// origin 0, identity directions, as ITK reads such a file).
    public var source: String

    /// A geometry from its parts.
    public init(spacing: [Double], origin: [Double], direction: [Double], source: String) {
        self.spacing = spacing
        self.origin = origin
        self.direction = direction
        self.source = source
    }

    /// The geometry a NIfTI header declares, choosing between qform and sform as ITK 5.4's
    /// `NiftiImageIO` does (SimpleITK 2.5, nnU-Net's reader): the sform when its code is not 0, its
    /// 3×3 part has orthogonal columns (within 1e-4 once each column is normalised) and either the
    /// qform code is 0, or the sform code is 1 (scanner), or both describe the same geometry (within
    /// 1e-4); otherwise the qform when its code is not 0; with both codes 0, origin 0 and identity
    /// directions. (nibabel takes the sform whenever its code is not 0.)
    /// - Parameters:
    ///   - facts: the header's fields.
    ///   - spacing: `|pixdim[1...3]|` in mm.
    public init(nifti facts: NiftiFacts, spacing: [Double]) {
        let scale = NiftiFacts.millimetres(1, unit: facts.spaceUnit)
        self.spacing = spacing
        let sform = Self.sformMatrix(facts)
        let qform = Self.qformMatrix(facts)
        var chosen: (matrix: [Double], source: String)?
        if facts.sformCode > 0, Self.orthogonalColumns(sform) {
            if facts.qformCode <= 0 || facts.sformCode == 1 || Self.similar(sform, qform) {
                chosen = (sform, "sform")
            }
        }
        if chosen == nil, facts.qformCode > 0 {
            chosen = (qform, "qform")
        } else if chosen == nil, facts.sformCode > 0 {
            // ITK refuses a skewed sform without a qform; its normalised columns are the best guess.
            chosen = (sform, "sform")
        }
        guard let (matrix, source) = chosen else {
            origin = [0, 0, 0]
            direction = [1, 0, 0, 0, 1, 0, 0, 0, 1]
            self.source = "none"
            return
        }
        origin = (0..<3).map { matrix[4 * $0 + 3] * scale }
        direction = Self.normalisedColumns(matrix)
        self.source = source
    }

    /// The sform as a 3×4 matrix, row by row.
    static func sformMatrix(_ facts: NiftiFacts) -> [Double] {
        facts.srow.count == 12 ? facts.srow : [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]
    }

    /// The qform as a 3×4 matrix, row by row (NIfTI-1 "method 2": quaternion, qfac, pixdim, qoffset).
    static func qformMatrix(_ facts: NiftiFacts) -> [Double] {
        guard facts.quatern.count == 3, facts.qoffset.count == 3 else { return [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0] }
        var (b, c, d) = (facts.quatern[0], facts.quatern[1], facts.quatern[2])
        var a = 1 - (b * b + c * c + d * d)
        if a < 1e-7 {
            // nifti1_io: a 180° rotation; renormalise (b, c, d).
            let norm = (b * b + c * c + d * d).squareRoot()
            if norm > 0 { (b, c, d) = (b / norm, c / norm, d / norm) }
            a = 0
        } else {
            a = a.squareRoot()
        }
        let size = facts.pixdim.prefix(3).map { $0 > 0 ? $0 : 1 } + Array(repeating: 1, count: max(0, 3 - facts.pixdim.count))
        let qfac = facts.qfac < 0 ? -1.0 : 1.0
        let rotation = [
            a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c),
            2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b),
            2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b,
        ]
        var matrix: [Double] = []
        for row in 0..<3 {
            matrix += [
                rotation[3 * row] * size[0], rotation[3 * row + 1] * size[1], rotation[3 * row + 2] * size[2] * qfac,
                facts.qoffset[row],
            ]
        }
        return matrix
    }

    /// The 3×3 part's columns, each scaled to length 1 (a zero column stays zero), row by row.
    static func normalisedColumns(_ matrix: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: 9)
        for column in 0..<3 {
            let values = (0..<3).map { matrix[4 * $0 + column] }
            let length = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for row in 0..<3 { out[3 * row + column] = length > 0 ? values[row] / length : 0 }
        }
        return out
    }

    /// Whether the normalised columns `R` satisfy `R·Rᵀ = I` within 1e-4 per element (ITK's test).
    static func orthogonalColumns(_ matrix: [Double]) -> Bool {
        let r = normalisedColumns(matrix)
        for i in 0..<3 {
            for j in 0..<3 {
                let dot = (0..<3).reduce(0.0) { $0 + r[3 * i + $1] * r[3 * j + $1] }
                if !(abs(dot - (i == j ? 1 : 0)) <= 1e-4) { return false }
            }
        }
        return true
    }

    /// Whether two transforms agree within 1e-4: column lengths, directions and offsets.
    static func similar(_ a: [Double], _ b: [Double]) -> Bool {
        let ra = normalisedColumns(a)
        let rb = normalisedColumns(b)
        for column in 0..<3 {
            let la = (0..<3).reduce(0.0) { $0 + a[4 * $1 + column] * a[4 * $1 + column] }.squareRoot()
            let lb = (0..<3).reduce(0.0) { $0 + b[4 * $1 + column] * b[4 * $1 + column] }.squareRoot()
            if !(abs(la - lb) <= 1e-4) { return false }
        }
        for i in 0..<9 where !(abs(ra[i] - rb[i]) <= 1e-4) { return false }
        for row in 0..<3 where !(abs(a[4 * row + 3] - b[4 * row + 3]) <= 1e-4) { return false }
        return true
    }
}

extension MaskDecoder {
    static func niftiFacts(of info: cmask_info) -> NiftiFacts {
        let names: [UInt32: String] = [
            2: "uint8", 256: "int8", 4: "int16", 512: "uint16", 8: "int32", 768: "uint32", 1024: "int64", 1280: "uint64",
            16: "float32", 64: "float64",
        ]
        let units: [UInt32: String] = [1: "m", 2: "mm", 3: "um"]
        // NIfTI-1 stores 32-bit floats: scl_slope/scl_inter keep the value its writer meant (0.004,
        // not 0.004000000189989805); pixdim stays the stored value, as SimpleITK and nibabel read it
        // (so distances in mm equal theirs: 0.1 mm is 0.10000000149011612).
        func stored(_ value: Double) -> Double { info.nifti_version == 1 ? Double("\(Float(value))") ?? value : value }
        let declared = [info.width, info.height, info.pages, info.channels].map(Int.init)
        let dims = (0..<Int(info.dims)).map { $0 < 4 ? declared[$0] : 1 }
        var facts = NiftiFacts(
            version: Int(info.nifti_version), dataType: names[info.nifti_datatype] ?? "datatype \(info.nifti_datatype)",
            dataTypeCode: Int(info.nifti_datatype), gzip: info.gzip != 0, bigEndian: info.big_endian != 0, dims: dims,
            pixdim: [info.pixdim.0, info.pixdim.1, info.pixdim.2],
            spaceUnit: units[info.xyzt_units & 7] ?? "unknown",
            qformCode: Int(info.qform_code), sformCode: Int(info.sform_code), sclSlope: stored(info.scl_slope),
            sclInter: stored(info.scl_inter), scaled: info.scaled != 0, floatsReadAsLabels: false)
        facts.qfac = info.qfac
        facts.quatern = withUnsafeBytes(of: info.quatern) { Array($0.bindMemory(to: Double.self)) }
        facts.qoffset = withUnsafeBytes(of: info.qoffset) { Array($0.bindMemory(to: Double.self)) }
        facts.srow = withUnsafeBytes(of: info.srow) { Array($0.bindMemory(to: Double.self)) }
        return facts
    }

    /// Float NIfTI data holding only whole numbers from 0 to 2^32 − 1 (no NaN) as integer labels
    /// of the smallest type that holds them; nil when any value is not such a number. The labels
    /// are a new array beside the floats: `MaskHeader.conversionBytes` counts it.
    static func wholeNumbers(_ values: [Float]) -> MaskSamples? {
        var largest: Float = 0
        let whole = values.withUnsafeBufferPointer { buffer -> Bool in
            for value in buffer {
                guard value >= 0, value < 4_294_967_296, value == value.rounded(.towardZero) else { return false }
                largest = Swift.max(largest, value)
            }
            return true
        }
        guard whole, !values.isEmpty else { return nil }
        if largest <= 255 { return .uint8(values.map { UInt8($0) }) }
        if largest <= 65535 { return .uint16(values.map { UInt16($0) }) }
        return .uint32(values.map { UInt32($0) })
    }
}
