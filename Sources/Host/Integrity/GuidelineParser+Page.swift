import ProctorJSON

extension GuidelineParser {
    /// The guidelines for an interview whose page sent `page`
    /// (`{"rules": [...]}`) over the config's `base`: an entry with a rule id
    /// the config has changes that rule and may only make it stricter; an
    /// entry with a new id adds a whole rule. Rules the page leaves out stay
    /// as the config has them. Throws the first problem, naming the rule,
    /// the field and the value.
    public static func page(_ page: JSONValue, over base: Guidelines) throws(Problem) -> Guidelines {
        let root = JSONPath.root.appending("guidelines")
        guard let members = page.objectValue?.members else { throw Problem(path: root, message: "must be an object") }
        for (key, _) in members where key != "rules" {
            throw Problem(path: root.appending(key), message: "unknown field; guidelines take \"rules\"")
        }
        guard let items = page["rules"]?.arrayValue else {
            throw Problem(path: root.appending("rules"), message: "must be an array of rules")
        }
        var result = base
        var seen: Set<String> = []
        for (index, item) in items.enumerated() {
            let path = root.appending("rules").appending(index)
            guard let id = item["id"]?.stringValue else { throw Problem(path: path.appending("id"), message: "required: a rule id") }
            guard seen.insert(id).inserted else { throw Problem(path: path.appending("id"), message: "rule \"\(id)\" appears twice") }
            if let slot = result.rules.firstIndex(where: { $0.id == id }) {
                result.rules[slot] = try tighten(result.rules[slot], with: item, at: path)
            } else {
                switch rule(item, at: path) {
                case .success(let rule): result.rules.append(rule)
                case .failure(let problems): throw problems.all[0]
                }
            }
        }
        return result
    }

    /// `rule` with the page's `changes`, each at least as strict as the config's value.
    static func tighten(_ rule: GuidelineRule, with changes: JSONValue, at path: JSONPath) throws(Problem) -> GuidelineRule {
        let kind = ConditionKinds.named(rule.kind)!
        if let first = schema(for: kind, partial: true).violations(of: changes, at: path).first {
            throw Problem(path: first.path, message: first.message + " (rule \"\(rule.id)\" is of kind \(rule.kind))")
        }
        func looser(_ field: String, _ value: JSONValue, _ allowed: JSONValue, _ how: String) -> Problem {
            Problem(path: path.appending(field),
                    message: "\(value) is looser than this agent's config allows for rule \"\(rule.id)\" (\(field) \(allowed); a page may only \(how))")
        }
        var tightened = rule
        for (field, value) in changes.objectValue!.members {
            switch field {
            case "id", "kind": continue
            case "text": tightened.text = value.stringValue!
            case "severity":
                let severity = Severity(rawValue: value.stringValue!)!
                guard severity >= rule.severity else { throw looser(field, value, .string(rule.severity.rawValue), "raise it") }
                tightened.severity = severity
                // Its weight follows, unless the page sets cost or cap itself (below).
                tightened.cost = max(tightened.cost, severity.defaultCost)
                tightened.cap = max(tightened.cap, severity.defaultCap)
            case "cost", "cap":
                let current = field == "cost" ? rule.cost : rule.cap
                guard value.doubleValue! >= current else { throw looser(field, value, .number(current), "raise it") }
                if field == "cost" { tightened.cost = value.doubleValue! } else { tightened.cap = value.doubleValue! }
            default:
                let parameter = kind.parameters.first { $0.name == field }!
                let allowed = rule.parameters[field] ?? .null
                switch parameter.stricter {
                case .lower:
                    guard value.doubleValue! <= allowed.doubleValue! else { throw looser(field, value, allowed, "lower it") }
                case .higher:
                    guard value.doubleValue! >= allowed.doubleValue! else { throw looser(field, value, allowed, "raise it") }
                case .superset:
                    let given = Set(value.arrayValue!.map(JSONWriter.compact))
                    guard given.isSuperset(of: (allowed.arrayValue ?? []).map(JSONWriter.compact)) else {
                        throw looser(field, value, allowed, "add to it")
                    }
                case .fixed:
                    guard value == allowed else {
                        throw Problem(path: path.appending(field), message: "rule \"\(rule.id)\" reads \(field) \(allowed) by this agent's config; a page may not change it")
                    }
                }
                tightened.parameters[field] = value
            }
        }
        return tightened
    }
}
