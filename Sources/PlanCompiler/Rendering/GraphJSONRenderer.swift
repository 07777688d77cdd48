import Foundation
import Steps

/// `mailshift graph --format json`: a stable machine format (keys sorted, format number first
/// bumped on any incompatible change). Templates are listed in a runnable order; a dependency
/// names a template index and a scope (`all` steps of it, or the `same_user`'s step).
public enum GraphJSONRenderer {
    struct Document: Encodable {
        var format = 1
        var plan: String
        var strategy: String
        var fingerprint: String
        var stepCount: Int
        var users: [String]
        var batches: [Batch]
        var templates: [Template]
        var hosts: [String: HostEndpoint]
        var directory: DirectoryEndpoint?
        var policy: RunPolicy

        enum CodingKeys: String, CodingKey {
            case format, plan, strategy, fingerprint, users, batches, templates, hosts, directory, policy
            case stepCount = "step_count"
        }
    }

    struct Batch: Encodable {
        var name: String
        var firstUser: Int
        var userCount: Int
        var usersFingerprint: String
        var maxFailures: Int?
        enum CodingKeys: String, CodingKey {
            case name
            case firstUser = "first_user", userCount = "user_count", usersFingerprint = "users_fingerprint", maxFailures = "max_failures"
        }
    }

    struct Template: Encodable {
        var id: String
        var kind: String
        var batch: Int?
        var fanout: String
        var host: String?
        var label: String?
        var fingerprint: String
        var reversible: Bool
        var parameters: Parameters
        var dependencies: [Dependency]
    }

    /// Parameters as a plain JSON object: text → string, list → array, number, flag → boolean.
    struct Parameters: Encodable {
        var entries: [(key: String, value: StepParameters.Value)]

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            for e in entries {
                let k = Key(stringValue: e.key)
                switch e.value {
                case .text(let s): try c.encode(s, forKey: k)
                case .list(let l): try c.encode(l, forKey: k)
                case .number(let n): try c.encode(n, forKey: k)
                case .flag(let b): try c.encode(b, forKey: k)
                }
            }
        }
    }

    struct Dependency: Encodable {
        var template: Int
        var scope: String
    }

    public static func render(_ g: StepGraph) throws -> String {
        let doc = Document(
            plan: g.planName, strategy: g.strategy, fingerprint: g.fingerprint.hex, stepCount: g.stepCount, users: g.users,
            batches: g.batches.map {
                Batch(name: $0.name, firstUser: $0.users.lowerBound, userCount: $0.users.count, usersFingerprint: $0.usersFingerprint.hex,
                    maxFailures: $0.maxFailures)
            },
            templates: g.templates.map { t in
                Template(
                    id: t.idPrefix, kind: t.kind.rawValue, batch: t.batch, fanout: t.fanout.rawValue, host: t.host, label: t.label,
                    fingerprint: t.fingerprint.hex, reversible: !t.kind.isIrreversible, parameters: Parameters(entries: t.parameters.entries),
                    dependencies: t.dependencies.map { d in
                        switch d {
                        case .all(let u): Dependency(template: u, scope: "all")
                        case .sameUser(let u): Dependency(template: u, scope: "same_user")
                        }
                    })
            },
            hosts: g.hosts, directory: g.directory, policy: g.policy)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(doc), as: UTF8.self) + "\n"
    }
}
