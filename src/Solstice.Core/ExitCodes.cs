namespace Solstice.Core;

/// <summary>Exit codes shared by every Solstice CLI (SmartOS convention: 0 ok, 1 error, 2 usage).</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Error = 1;
    public const int Usage = 2;
    /// <summary>imgadm only: the image is not installed (imgadm ImageNotInstalled).</summary>
    public const int ImageNotInstalled = 3;

    public static int For(ErrorCode code) => Error;
}
