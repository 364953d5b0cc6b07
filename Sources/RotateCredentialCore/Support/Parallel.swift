/// Bounded concurrency for independent work.
enum Parallel {
    /// Maps `items` with at most `maxParallel` running at once; results keep the input order.
    static func map<Item: Sendable, Result: Sendable>(
        _ items: [Item], maxParallel: Int, _ transform: @escaping @Sendable (Item) async -> Result
    ) async -> [Result] {
        await withTaskGroup(of: (Int, Result).self) { group in
            var results = [Result?](repeating: nil, count: items.count)
            var next = 0
            for _ in 0..<min(max(1, maxParallel), items.count) {
                let index = next
                group.addTask { (index, await transform(items[index])) }
                next += 1
            }
            for await (index, result) in group {
                results[index] = result
                if next < items.count {
                    let index = next
                    group.addTask { (index, await transform(items[index])) }
                    next += 1
                }
            }
            return results.map { $0! }
        }
    }
}
