internal import CMaskCodecs

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Opening mask files with errors that say what went wrong.
enum MaskFile {
    /// Opens the regular file at `path` for reading; the caller closes the descriptor.
    /// - Throws: `MaskIOError.unreadable` for a missing file, a directory, a FIFO or a permission problem.
    static func open(path: String) throws(MaskIOError) -> Int32 {
        // O_NONBLOCK: opening a FIFO named like a mask must not wait for a writer; it is refused below.
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        let opened = descriptor >= 0 ? 0 : errno
        guard opened == 0 else { throw .unreadable(path: path, reason: errorText(opened)) }
        var status = stat()
        let examined = fstat(descriptor, &status) == 0 ? 0 : errno
        guard examined == 0 else {
            let reason = errorText(examined)
            Glibc.close(descriptor)
            throw .unreadable(path: path, reason: reason)
        }
        let kind = status.st_mode & S_IFMT
        guard kind == S_IFREG else {
            Glibc.close(descriptor)
            throw .unreadable(path: path, reason: kind == S_IFDIR ? "is a directory" : "not a regular file")
        }
        return descriptor
    }

    /// `strerror` of an errno read right after the failing call, in lower case.
    private static func errorText(_ errorNumber: Int32) -> String {
        String(cString: strerror(errorNumber)).lowercased()
    }
}

extension MaskFormat {
    /// Recognises PNG, TIFF or NIfTI from a file's first bytes (8 are enough); nil for anything else.
    public init?(sniffing bytes: [UInt8]) {
        let format = bytes.withUnsafeBufferPointer { cmask_sniff($0.baseAddress, $0.count) }
        switch format {
        case CMASK_FORMAT_PNG: self = .png
        case CMASK_FORMAT_TIFF: self = .tiff
        case CMASK_FORMAT_NIFTI: self = .nifti
        default: return nil
        }
    }
}
