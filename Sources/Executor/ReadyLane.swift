/// A FIFO of step indices (32 bits each) that reuses its storage.
struct ReadyLane {
    private var items: [Int32] = []
    private var head = 0

    mutating func push(_ i: Int32) { items.append(i) }

    mutating func pop() -> Int32? {
        guard head < items.count else { return nil }
        let i = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 4096, head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return i
    }
}
