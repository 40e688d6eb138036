namespace Solstice.Core.Vm;

/// <summary>Value types of the vmadm property table (smartos-interfaces.md §1.8).</summary>
public enum VmPropertyType
{
    Integer,
    Boolean,
    String,
    Uuid,

    /// <summary>An array of strings, or a comma-separated string on input.</summary>
    List,

    /// <summary>An object whose values are strings, numbers or booleans.</summary>
    FlatObject,

    /// <summary>An array of objects (nics, disks, filesystems, ...).</summary>
    ObjectArray,

    /// <summary>A storage pool name.</summary>
    Zpool,

    /// <summary>Any JSON value; used only by read-only properties the system computes.</summary>
    Any,
}

/// <summary>How a property changes through <c>vmadm update</c>.</summary>
public enum VmUpdateMode
{
    /// <summary>Not updatable.</summary>
    None,

    /// <summary>The update payload carries the new value under the property name.</summary>
    Replace,

    /// <summary>Maps: <c>set_&lt;name&gt;</c> adds or overwrites keys, <c>remove_&lt;name&gt;</c> deletes keys.</summary>
    SetRemove,

    /// <summary>Object arrays: <c>add_</c>, <c>update_</c> and <c>remove_&lt;name&gt;</c> keyed by <see cref="VmProperty.Key"/>.</summary>
    AddUpdateRemove,
}

/// <summary>What a changed property needs before it takes effect on a running VM.</summary>
public enum VmUpdateEffect
{
    /// <summary>Only stored (alias, tags, metadata, ...): nothing to apply to the running VM.</summary>
    Metadata,

    /// <summary>Applied to the running VM at once (resource controls, quota, firewall, routes).</summary>
    Live,

    /// <summary>Takes effect at the next boot.</summary>
    Reboot,
}

/// <summary>The payload kinds <c>vmadm validate</c> distinguishes.</summary>
public enum VmAction
{
    Create,
    Update,
}
