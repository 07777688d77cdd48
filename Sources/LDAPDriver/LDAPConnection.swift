internal import CLDAP
import Foundation
import Steps
import SystemCalls

/// One libldap handle, bound and ready: the only file that imports CLDAP.
///
/// Invariants:
/// - A connection is used by one thread at a time (libldap keeps error state per handle, and
///   `ldap_result(LDAP_RES_ANY)` must not read a sibling's answers; DOMAIN.md section 5).
/// - Protocol v3, referrals off, connect and operation timeouts, TLS options on a fresh per-handle
///   context (`LDAP_OPT_X_TLS_NEWCTX`), certificate verification `DEMAND` unless told otherwise.
/// - The password is copied into a C buffer only for `ldap_sasl_bind_s` and wiped after.
final class LDAPConnection {
    private var ld: OpaquePointer?
    let operationTimeout: Int
    /// Raised when the step is cancelled: waits for answers stop within half a second and throw
    /// `CancellationError`; closing the connection then abandons what is outstanding.
    var cancel = CancelFlag()

    /// `ldap_initialize`, options, optional `ldap_start_tls_s`, then `ldap_sasl_bind_s` (simple).
    init(endpoint: DirectoryEndpoint, password: String?, log: (String) -> Void) throws {
        operationTimeout = max(1, endpoint.operationTimeout)
        var handle: OpaquePointer?
        let rc = ldap_initialize(&handle, endpoint.url)
        guard rc == LDAP_SUCCESS, let handle else {
            throw LDAPFailure(.result(LDAPResultCode(rc)), operation: "initialize", message: endpoint.url)
        }
        ld = handle
        do {
            try configure(endpoint, log: log)
            // Connect first, so a refused connection (transient) is told apart from a failed
            // StartTLS handshake (permanent: an untrusted certificate stays untrusted).
            let connected = ldap_connect(handle)
            if connected != LDAP_SUCCESS {
                var failed = failure(connected, operation: "connect")
                if endpoint.url.lowercased().hasPrefix("ldaps://"),
                   ServerProbe.accepts(url: endpoint.url, timeout: endpoint.connectTimeout) {
                    failed.reason = .tls  // the port answers TCP, so the handshake is what failed
                }
                throw failed
            }
            if endpoint.startTLS {
                let tls = ldap_start_tls_s(handle, nil, nil)
                if tls != LDAP_SUCCESS { throw failure(tls, operation: "starttls") }
            }
            try bind(dn: endpoint.bindDN, password: password)
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// `ldap_unbind_ext`: ends the session and frees the handle. Safe to call twice.
    func close() {
        if let ld { ldap_unbind_ext(ld, nil, nil) }
        ld = nil
    }

    private func configure(_ endpoint: DirectoryEndpoint, log: (String) -> Void) throws {
        var version = LDAP_VERSION3
        try option(LDAP_OPT_PROTOCOL_VERSION, &version)
        try option(LDAP_OPT_REFERRALS, nil)  // LDAP_OPT_OFF is a NULL pointer
        var connect = timeval(tv_sec: max(1, endpoint.connectTimeout), tv_usec: 0)
        try option(LDAP_OPT_NETWORK_TIMEOUT, &connect)
        var operation = timeval(tv_sec: operationTimeout, tv_usec: 0)
        try option(LDAP_OPT_TIMEOUT, &operation)
        let usesTLS = endpoint.startTLS || endpoint.url.lowercased().hasPrefix("ldaps://")
        guard usesTLS else { return }
        var require = endpoint.tlsVerify ? LDAP_OPT_X_TLS_DEMAND : LDAP_OPT_X_TLS_NEVER
        if !endpoint.tlsVerify {
            log("warning: TLS certificate verification is off for \(endpoint.url) (tls_verify: false)")
        }
        try option(LDAP_OPT_X_TLS_REQUIRE_CERT, &require)
        if let caFile = endpoint.caFile {
            try caFile.withCString { try option(LDAP_OPT_X_TLS_CACERTFILE, UnsafeMutableRawPointer(mutating: $0)) }
        }
        var zero: Int32 = 0
        try option(LDAP_OPT_X_TLS_NEWCTX, &zero)
    }

    /// `ldap_set_option` on this handle.
    private func option(_ name: Int32, _ value: UnsafeRawPointer?) throws {
        let rc = ldap_set_option(ld, name, value)
        if rc != LDAP_OPT_SUCCESS { throw failure(rc, operation: "set option \(name)") }
    }

    private func bind(dn: String?, password: String?) throws {
        guard let dn else { return }  // anonymous
        var secret = Array((password ?? "").utf8CString)
        defer { for i in secret.indices { secret[i] = 0 } }
        let rc = secret.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cred = berval(bv_len: ber_len_t(buffer.count - 1), bv_val: buffer.baseAddress)
            return ldap_sasl_bind_s(ld, dn, nil, &cred, nil, nil, nil)
        }
        if rc != LDAP_SUCCESS { throw failure(rc, operation: "bind", dn: dn) }
    }

    /// A typed failure from a libldap return code and the handle's diagnostic message.
    func failure(_ rc: Int32, operation: String, user: String? = nil, dn: String? = nil) -> LDAPFailure {
        let message = diagnosticMessage()
        let tlsProblem = operation == "starttls" && rc == LDAP_CONNECT_ERROR
        let reason: LDAPFailure.Reason = tlsProblem ? .tls : .result(LDAPResultCode(rc))
        return LDAPFailure(reason, operation: operation, message: message, user: user, dn: dn)
    }

    private func diagnosticMessage() -> String {
        guard let ld else { return "" }
        var text: UnsafeMutablePointer<CChar>?
        guard ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &text) == LDAP_OPT_SUCCESS, let text else { return "" }
        defer { ldap_memfree(text) }
        let message = String(cString: text)
        return message == "(unknown error code)" ? "" : message
    }

