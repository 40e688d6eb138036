namespace Solstice.Instances.Oci;

/// <summary>Container status as the runtime reports it (runtime-spec "state").</summary>
public enum OciStatus
{
    Unknown,
    Creating,
    Created,
    Running,
    Paused,
    Stopped,
}
