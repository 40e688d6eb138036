using Solstice.Linux.Interop;

namespace Solstice.Instances.Statfs;

/// <summary>
/// What statfs(2) says about a zone's own dataset: ZFS's figures for a dataset with a quota, made
/// from the btrfs qgroup. Available space is the smaller of what the quota leaves and what the
/// pool has; size is used plus available, so it is the quota until the pool runs short (as
/// `df` on a SmartOS zone shows). Blocks are counted in f_frsize units; files and every other
/// field stay the kernel's.
/// </summary>
public static class StatfsQuota
{
    public static Libc.StatFsBuffer Apply(Libc.StatFsBuffer real, long referenced, long limit)
    {
        long unit = real.FragmentSize > 0 ? real.FragmentSize : real.BlockSize;
        if (unit <= 0)
            return real;
        ulong used = (ulong)Math.Max(0, referenced);
        ulong left = limit > referenced ? (ulong)(limit - referenced) : 0;
        ulong poolAvailable = SaturatingBytes(real.BlocksAvailable, unit);
        ulong available = Math.Min(left, poolAvailable);
        ulong usedBlocks = (used + (ulong)unit - 1) / (ulong)unit;
        ulong availableBlocks = available / (ulong)unit;
        var answer = real;
        answer.Blocks = usedBlocks + availableBlocks;
        answer.BlocksFree = availableBlocks;
        answer.BlocksAvailable = availableBlocks;
        return answer;
    }

    private static ulong SaturatingBytes(ulong blocks, long unit) =>
        blocks > ulong.MaxValue / (ulong)unit ? ulong.MaxValue : blocks * (ulong)unit;
}
