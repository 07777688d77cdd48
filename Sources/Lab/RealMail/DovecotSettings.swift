import Glibc

/// The settings every lab Dovecot shares: its own base and state directories and instance name,
/// plaintext logins on 127.0.0.1 only, and mail processes no lower than the lab's owner.
/// Nothing from /etc/dovecot is read.
enum DovecotSettings {
    static func head(base: String, state: String, instance: String, protocols: String, log: String, firstUID: uid_t, firstGID: gid_t)
        -> String
    {
        """
        base_dir = \(base)
        state_dir = \(state)
        instance_name = \(instance)
        listen = 127.0.0.1
        protocols = \(protocols)
        log_path = \(log)
        ssl = no
        disable_plaintext_auth = no
        auth_mechanisms = plain login
        auth_username_format = %Ln
        default_internal_user = dovecot
        default_login_user = dovenull
        first_valid_uid = \(firstUID)
        first_valid_gid = \(firstGID)

        """
    }
}
