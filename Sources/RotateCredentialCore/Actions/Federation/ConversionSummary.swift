/// Markdown for the run summary of `service-connection-convert`.
enum ConversionSummary {
    static func markdown(_ report: ConversionReport) -> String {
        var lines = [
            "### Convert service connections to workload identity federation\(report.dryRun ? " (dry run)" : "")", "",
        ]
        for failure in report.failures { lines.append("**Failed**: \(failure)") }
        if !report.failures.isEmpty { lines.append("") }
        lines += ["| Connection | Outcome | Scheme | Issuer | Revert until | Proof |", "|---|---|---|---|---|---|"]
        for row in report.connections {
            let issuer = row.issuer.map { FederationIssuer($0).rawValue } ?? "-"
            lines.append(
                "| `\(row.name)` | \(row.outcome) | \(row.scheme) | \(issuer) | \(row.revertDeadline ?? "-") | \(row.proof ?? "-") |"
            )
        }
        if !report.retirements.isEmpty {
            lines.append("")
            for note in report.retirements { lines.append("- \(note.credential): \(note.outcome)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
