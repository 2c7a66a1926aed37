import ArgumentParser
import EduQLServer

/// The `eduql` executable: everything lives in EduQLServer, so tests can drive the same commands.
@main
extension EduQLCommand {}
