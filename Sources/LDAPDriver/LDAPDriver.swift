internal import CLDAP

// Placeholder: this module is being built (issue 6). The import proves libldap links.
enum LDAPLibrary {
    static var apiVersion: Int32 { LDAP_API_VERSION }
}