    private func resultCode() -> Int32 {
        var code: Int32 = LDAP_SERVER_DOWN
        _ = ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &code)
        return code == LDAP_SUCCESS ? LDAP_SERVER_DOWN : code
    }

    // MARK: asynchronous operations

    /// `ldap_search_ext` (subtree unless `baseOnly`); answers arrive through `next(timeout:)`.
    func search(base: String, filter: String, attributes: [String], baseOnly: Bool = false,
                controls: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>? = nil) throws -> Int32 {
        var msgid: Int32 = 0
        let rc = withCStringArray(attributes) { attrs in
            ldap_search_ext(ld, base, baseOnly ? LDAP_SCOPE_BASE : LDAP_SCOPE_SUBTREE, filter, attrs, 0,
                            controls, nil, nil, 0, &msgid)
        }
        if rc != LDAP_SUCCESS { throw failure(rc, operation: "search", dn: base) }
        return msgid
    }

    /// `ldap_modify_ext`: the request is encoded and sent before it returns, so the C copies of
    /// the modifications are freed right after.
    func modify(dn: String, _ modifications: [LDAPModification]) throws -> Int32 {
        var msgid: Int32 = 0
        let rc = LDAPModArray(modifications).withPointer { mods in
            ldap_modify_ext(ld, dn, mods, nil, nil, &msgid)
        }
        if rc != LDAP_SUCCESS { throw failure(rc, operation: "modify", dn: dn) }
        return msgid
    }

    /// `ldap_add_ext`: a new entry at `dn` with `attributes` (values are sent as values, never as
    /// LDIF text, so no value can add a line).
    func add(dn: String, _ attributes: [(name: String, values: [String])]) throws -> Int32 {
        var msgid: Int32 = 0
        let rc = LDAPModArray(attributes.map { LDAPModification(.add, $0.name, $0.values) }).withPointer { mods in
            ldap_add_ext(ld, dn, mods, nil, nil, &msgid)
        }
        if rc != LDAP_SUCCESS { throw failure(rc, operation: "add", dn: dn) }
        return msgid
    }

    /// `ldap_delete_ext` of the entry at `dn`.
    func delete(dn: String) throws -> Int32 {
        var msgid: Int32 = 0
        let rc = ldap_delete_ext(ld, dn, nil, nil, &msgid)
        if rc != LDAP_SUCCESS { throw failure(rc, operation: "delete", dn: dn) }
        return msgid
    }

    /// `ldap_abandon_ext` for operations whose answers no longer matter.
    func abandon(_ msgid: Int32) { _ = ldap_abandon_ext(ld, msgid, nil, nil) }

    /// `ldap_result(LDAP_RES_ANY, LDAP_MSG_ONE)`: the next entry or final response of any
    /// outstanding operation; throws `timeout` after `operationTimeout` seconds without one.
    func next() throws -> LDAPEvent? {
        var message: OpaquePointer?
        let type = try awaitResult(LDAP_RES_ANY, &message)
        defer { if let message { ldap_msgfree(message) } }
        if type == 0 { throw LDAPFailure(.result(.timeout), operation: "result", message: "no answer within \(operationTimeout) s") }
        guard type > 0, let message else { throw failure(resultCode(), operation: "result") }
        let msgid = ldap_msgid(message)
        switch ber_tag_t(type) {
        case LDAP_RES_SEARCH_ENTRY:
            return .entry(msgid: msgid, entry(message))
        case LDAP_RES_SEARCH_REFERENCE, LDAP_RES_INTERMEDIATE:
            return nil
        default:
            return .done(msgid: msgid, outcome(message, controls: nil))
        }
    }

    /// `ldap_result` for `msgid` (or any), waiting up to `operationTimeout` in half-second slices
    /// so a cancelled step stops waiting; 0 means no answer in time.
    private func awaitResult(_ msgid: Int32, _ message: inout OpaquePointer?) throws -> Int32 {
        var remaining = Double(operationTimeout)
        while true {
            if cancel.isSet {
                if msgid != LDAP_RES_ANY { abandon(msgid) }
                throw CancellationError()
            }
            let slice = min(remaining, 0.5)
            var tv = timeval(tv_sec: Int(slice), tv_usec: Int((slice - slice.rounded(.down)) * 1e6))
            let type = ldap_result(ld, msgid, LDAP_MSG_ONE, &tv, &message)
            remaining -= slice
            if type != 0 || remaining <= 0 { return type }
        }
    }

    private func entry(_ message: OpaquePointer) -> LDAPEntry {
        var dn = ""
        if let raw = ldap_get_dn(ld, message) {
            dn = String(cString: raw)
            ldap_memfree(raw)
        }
        var attributes: [String: [String]] = [:]
        var ber: OpaquePointer?
        var name = ldap_first_attribute(ld, message, &ber)
        while let current = name {
            var values: [String] = []
            if let list = ldap_get_values_len(ld, message, current) {
                var i = 0
                while let value = list[i] {
                    let bytes = UnsafeRawBufferPointer(start: value.pointee.bv_val, count: Int(value.pointee.bv_len))
                    values.append(String(decoding: bytes, as: UTF8.self))
                    i += 1
                }
                ldap_value_free_len(list)
            }
            attributes[String(cString: current).lowercased(), default: []] += values
            ldap_memfree(current)
            name = ldap_next_attribute(ld, message, ber)
        }
        if let ber { ber_free(ber, 0) }
        return LDAPEntry(dn: dn, lowercasedAttributes: attributes)
    }

    /// `ldap_parse_result`, optionally handing the response controls to `controls`.
    private func outcome(_ message: OpaquePointer,
                         controls: ((UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>?) -> Void)?) -> LDAPOutcome {
        var code: Int32 = 0
        var matched: UnsafeMutablePointer<CChar>?
        var text: UnsafeMutablePointer<CChar>?
        var serverControls: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>?
        let rc = ldap_parse_result(ld, message, &code, &matched, &text, nil, &serverControls, 0)
        defer {
            if let matched { ldap_memfree(matched) }
            if let text { ldap_memfree(text) }
            if let serverControls { ldap_controls_free(serverControls) }
        }
        if rc != LDAP_SUCCESS { code = rc }
        controls?(serverControls)
        return LDAPOutcome(code: LDAPResultCode(code), message: text.map { String(cString: $0) } ?? "",
                           matchedDN: matched.map { String(cString: $0) } ?? "")
    }

    // MARK: paged search

    /// A subtree search in pages of `pageSize` (RFC 2696: `ldap_create_page_control`,
    /// `ldap_parse_pageresponse_control`), returning every entry.
    func pagedSearch(base: String, filter: String, attributes: [String], pageSize: Int) throws -> [LDAPEntry] {
        var entries: [LDAPEntry] = []
        var cookie = berval(bv_len: 0, bv_val: nil)
        defer { if cookie.bv_val != nil { ber_memfree(cookie.bv_val) } }
        repeat {
            var control: UnsafeMutablePointer<LDAPControl>?
            let created = ldap_create_page_control(ld, ber_int_t(pageSize), &cookie, 1, &control)
            guard created == LDAP_SUCCESS, let control else { throw failure(created, operation: "page control") }
            defer { ldap_control_free(control) }
            var controls: [UnsafeMutablePointer<LDAPControl>?] = [control, nil]
            let msgid = try controls.withUnsafeMutableBufferPointer {
                try search(base: base, filter: filter, attributes: attributes, controls: $0.baseAddress)
            }
            var finished = false
            while !finished {
                var message: OpaquePointer?
                let type = try awaitResult(msgid, &message)
                defer { if let message { ldap_msgfree(message) } }
                if type == 0 { throw LDAPFailure(.result(.timeout), operation: "search", dn: base) }
                guard type > 0, let message else { throw failure(resultCode(), operation: "search", dn: base) }
                if ber_tag_t(type) == LDAP_RES_SEARCH_ENTRY { entries.append(entry(message)); continue }
                guard ber_tag_t(type) == LDAP_RES_SEARCH_RESULT else { continue }
                finished = true
                if cookie.bv_val != nil { ber_memfree(cookie.bv_val) }
                cookie = berval(bv_len: 0, bv_val: nil)
                var pageError: Int32 = LDAP_SUCCESS
                let result = outcome(message) { serverControls in
                    guard let found = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, serverControls, nil) else { return }
                    var count: ber_int_t = 0
                    pageError = ldap_parse_pageresponse_control(self.ld, found, &count, &cookie)
                }
                if result.code != .success {
                    throw LDAPFailure(.result(result.code), operation: "search", message: result.message, dn: base)
                }
                if pageError != LDAP_SUCCESS { throw failure(pageError, operation: "page response") }
            }
        } while cookie.bv_len > 0
        return entries
    }
}

