namespace Solstice.Linux;

/// <summary>
/// Undo steps for a multi-step host mutation. Add an undo after each step succeeds; call Success()
/// at the end. Disposing without Success runs the undos in reverse and never throws over the
/// original failure: a failed create leaves nothing behind.
/// </summary>
public sealed class Reverter : IDisposable
{
    private readonly List<(string What, Action Undo)> _undos = [];
    private bool _succeeded;

    /// <summary>Undo failures, for callers that want to log them.</summary>
    public List<string> Failures { get; } = [];

    /// <summary>Records the undo of a step that has just succeeded (a crash point for the fault-injection tests).</summary>
    public void Add(string what, Action undo)
    {
        _undos.Add((what, undo));
        CrashPoint.Hit("step " + what);
    }

    public void Success() => _succeeded = true;

    public void Dispose()
    {
        if (_succeeded)
            return;
        for (int i = _undos.Count - 1; i >= 0; i--)
        {
            try
            {
                _undos[i].Undo();
            }
            catch (Exception ex)
            {
                Failures.Add($"{_undos[i].What}: {ex.Message}");
            }
        }
        _undos.Clear();
    }
}
