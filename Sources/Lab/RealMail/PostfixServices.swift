/// The master.cf services both lab Postfix instances run (no chroot; the queue manager, cleanup,
/// bounces and the housekeeping daemons), to which each adds its listener and its transports.
enum PostfixServices {
    static let core: [String] = [
        "pickup unix n - n 60 1 pickup",
        "cleanup unix n - n - 0 cleanup",
        "qmgr unix n - n 300 1 qmgr",
        "rewrite unix - - n - - trivial-rewrite",
        "bounce unix - - n - 0 bounce",
        "defer unix - - n - 0 bounce",
        "trace unix - - n - 0 bounce",
        "verify unix - - n - 1 verify",
        "flush unix n - n 1000? 0 flush",
        "proxymap unix - - n - - proxymap",
        "showq unix n - n - - showq",
        "error unix - - n - - error",
        "retry unix - - n - - error",
        "discard unix - - n - - discard",
        "anvil unix - - n - 1 anvil",
        "scache unix - - n - 1 scache",
        "postlog unix-dgram n - n - 1 postlogd",
    ]

    /// master.cf for an instance: `listener` (an smtpd line, or none while it drains), the core
    /// services, then the instance's own.
    static func masterCf(role: String, listener: String?, own: [String]) -> String {
        let lines = (listener.map { [$0] } ?? []) + core + own
        return "# The mailshift lab's \(role) services (no chroot; smtpd on 127.0.0.1 only).\n" + lines.joined(separator: "\n") + "\n"
    }
}
