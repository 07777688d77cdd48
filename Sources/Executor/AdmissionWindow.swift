/// How many steps the loop keeps admitted (journaled as started, waiting for a slot, or running).
/// The window doubles while slots are free and nothing waits for one (quick steps: the journal is
/// the bottleneck, so bigger groups) and halves while steps wait for slots (slow steps: do not
/// journal steps as started long before a slot frees). Between 2 × parallel and the cap.
struct AdmissionWindow {
    private let minimum: Int
    private let maximum: Int
    private(set) var size: Int
    /// Admitted steps not yet returned.
    private(set) var admitted = 0

    init(cap: Int, parallel: Int) {
        maximum = cap
        minimum = min(cap, 2 * parallel)
        size = minimum
    }

    var hasRoom: Bool { admitted < size }

    mutating func admit() { admitted += 1 }
    mutating func returned() { admitted -= 1 }

    /// After a flush, from the slots' occupancy.
    mutating func adapt(acting: Int, waitingForSlots: Int, parallel: Int) {
        // Grow only when the window is what limits admission (not at a barrier).
        if waitingForSlots == 0 && acting < parallel && admitted >= size {
            size = min(maximum, size * 2)
        } else if waitingForSlots > 0 {
            size = max(minimum, size / 2)
        }
    }
}
