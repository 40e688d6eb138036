using System.Text.Json.Nodes;

namespace Solstice.Core.Vm;

/// <summary>
/// The value rules of the kvm and bhyve payloads (VM.js validate, checkPayloadProperties and vmadm.8): cpu_type,
/// boot, bootrom, vnc_password, vga, nic and disk models, disk media, and which disk source properties go together.
/// </summary>
public static partial class VmValidator
{
    /// <summary>vmadm.8 cpu_type.</summary>
    public static readonly IReadOnlyList<string> CpuTypes = ["qemu64", "host"];

    /// <summary>VM.BOOTROMS: the bootroms a payload may name (an update may also give a path inside the zone root).</summary>
    public static readonly IReadOnlyList<string> Bootroms = ["bios", "uefi"];

    /// <summary>VM.VGA_TYPES.</summary>
    public static readonly IReadOnlyList<string> VgaTypes = ["cirrus", "std", "vmware", "qxl", "xenfb"];

    /// <summary>vmadm.8 nics.*.model.</summary>
    public static readonly IReadOnlyList<string> NicModels = ["virtio", "e1000", "rtl8139"];

    /// <summary>vmadm.8 disks.*.media.</summary>
    public static readonly IReadOnlyList<string> DiskMedia = ["disk", "cdrom"];

    /// <summary>VNC passwords are at most this long (VM.js checkPayloadProperties).</summary>
    public const int MaxVncPasswordLength = 8;

    /// <summary>proptable.js brand_options disk_models: kvm virtio, scsi, ide; bhyve virtio, ahci, nvme.</summary>
    public static IReadOnlyList<string> DiskModels(string? brand) => VmBrand.Parse(brand) switch
    {
        VmBrands.Kvm => ["virtio", "scsi", "ide"],
        VmBrands.Bhyve => ["virtio", "ahci", "nvme"],
        _ => [],
    };

    /// <summary>The reason an HVM string value is bad, or null when it is fine (or not an HVM property).</summary>
    private static string? HvmStringProblem(Check check, Scope scope, string name, string text) => (scope, name) switch
    {
        (Scope.Top, "cpu_type") => OneOf(text, CpuTypes),
        (Scope.Top, "bootrom") => Bootroms.Contains(text)
            || (check.Action == VmAction.Update && VmValueRules.IsAbsolutePath(text)) ? null
            : check.Action == VmAction.Create ? "must be bios or uefi"
            : "must be bios, uefi, or an absolute path inside the zone root",
        (Scope.Top, "boot") => IsBootOrder(text) ? null : "must be order=<c|d|n...>[,once=<c|d|n...>]",
        (Scope.Top, "vnc_password") => text.Length > MaxVncPasswordLength
            ? $"VNC password is too long, maximum length is {MaxVncPasswordLength} characters." : null,
        (Scope.Top, "vga") => VgaTypes.Contains(text) ? null
            : $"Invalid VGA type: \"{text}\", supported types are: {string.Join(',', VgaTypes)}",
        (Scope.Top, "nic_driver") or (Scope.Nic, "model") => OneOf(text, NicModels),
        (Scope.Top, "disk_driver") or (Scope.Disk, "model") => DiskModelProblem(check, text),
        (Scope.Disk, "media") => OneOf(text, DiskMedia),
        (Scope.Disk, "compression") => VmValueRules.IsCompression(text) ? null
            : "invalid compression setting for disk, must be one of: on, off, gzip, gzip-1..gzip-9, lz4, lzjb, zle",
        (Scope.Disk, "guest_block_size") => IsGuestBlockSize(text) ? null
            : "must be a power of two, or two of them as logical/physical (512/4096)",
        (Scope.Disk, "path") => VmValueRules.IsAbsolutePath(text) ? null : "must be an absolute path",
        (Scope.Disk, "pci_slot") => IsPciSlot(text) ? null : "must be a PCI slot bus:device:function or device:function",
        _ => null,
    };

    private static string? OneOf(string text, IReadOnlyList<string> values) =>
        values.Contains(text) ? null : $"must be one of {string.Join(", ", values)}";

