import Foundation
import Glibc
import SystemCalls

/// Raises `cancel` when the orchestrator is gone while the agent works without talking to it
/// (the site's import command running): the agent's stdout then reports an error on poll (its
/// reader, sshd's channel or the in-process relay, closed it). Without this, an import command
/// whose run was killed would go on for its whole timeout.
final class OrchestratorWatch: Sendable {
    private let stopped = CancelFlag()

    init(output: Int32, cancel: CancelFlag) {
        let stopped = self.stopped
        let thread = Thread {
            while !stopped.isSet {
                // No events asked: poll still reports POLLERR and POLLHUP.
                var p = pollfd(fd: output, events: 0, revents: 0)
                if poll(&p, 1, 200) > 0 && p.revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 {
                    cancel.raise()
                    return
                }
            }
        }
        thread.stackSize = 64 << 10
        thread.start()
    }

    /// Ends the watch (the thread leaves within 200 ms); call before `output` is closed.
    func stop() { stopped.raise() }
}
