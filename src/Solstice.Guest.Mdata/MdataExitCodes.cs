namespace Solstice.Guest.Mdata;

/// <summary>mdata-client's exit codes (mdata_*.c, MDEC_*), which guest scripts test.</summary>
public static class MdataExitCodes
{
    public const int Success = 0;
    public const int NotFound = 1;
    public const int Error = 2;
    public const int Usage = 3;
}
