namespace Solstice.Cli.Commands.Imgadm;

/// <summary>`imgadm delete [-P pool] uuid`: removes the index entry and the dataset; exit 3 when not installed.</summary>
public static class DeleteCommand
{
    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "", "P");
        var uuid = ImgadmTool.ParseUuid(ImgadmTool.SingleUuidArgument(a, "delete"));
        ImgadmTool.OpenStore(context, a.Value('P')).Delete(uuid);
        context.Out.WriteLine($"Deleted image {uuid}");
        return 0;
    }
}
