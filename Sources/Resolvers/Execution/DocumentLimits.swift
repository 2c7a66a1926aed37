import GraphQL

/// Size checks made on the raw text before parsing: bytes and lexical tokens.
enum DocumentLimits {
    static func check(_ text: String, _ limits: QueryLimits) throws {
        guard text.utf8.count <= limits.maxDocumentBytes else {
            throw QueryError.validation("The document is larger than \(limits.maxDocumentBytes) bytes.", line: nil, column: nil)
        }
        guard tokenCount(text, stoppingAfter: limits.maxTokens) <= limits.maxTokens else {
            throw QueryError.validation("The document has more than \(limits.maxTokens) tokens.", line: nil, column: nil)
        }
    }

    /// Counts GraphQL tokens (punctuators, names, numbers, strings); ignores whitespace, commas
    /// and comments. Stops counting once past `limit`.
    static func tokenCount(_ text: String, stoppingAfter limit: Int) -> Int {
        let bytes = Array(text.utf8)
        var index = 0
        var count = 0
        func isNameByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
                || byte == 0x2E || byte == 0x2D || byte == 0x2B
        }
        while index < bytes.count, count <= limit {
            let byte = bytes[index]
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D, 0x2C, 0xEF, 0xBB, 0xBF:
                index += 1
            case 0x23:  // comment
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
            case 0x22:  // string or block string
                count += 1
                if index + 2 < bytes.count, bytes[index + 1] == 0x22, bytes[index + 2] == 0x22 {
                    index += 3
                    while index + 2 < bytes.count, !(bytes[index] == 0x22 && bytes[index + 1] == 0x22 && bytes[index + 2] == 0x22) {
                        index += bytes[index] == 0x5C ? 2 : 1
                    }
                    index += 3
                } else {
                    index += 1
                    while index < bytes.count, bytes[index] != 0x22, bytes[index] != 0x0A {
                        index += bytes[index] == 0x5C ? 2 : 1
                    }
                    index += 1
                }
            default:
                count += 1
                if byte == 0x2E {
                    index += 3  // ...
                } else if isNameByte(byte) {
                    while index < bytes.count, isNameByte(bytes[index]), bytes[index] != 0x2E { index += 1 }
                } else {
                    index += 1
                }
            }
        }
        return count
    }
}
