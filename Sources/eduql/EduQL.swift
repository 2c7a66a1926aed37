import ArgumentParser
import EduQLServer
import NIOCore
import NIOPosix

/// The `eduql` executable: everything lives in EduQLServer, so tests can drive the same commands.
@main
enum EduQL {
    static func main() async {
        // Swift concurrency's jobs run on NIO's event loops (the ones Hummingbird and postgres-nio
        // already use), so a request does not hop between two thread pools at every await.
        // Password hashing keeps its own threads (HashingPool).
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await EduQLCommand.main()
    }
}
