import Diagnostics

/// Where each user of one origin (a batch's users) was written, kept as small as the origin allows:
/// a users file of millions of names stores 8 bytes a user instead of a `SourceLocation`'s 24.
enum UserPositions {
    /// Inline users: exact locations from the YAML loader.
    case exact([SourceLocation])
    /// A users file: line and column only (its positions carry no byte offset).
    case packed(PackedPositions)
    /// Directory results all point at the search that found them.
    case shared(SourceLocation, count: Int)

    static let none = UserPositions.exact([])

    /// The location of the origin's `i`th user, if known.
    subscript(i: Int) -> SourceLocation? {
        switch self {
        case .exact(let all): i < all.count ? all[i] : nil
        case .packed(let all): i < all.count ? all[i] : nil
        case .shared(let at, let count): i < count ? at : nil
        }
    }
}

/// Line (high 40 bits) and column (low 24 bits) in one word.
struct PackedPositions {
    private var words: [UInt64] = []

    var count: Int { words.count }

    mutating func append(line: Int, column: Int) {
        words.append(UInt64(line) << 24 | UInt64(min(column, 0xFF_FFFF)))
    }

    subscript(i: Int) -> SourceLocation {
        SourceLocation(line: Int(words[i] >> 24), column: Int(words[i] & 0xFF_FFFF))
    }
}
