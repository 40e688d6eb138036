using Solstice.Images;

namespace Solstice.Cli.Commands.Imgadm;

/// <summary>`imgadm get [-P pool] uuid`: the image info object {manifest, zpool}; exit 3 when not installed.</summary>
public static class GetCommand
{
    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        var a = Arguments.Parse(args, "", "P");
        var uuid = ImgadmTool.ParseUuid(ImgadmTool.SingleUuidArgument(a, "get"));
        var image = ImgadmTool.OpenStore(context, a.Value('P')).Get(uuid);
        context.Out.WriteLine(ImageJson.Serialize(image.ToJson()));
        return 0;
    }
}
