internal import CMaskCodecs

/// The pixel size a TIFF declares, in millimetres (x, y, z), or nil.
///
/// The rule: an ImageJ file (ImageDescription starting `ImageJ=`) with a length `unit=` (nm,
/// micron/um/µm, mm, cm, m, inch) has pixels 1/XResolution × 1/YResolution units and slices
/// `spacing=` units apart (1 unit when absent). Otherwise ResolutionUnit inch (2, also when the
/// tag is absent) or centimetre (3) gives 25.4/XResolution or 10/XResolution mm, z 1 mm.
/// ResolutionUnit none (1), an ImageJ unit that is not a length (`pixel`), or no resolution
/// declares nothing. A 72-dpi TIFF from an image editor thus has 0.3528 mm pixels: pass
/// `--spacing 1,1` to measure in pixels.
enum TIFFSpacing {
    /// Millimetres per unit of ImageJ's `unit=` spellings.
    static let imageJUnits: [String: Double] = [
        "nm": 1e-6, "nanometer": 1e-6, "micron": 1e-3, "microns": 1e-3, "um": 1e-3, "µm": 1e-3, "\u{03BC}m": 1e-3,
        "\\u00B5m": 1e-3, "micrometer": 1e-3, "mm": 1, "millimeter": 1, "cm": 10, "centimeter": 10, "m": 1000,
        "meter": 1000, "inch": 25.4, "in": 25.4,
    ]

    static func millimetres(of info: cmask_info) -> [Double]? {
        let x = info.resolution.0
        let y = info.resolution.1
        guard x > 0, y > 0 else { return nil }
        if info.imagej != 0 {
            let unit = withUnsafeBytes(of: info.imagej_unit) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let scale = imageJUnits[unit.lowercased()] ?? imageJUnits[unit] {
                let z = info.imagej_spacing > 0 ? info.imagej_spacing : 1
                return [scale / x, scale / y, scale * z]
            }
        }
        switch info.resolution_unit {
        case 2: return [25.4 / x, 25.4 / y, 1]
        case 3: return [10 / x, 10 / y, 1]
        default: return nil
        }
    }
}
