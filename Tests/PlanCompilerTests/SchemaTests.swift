import Foundation
import PlanModel
import Testing

/// `schemas/plan.schema.json` documents exactly the keys the decoder accepts.
@Suite struct SchemaTests {
    static func schema() throws -> [String: Any] {
        let data = try Data(contentsOf: TestPaths.packageRoot.appendingPathComponent("schemas/plan.schema.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func keys(_ object: Any?, _ path: [String]) throws -> Set<String> {
        var node = try #require(object as? [String: Any])
        for p in path { node = try #require(node[p] as? [String: Any], "\(path)") }
        let properties = try #require(node["properties"] as? [String: Any], "\(path)")
        return Set(properties.keys)
    }

    @Test func schemaKeysMatchTheDecoder() throws {
        let s = try Self.schema()
        let p = ["properties"]
        let defs = ["$defs"]
        let cases: [([String], [String])] = [
            ([], PlanKeys.plan),
            (p + ["hosts", "additionalProperties"], PlanKeys.host),
            (p + ["directory"], PlanKeys.directory),
            (p + ["directory", "properties", "attributes"], PlanKeys.directoryAttributes),
            (defs + ["secret"], PlanKeys.secret),
            (p + ["source"], PlanKeys.source),
            (p + ["store"], PlanKeys.store),
            (p + ["services"], PlanKeys.services),
            (p + ["services", "properties", "legacy_mta"], PlanKeys.service),
            (p + ["services", "properties", "store_server"], PlanKeys.service),
            (p + ["services", "properties", "dirsync"], PlanKeys.run),
            (p + ["services", "properties", "hold"], PlanKeys.hold),
            (p + ["services", "properties", "choke"], PlanKeys.choke),
            (p + ["services", "properties", "working_check"], PlanKeys.workingCheck),
            (p + ["directory", "properties", "create"], PlanKeys.directoryCreate),
            (p + ["forward"], PlanKeys.forward),
            (defs + ["batch"], PlanKeys.batch),
            (defs + ["batch", "properties", "users_from"], PlanKeys.usersFrom),
            (p + ["policy"], PlanKeys.policy),
            (p + ["policy", "properties", "retries"], PlanKeys.retries),
        ]
        for (path, expected) in cases {
            #expect(try Self.keys(s, path) == Set(expected), "\(path)")
        }
    }

    @Test func enumsMatchTheModel() throws {
        let s = try Self.schema()
        let props = try #require(s["properties"] as? [String: Any])
        let strategy = try #require(props["strategy"] as? [String: Any])
        #expect(strategy["enum"] as? [String] == Strategy.allCases.map(\.rawValue))
        let directory = try #require(props["directory"] as? [String: Any])
        let dprops = try #require(directory["properties"] as? [String: Any])
        #expect((dprops["profile"] as? [String: Any])?["enum"] as? [String] == DirectoryProfile.allCases.map(\.rawValue))
        let source = try #require((props["source"] as? [String: Any])?["properties"] as? [String: Any])
        #expect((source["format"] as? [String: Any])?["enum"] as? [String] == SourceSpec.Format.allCases.map(\.rawValue))
    }
}
