/// A value written as one JSON object made of two parts whose keys stand side by side, not nested:
/// `base`, what it shares with values of another kind or is at heart, and `extra`, what it adds.
/// The members of both read and write as the value's own (`row.scheme`, `entry.newValidTo`): the
/// parts group fields without changing the JSON.
@dynamicMemberLookup
protocol MergedEncodable: Encodable {
    associatedtype Base: Encodable
    associatedtype Extra: Encodable

    /// The first part.
    var base: Base { get set }
    /// The second part; none of its keys is one of `base`'s.
    var extra: Extra { get set }
}

extension MergedEncodable {
    subscript<Value>(dynamicMember path: WritableKeyPath<Base, Value>) -> Value {
        get { base[keyPath: path] }
        set { base[keyPath: path] = newValue }
    }

    subscript<Value>(dynamicMember path: WritableKeyPath<Extra, Value>) -> Value {
        get { extra[keyPath: path] }
        set { extra[keyPath: path] = newValue }
    }

    /// Writes both parts' keys into one object.
    func encode(to encoder: any Encoder) throws {
        try base.encode(to: encoder)
        try extra.encode(to: encoder)
    }
}
