import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element: its name, its text and its child elements; enough for S3's
/// responses (listings, errors, multipart uploads), which carry no attributes we need.
struct XMLTree: Sendable, Equatable {
    /// The element's local name (`Contents`, `Key`, …).
    var name: String
    /// The element's own text, concatenated.
    var text: String = ""
    /// Child elements in document order.
    var children: [XMLTree] = []

    /// Parses `bytes`; `nil` if they are not well-formed XML.
    init?(parsing bytes: [UInt8]) {
        let builder = XMLTreeBuilder()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else { return nil }
        self = root
    }

    /// An element with `name` (used while building).
    init(name: String) { self.name = name }

    /// The children named `name`.
    func all(_ name: String) -> [XMLTree] { children.filter { $0.name == name } }

    /// The text of the first child named `name`, if any.
    func text(of name: String) -> String? { children.first { $0.name == name }?.text }
}

/// Collects `XMLParser` events into an ``XMLTree``.
private final class XMLTreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLTree] = []
    var root: XMLTree?

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        stack.append(XMLTree(name: elementName))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if !stack.isEmpty { stack[stack.count - 1].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard let finished = stack.popLast() else { return }
        if stack.isEmpty {
            root = finished
        } else {
            stack[stack.count - 1].children.append(finished)
        }
    }
}

/// Escapes `&`, `<`, `>`, `"` and `'` for XML text.
func xmlEscaped(_ text: String) -> String {
    var out = ""
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default: out.append(character)
        }
    }
    return out
}
