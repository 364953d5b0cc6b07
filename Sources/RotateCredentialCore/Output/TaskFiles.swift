/// The one path by which the task writes files (report, summary): every text goes through the
/// same scrubbing as the log before it reaches the ``FileWriter``.
struct TaskFiles: Sendable {
    private let writer: any FileWriter
    private let output: PipelineOutput

    /// Creates the path over `writer`, scrubbing with `output`'s registered secrets.
    init(writer: any FileWriter, output: PipelineOutput) {
        self.writer = writer
        self.output = output
    }

    /// Writes Markdown or plain text, scrubbed and neutralised like a log line.
    func writeText(_ text: String, to path: String) throws {
        try writer.write(Data(output.clean(text).utf8), to: path)
    }

    /// Writes `value` as JSON with every registered secret (raw or JSON-escaped) replaced by `***`.
    func writeJSON<Value: Encodable>(_ value: Value, to path: String) throws {
        let encoded = String(decoding: try JSON.encoder().encode(value), as: UTF8.self)
        try writer.write(Data(output.scrub(encoded).utf8), to: path)
    }
}
