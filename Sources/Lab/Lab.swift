// Placeholder: the local lab (issue 5) — generated spools, a slapd instance, a Maildir store — is
// built here so that `mailshift lab` and the tests' fixtures share one implementation.
