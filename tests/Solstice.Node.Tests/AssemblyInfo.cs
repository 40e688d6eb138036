using System.Runtime.Versioning;

// The daemon runs only on Linux; this lets the tests use UnixFileMode APIs without per-call guards.
[assembly: SupportedOSPlatform("linux")]
