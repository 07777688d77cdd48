internal import CYAML

// Placeholder: this module is being built (issue 2). The import proves libyaml links.
enum YAMLLibrary {
    static var version: String { String(cString: yaml_get_version_string()) }
}
