#define LDAP_DEPRECATED 0
#include <lber.h>
#include <ldap.h>
