namespace Solstice.Instances.Oci;

public enum OciRuntimeKind
{
    Runc,
    Crun,
}