/// NULL-terminated C string arrays for libldap calls; freed when the closure returns.
private func withCStringArray<R>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress) }
}

/// The `LDAPMod **` a modify request takes, built from Swift values.
private struct LDAPModArray {
    let modifications: [LDAPModification]
    init(_ modifications: [LDAPModification]) { self.modifications = modifications }

    func withPointer<R>(_ body: (UnsafeMutablePointer<UnsafeMutablePointer<LDAPMod>?>?) -> R) -> R {
        var owned: [UnsafeMutableRawPointer] = []  // strdup'd: free()
        var allocated: [UnsafeMutableRawPointer] = []  // Swift-allocated: deallocate()
        defer {
            for p in owned { free(p) }
            for p in allocated { p.deallocate() }
        }
        var mods: [UnsafeMutablePointer<LDAPMod>?] = []
        for m in modifications {
            let op: Int32 = switch m.operation {
            case .add: LDAP_MOD_ADD
            case .delete: LDAP_MOD_DELETE
            case .replace: LDAP_MOD_REPLACE
            }
            let values = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: m.values.count + 1)
            for (i, v) in m.values.enumerated() {
                let s = strdup(v)
                values[i] = s
                if let s { owned.append(UnsafeMutableRawPointer(s)) }
            }
            values[m.values.count] = nil
            let type = strdup(m.attribute)
            if let type { owned.append(UnsafeMutableRawPointer(type)) }
            let mod = UnsafeMutablePointer<LDAPMod>.allocate(capacity: 1)
            mod.initialize(to: LDAPMod())
            mod.pointee.mod_op = op
            mod.pointee.mod_type = type
            // A delete of the whole attribute sends no values (NULL), not an empty list.
            mod.pointee.mod_vals.modv_strvals = m.values.isEmpty && m.operation == .delete ? nil : values
            mods.append(mod)
            allocated.append(UnsafeMutableRawPointer(values))
            allocated.append(UnsafeMutableRawPointer(mod))
        }
        mods.append(nil)
        return mods.withUnsafeMutableBufferPointer { body($0.baseAddress) }
    }
}
