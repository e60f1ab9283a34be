extension PipelineConfig {
    /// The configuration as YAML that `load` reads back to the same value
    /// (`nem track --print-config`); with `comments`, every section and key is explained, as in
    /// the repo's `pipeline.yaml`.
    public func printEffective(comments: Bool = true) -> String {
        var lines: [String] = []
        if comments {
            lines += [
                "# pipeline.yaml: what `nem track` runs. Every key is optional; a missing key keeps the",
                "# default shown here. Command-line flags override these keys, and",
                "# `nem track --print-config` prints the configuration in effect.",
            ]
        }
        var open: [String] = []  // the sections now open, outermost first
        for key in Self.keys {
            let section = key.section.split(separator: ".").map(String.init)
            var shared = 0
            while shared < min(open.count, section.count) && open[shared] == section[shared] { shared += 1 }
            open = Array(open.prefix(shared))
            for name in section[shared...] {
                open.append(name)
                let indent = String(repeating: "  ", count: open.count - 1)
                if comments {
                    if open.count == 1 { lines.append("") }
                    lines += commentLines(Self.sectionDocs[open.joined(separator: ".")] ?? "", indent: indent)
                }
                lines.append("\(indent)\(name):")
            }
            let indent = String(repeating: "  ", count: open.count)
            if comments { lines += commentLines(key.doc, indent: indent) }
            lines.append("\(indent)\(key.name): \(key.render(self))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The README's table of every key: its default, what it accepts and what it means.
    public static func markdownReference() -> String {
        let defaults = PipelineConfig()
        var lines = ["| key | default | accepts | meaning |", "|---|---|---|---|"]
        for key in keys {
            let cells = ["`\(key.path)`", "`\(key.render(defaults))`", key.values, key.doc]
            lines.append("| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Every dotted key, in the order they are printed.
    public static var keyPaths: [String] { keys.map(\.path) }
}

/// `text` as `# ` comment lines of at most about 96 columns.
private func commentLines(_ text: String, indent: String) -> [String] {
    guard !text.isEmpty else { return [] }
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ") {
        if !line.isEmpty && indent.count + 2 + line.count + 1 + word.count > 96 {
            lines.append(line)
            line = ""
        }
        line += (line.isEmpty ? "" : " ") + word
    }
    lines.append(line)
    return lines.map { "\(indent)# \($0)" }
}
