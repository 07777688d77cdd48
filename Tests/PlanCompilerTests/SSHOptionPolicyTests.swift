import Diagnostics
import Testing

/// The options `check` refuses are the ssh transport's own list; prompting logins are told apart.
@Suite struct SSHOptionPolicyTests {
    @Test(arguments: [
        ("ConnectTimeout=10", SSHOptionPolicy.Verdict.allowed),
        ("UserKnownHostsFile /etc/mailshift/known_hosts", .allowed),
        ("PasswordAuthentication=no", .allowed),
        ("BatchMode=no", .reserved("batchmode")),
        ("batchmode yes", .reserved("batchmode")),
        ("StrictHostKeyChecking=no", .reserved("stricthostkeychecking")),
        ("ControlPath=/tmp/x", .reserved("controlpath")),
        ("PasswordAuthentication=yes", .interactive("passwordauthentication")),
        ("KbdInteractiveAuthentication Yes", .interactive("kbdinteractiveauthentication")),
        ("", .malformed),
        ("=yes", .malformed),
        (" BatchMode=no", .malformed),
        ("ProxyCommand=nc\u{1B}[2J", .malformed),
    ])
    func verdict(_ option: String, _ expected: SSHOptionPolicy.Verdict) {
        #expect(SSHOptionPolicy.verdict(option) == expected)
    }
}