    private static string? DiskModelProblem(Check check, string model)
    {
        var models = DiskModels(check.BrandName);
        if (models.Count == 0 || models.Contains(model))
            return null;
        return $"\"{model}\" is not a valid disk model for {check.BrandName} brand. Valid are: {string.Join(',', models)}";
    }

    /// <summary>A kvm boot string: <c>order=X</c> and/or <c>once=X</c>, comma-separated, each once, X of c, d, n.</summary>
    public static bool IsBootOrder(string text)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string part in text.Split(','))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                return false;
            string key = part[..eq];
            string devices = part[(eq + 1)..];
            if (key is not ("order" or "once") || !seen.Add(key) || devices.Length == 0
                || devices.Any(c => c is not ('c' or 'd' or 'n')))
                return false;
        }
        return true;
    }

    /// <summary>utils.validBhyveSectSize: one or two (<c>L/P</c>) powers of two.</summary>
    private static bool IsGuestBlockSize(string text)
    {
        string[] sizes = text.Split('/');
        return sizes.Length is 1 or 2 && sizes.All(s => s.Length is > 0 and <= 9 && s.All(char.IsAsciiDigit)
            && VmValueRules.IsPowerOfTwo(long.Parse(s, System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static bool IsPciSlot(string text)
    {
        string[] parts = text.Split(':');
        return parts.Length is 2 or 3 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit));
    }

    /// <summary>
    /// VM.js validate's validateDiskSource, for <c>disks</c> (create) and <c>add_disks</c> (update) of a brand
    /// with disks: a disk (media disk) made from an image needs image_size and takes neither block_size nor size
    /// (size only with flexible_disk_size); a blank disk needs size and takes neither image_size nor image_name.
    /// checkPayloadProperties adds: path only for a cdrom or a nocreate disk. Problems are named as VM.js names
    /// them here, with the index (<c>disks.0.image_size</c>).
    /// </summary>
    private static void CheckDiskSources(Check check, JsonObject payload)
    {
        if ((check.Brand & VmBrands.Hvm) == 0)
            return;
        string key = check.Action == VmAction.Create ? "disks" : "add_disks";
        if (payload[key] is not JsonArray disks)
            return;
        bool flexible = payload.ContainsKey("flexible_disk_size");
        check.At(key);
        for (int i = 0; i < disks.Count; i++)
        {
            if (disks[i] is not JsonObject disk)
                continue;
            check.Index = i;
            string prefix = $"{key}.{i}";
            string? media = VmJson.AsString(disk["media"]);
            if (disk.ContainsKey("path") && media != "cdrom" && !(VmJson.TryGetBoolean(disk["nocreate"], out bool nocreate) && nocreate))
                AddExact(check, VmValidationCategory.BadValue, prefix, "path",
                    "you cannot specify a path for a disk unless you set nocreate=true");
            if (disk.ContainsKey("media") && media != "disk")
                continue; // VM.js: only disks, not cdroms
            if (disk.ContainsKey("image_uuid"))
            {
                if (!disk.ContainsKey("image_size"))
                    AddExact(check, VmValidationCategory.MissingProperty, prefix, "image_size", "required with image_uuid");
                if (disk.ContainsKey("size") && !flexible)
                    AddExact(check, VmValidationCategory.BadProperty, prefix, "size",
                        "not allowed with image_uuid unless flexible_disk_size is set");
                if (disk.ContainsKey("block_size"))
                    AddExact(check, VmValidationCategory.BadProperty, prefix, "block_size", "not allowed with image_uuid");
            }
            else
            {
                if (!disk.ContainsKey("size"))
                    AddExact(check, VmValidationCategory.MissingProperty, prefix, "size", "required without image_uuid");
                foreach (string sub in (string[])["image_name", "image_size"])
                {
                    if (disk.ContainsKey(sub))
                        AddExact(check, VmValidationCategory.BadProperty, prefix, sub, "only allowed with image_uuid");
                }
            }
        }
        check.Index = null;
        check.Sub = null;
    }

    private static void AddExact(Check check, VmValidationCategory category, string prefix, string sub, string reason)
    {
        check.Sub = sub;
        check.Add(category, $"{prefix}.{sub}", reason, exact: true);
    }
}
