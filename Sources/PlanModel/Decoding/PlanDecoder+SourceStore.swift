import Diagnostics
import YAMLSource

extension PlanDecoder {
    mutating func source(_ node: YAMLNode) -> SourceSpec? {
        guard let f = fields(node, "'source'", allowed: PlanKeys.source, required: ["host"]) else {
            return nil
        }
        var s = SourceSpec(range: range(node))
        s.host = locatedString(f["host"], "'source.host'")
        if let v = locatedString(f["spool"], "'source.spool'") {
            s.spool = v.value
            s.spoolRange = v.range
        }
        s.format = enumValue(f["format"], "'source.format'", as: SourceSpec.Format.self) ?? .auto
        s.ifAmbiguous = enumValue(f["if_ambiguous"], "'source.if_ambiguous'", as: SourceSpec.AmbiguousFormat.self)
        if let v = string(f["timezone"], "'source.timezone'") { s.timezone = v }
        s.lock = bool(f["lock"], "'source.lock'") ?? true
        return s
    }

    mutating func store(_ node: YAMLNode) -> StoreSpec? {
        guard let f = fields(node, "'store'", allowed: PlanKeys.store, required: ["kind"]) else {
            return nil
        }
        var s = StoreSpec(range: range(node))
        s.written = Set(f.keys)
        s.kind = enumValue(f["kind"], "'store.kind'", as: StoreSpec.Kind.self)
        if s.kind != nil { s.kindRange = f["kind"].map(range) }
        s.host = locatedString(f["host"], "'store.host'")
        s.path = locatedString(f["path"], "'store.path'")
        s.owner = string(f["owner"], "'store.owner'")
        s.importArgv = argv(f["import"], "'store.import'")
        s.countArgv = argv(f["count"], "'store.count'")
        switch s.kind {
        case .maildir? where s.path == nil:
            report(.planMissingKey("path", in: "a store of kind 'maildir'", at: ownerKeys[node.identity] ?? SourceRange(file: file, start: node.start)))
        case .command? where s.importArgv == nil:
            report(.planMissingKey("import", in: "a store of kind 'command'", at: ownerKeys[node.identity] ?? SourceRange(file: file, start: node.start)))
        default: break
        }
        return s
    }
}
