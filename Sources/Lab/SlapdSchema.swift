/// The test directory's schema: the Sun/Netscape mail attributes with usable matching rules.
///
/// Why a schema of our own (DOMAIN.md section 1):
/// - OpenLDAP's `misc.schema` gives OID `2.16.840.1.113730.3.1.13` to `mailLocalAddress`, which Sun
///   uses for `mailAlternateAddress`; loading both fails, so `mailHost` (.18), `mailRoutingAddress`
///   (.47) and `inetLocalMailRecipient` are defined here instead of loading misc.schema.
/// - Netscape/Sun definitions carry no EQUALITY rule, so an equality filter could never match;
///   every attribute here has `caseIgnoreMatch` or `caseIgnoreIA5Match` (Sun's "cis").
/// - `emailPersonStatus` and `emailPerson` (the SIMS seed's names) have no published OID: they live
///   under the IANA documentation enterprise number 32473 (RFC 5612), which collides with nothing.
public enum SlapdSchema {
    /// System schema files loaded before ours (Debian's `/etc/ldap/schema`).
    public static let systemFiles = ["core.schema", "cosine.schema", "inetorgperson.schema"]

    /// The text of `mailshift-sun.schema`, in slapd.conf syntax.
    public static let sunMail = """
        attributetype ( 2.16.840.1.113730.3.1.18 NAME 'mailHost'
            DESC 'FQDN of the SMTP/MTA of this recipient'
            EQUALITY caseIgnoreIA5Match SUBSTR caseIgnoreIA5SubstringsMatch
            SYNTAX 1.3.6.1.4.1.1466.115.121.1.26{256} SINGLE-VALUE )
        attributetype ( 2.16.840.1.113730.3.1.47 NAME 'mailRoutingAddress'
            DESC 'RFC822 routing address of this recipient'
            EQUALITY caseIgnoreIA5Match
            SYNTAX 1.3.6.1.4.1.1466.115.121.1.26{256} SINGLE-VALUE )
        attributetype ( 2.16.840.1.113730.3.1.13 NAME 'mailAlternateAddress'
            DESC 'alternate RFC822 address of this recipient'
            EQUALITY caseIgnoreIA5Match
            SYNTAX 1.3.6.1.4.1.1466.115.121.1.26{256} )
        attributetype ( 2.16.840.1.113730.3.1.16 NAME 'mailDeliveryOption'
            DESC 'mailbox, native, unix, program, forward, hold, ...'
            EQUALITY caseIgnoreMatch
            SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
        attributetype ( 2.16.840.1.113730.3.1.17 NAME 'mailForwardingAddress'
            DESC 'forwarding address of this recipient'
            EQUALITY caseIgnoreMatch
            SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
        attributetype ( 2.16.840.1.113730.3.1.778 NAME 'mailUserStatus'
            DESC 'active, inactive, disabled, deleted, removed, hold, overquota'
            EQUALITY caseIgnoreMatch
            SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
        attributetype ( 2.16.840.1.113730.3.1.692 NAME 'inetUserStatus'
            DESC 'active, inactive, or deleted status of a user'
            EQUALITY caseIgnoreMatch
            SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
        attributetype ( 1.3.6.1.4.1.32473.1.1.1 NAME 'emailPersonStatus'
            DESC 'SIMS user status (test OID under the RFC 5612 documentation arc)'
            EQUALITY caseIgnoreMatch
            SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
        objectclass ( 2.16.840.1.113730.3.2.147 NAME 'inetLocalMailRecipient'
            DESC 'Internet local mail recipient' SUP top AUXILIARY
            MAY ( mailHost $ mailRoutingAddress ) )
        objectclass ( 2.16.840.1.113730.3.2.3 NAME 'mailRecipient'
            DESC 'Netscape Messaging Server 4.x mail recipient' SUP top AUXILIARY
            MAY ( cn $ mail $ mailAlternateAddress $ mailHost $ mailRoutingAddress $
                  mailDeliveryOption $ mailForwardingAddress $ uid ) )
        objectclass ( 2.16.840.1.113730.3.2.130 NAME 'inetUser'
            DESC 'subscriber services' SUP top AUXILIARY
            MAY ( uid $ inetUserStatus $ userPassword ) )
        objectclass ( 2.16.840.1.113730.3.2.146 NAME 'inetMailUser'
            DESC 'Messaging Server mail user' SUP top AUXILIARY
            MAY ( mailUserStatus $ mailDeliveryOption $ mailForwardingAddress $
                  mailAlternateAddress $ mailHost ) )
        objectclass ( 1.3.6.1.4.1.32473.1.2.1 NAME 'emailPerson'
            DESC 'SIMS mail user (test OID)' SUP top AUXILIARY
            MAY ( emailPersonStatus $ mailHost $ mailDeliveryOption ) )

        """
}
