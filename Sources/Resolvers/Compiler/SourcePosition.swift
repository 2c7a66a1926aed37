import GraphQL

/// A 1-based line and column in a document, for error locations.
struct SourcePosition {
    var line = 1
    var column = 1

    init(source: Source, offset: Int) {
        for byte in source.body.utf8.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                self.line += 1
                self.column = 1
            } else if byte & 0xC0 != 0x80 {
                self.column += 1
            }
        }
    }
}
