using System.Text;
using Solstice.Metadata;

namespace Solstice.Guest.Mdata;

/// <summary>
/// mdata-get, mdata-put, mdata-delete and mdata-list with mdata-client's output and exit codes
/// (mdata_*.c): 0 success, 1 no such key, 2 error, 3 usage.
/// </summary>
internal static class MdataCommands
{
    public static int Get(string tool, string[] args)
    {
        if (args.Length < 1)
            return Usage(tool, "<keyname>");
        string key = args[0];
        using var connection = new MdataConnection();
        if (!Open(connection))
            return MdataExitCodes.Error;
        if (!connection.Execute("GET", Encoding.UTF8.GetBytes(key), hasArgument: true, out var response))
            return Failed("GET");
        switch (response.Code)
        {
            case MetadataResponseCode.Success:
                var stdout = Console.OpenStandardOutput();
                stdout.Write(response.Data);
                // mdata-get always ends the value with a newline, adding one if the value lacks it.
                if (response.Data.Length == 0 || response.Data[^1] != '\n')
                    stdout.Write("\n"u8);
                stdout.Flush();
                return MdataExitCodes.Success;
            case MetadataResponseCode.NotFound:
                Console.Error.WriteLine($"No metadata for '{key}'");
                return MdataExitCodes.NotFound;
            case MetadataResponseCode.InvalidCommand:
                Console.Error.WriteLine("ERROR: host does not support GET");
                return MdataExitCodes.Error;
            default:
                Console.Error.WriteLine($"Error getting metadata for key '{key}': {Text(response.Data)}");
                return MdataExitCodes.Error;
        }
    }

    public static int Put(string tool, string[] args)
    {
        if (args.Length < 1)
            return Usage(tool, "<keyname> [ <value> ]");
        string key = args[0];
        using var connection = new MdataConnection();
        if (!Open(connection))
            return MdataExitCodes.Error;
        if (connection.Version < 2)
            return Unsupported("PUT");
        byte[] value;
        if (args.Length >= 2)
            value = Encoding.UTF8.GetBytes(args[1]);
        else if (!Console.IsInputRedirected)
        {
            Console.Error.WriteLine("ERROR: either specify the metadata value as the second command-line argument, or pipe content to stdin.");
            return MdataExitCodes.Error;
        }
        else
        {
            try
            {
                using var buffer = new MemoryStream();
                Console.OpenStandardInput().CopyTo(buffer);
                value = buffer.ToArray();
            }
            catch (IOException ex)
            {
                Console.Error.WriteLine($"ERROR: could not read from stdin: {ex.Message}");
                return MdataExitCodes.Error;
            }
        }
        if (!connection.Execute("PUT", MetadataCodec.PutArgument(Encoding.UTF8.GetBytes(key), value), hasArgument: true, out var response))
            return Failed("PUT");
        return response.Code switch
        {
            MetadataResponseCode.Success => MdataExitCodes.Success,
            MetadataResponseCode.NotFound => NotFound(key),
            MetadataResponseCode.InvalidCommand => Unsupported("PUT"),
            _ => Error($"Error putting metadata for key '{key}': {Text(response.Data)}"),
        };
    }

    public static int Delete(string tool, string[] args)
    {
        if (args.Length < 1)
            return Usage(tool, "<keyname>");
        string key = args[0];
        using var connection = new MdataConnection();
        if (!Open(connection))
            return MdataExitCodes.Error;
        if (connection.Version < 2)
            return Unsupported("DELETE");
        if (!connection.Execute("DELETE", Encoding.UTF8.GetBytes(key), hasArgument: true, out var response))
            return Failed("DELETE");
        return response.Code switch
        {
            MetadataResponseCode.Success => MdataExitCodes.Success,
            MetadataResponseCode.NotFound => NotFound(key),
            MetadataResponseCode.InvalidCommand => Unsupported("DELETE"),
            _ => Error($"Error deleting metadata key '{key}': {Text(response.Data)}"),
        };
    }

    public static int List()
    {
        using var connection = new MdataConnection();
        if (!Open(connection))
            return MdataExitCodes.Error;
        if (!connection.Execute("KEYS", [], hasArgument: false, out var response))
            return Failed("KEYS");
        switch (response.Code)
        {
            case MetadataResponseCode.Success:
                var stdout = Console.OpenStandardOutput();
                stdout.Write(response.Data);
                // Unlike mdata-get, an empty list prints nothing at all.
                if (response.Data.Length > 0 && response.Data[^1] != '\n')
                    stdout.Write("\n"u8);
                stdout.Flush();
                return MdataExitCodes.Success;
            case MetadataResponseCode.NotFound:
                Console.Error.WriteLine("No metadata");
                return MdataExitCodes.NotFound;
            case MetadataResponseCode.InvalidCommand:
                return Unsupported("KEYS");
            default:
                return Error($"Error getting metadata: {Text(response.Data)}");
        }
    }

    public static int Usage(string tool, string arguments)
    {
        Console.Error.WriteLine($"{tool}: Usage: {tool} {arguments}");
        return MdataExitCodes.Usage;
    }

    private static bool Open(MdataConnection connection)
    {
        if (connection.TryOpen(out string? error))
            return true;
        Console.Error.WriteLine($"ERROR: could not initialise protocol: {error}");
        return false;
    }

    private static int Failed(string command) => Error($"ERROR: could not execute {command}");

    private static int Unsupported(string command) => Error($"ERROR: host does not support {command}");

    private static int NotFound(string key)
    {
        Console.Error.WriteLine($"No metadata for '{key}'");
        return MdataExitCodes.NotFound;
    }

    private static int Error(string message)
    {
        Console.Error.WriteLine(message);
        return MdataExitCodes.Error;
    }

    private static string Text(byte[] data) => Encoding.UTF8.GetString(data);
}
