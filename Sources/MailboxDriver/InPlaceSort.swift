/// Sorting without the scratch buffer the standard library's merge sort allocates: the arrays
/// sorted here are a process's largest.
enum InPlaceSort {
    static func heapSort<T>(_ a: inout [T], by less: (T, T) -> Bool) {
        let n = a.count
        guard n > 1 else { return }
        a.withUnsafeMutableBufferPointer { p in
            func siftDown(_ start: Int, _ end: Int) {
                var root = start
                while true {
                    var child = 2 * root + 1
                    guard child < end else { return }
                    if child + 1 < end && less(p[child], p[child + 1]) { child += 1 }
                    guard less(p[root], p[child]) else { return }
                    p.swapAt(root, child)
                    root = child
                }
            }
            for start in stride(from: n / 2 - 1, through: 0, by: -1) { siftDown(start, n) }
            for end in stride(from: n - 1, to: 0, by: -1) {
                p.swapAt(0, end)
                siftDown(0, end)
            }
        }
    }
}
