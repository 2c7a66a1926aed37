/// Who is asking, as the audit log records it.
public struct RequestInfo: Sendable {
    public var requestID: String
    public var clientIP: String?
    public var userAgent: String?

    public init(requestID: String, clientIP: String? = nil, userAgent: String? = nil) {
        self.requestID = requestID
        self.clientIP = clientIP
        self.userAgent = userAgent
    }
}
