// libtorch's random generator, thread settings and the GC latency mode are process-wide: tests that seed torch
// and then build networks would see each other's draws if they ran at once (a channels-last equivalence test
// failed that way). libtorch already uses every core within a test, so running them one after another costs little.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
