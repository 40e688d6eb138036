namespace Solstice.Guest.Mdata;

/// <summary>
/// The guest's metadata tools as one binary, dispatched on the name it was run as
/// (<c>mdata-get</c>, <c>mdata-put</c>, <c>mdata-delete</c>, <c>mdata-list</c> are links to it),
/// or as <c>mdata &lt;get|put|delete|list&gt; ...</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        string name = InvokedName();
        if (!name.StartsWith("mdata-", StringComparison.Ordinal) && args.Length > 0)
        {
            name = args[0].StartsWith("mdata-", StringComparison.Ordinal) ? args[0] : "mdata-" + args[0];
            args = args[1..];
        }
        return name switch
        {
            "mdata-get" => MdataCommands.Get(name, args),
            "mdata-put" => MdataCommands.Put(name, args),
            "mdata-delete" => MdataCommands.Delete(name, args),
            "mdata-list" => MdataCommands.List(),
            _ => MdataCommands.Usage("mdata", "<get|put|delete|list> [<keyname> [<value>]]"),
        };
    }

    /// <summary>
    /// The name we were run as. A NativeAOT binary sees its raw argv[0]; through the .NET apphost
    /// (development builds) that is the dll's path, so the kernel's copy is consulted too.
    /// </summary>
    private static string InvokedName()
    {
        string name = Path.GetFileName(Environment.GetCommandLineArgs()[0]);
        if (name.StartsWith("mdata-", StringComparison.Ordinal))
            return name;
        try
        {
            byte[] cmdline = File.ReadAllBytes("/proc/self/cmdline");
            int end = Array.IndexOf(cmdline, (byte)0);
            string argv0 = Path.GetFileName(System.Text.Encoding.UTF8.GetString(cmdline, 0, end < 0 ? cmdline.Length : end));
            if (argv0.StartsWith("mdata-", StringComparison.Ordinal))
                return argv0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
        return name;
    }
}
