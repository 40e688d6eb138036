namespace Solstice.Instances.Hvm;

/// <summary>One option of a QEMU command line: a flag and, usually, its value.</summary>
public sealed record QemuOption(string Flag, string? Value = null);

/// <summary>A named group of options (machine, serial, disks, ...): the unit the golden files show.</summary>
public sealed record QemuSection(string Name, IReadOnlyList<QemuOption> Options);
