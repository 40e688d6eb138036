using System.Runtime.Versioning;

// Zones exist only on Linux; this lets the tests use UnixFileMode APIs without per-call guards.
[assembly: SupportedOSPlatform("linux")]
