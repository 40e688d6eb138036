namespace Solstice.Images.Archive;

/// <summary>An archive that expands past a limit of <see cref="ImageLimits"/> or its manifest; the message says which.</summary>
public sealed class ImageTooLargeException(string message) : Exception(message);
