using Sandboxes.Protocol;

namespace Sandboxes.Agent.Watch;

/// <summary>
/// Changes waiting to be sent, coalesced per path: a change that repeats the path's last
/// pending change (modify after modify, attrib after attrib) or that a pending create
/// already implies (modify or attrib after create) is dropped. Every change of kind is
/// kept in order, so the last pending change of a path always tells its final state.
/// </summary>
public sealed class ChangeBatch
{
    // Beyond this many pending changes the caller is far behind; one overflow says re-list.
    private const int MaxPending = 100_000;

    private readonly Lock _lock = new();
    private List<FileChange> _pending = [];
    private Dictionary<string, int> _lastByPath = new(StringComparer.Ordinal);
    private TaskCompletionSource _ready = NewSignal();

    /// <summary>Completes when changes are pending; take it before <see cref="Take"/>.</summary>
    public Task Ready
    {
        get
        {
            lock (_lock)
            {
                return _ready.Task;
            }
        }
    }

    public void Add(FileChange change)
    {
        lock (_lock)
        {
            if (_pending.Count >= MaxPending)
            {
                return;
            }

            if (_lastByPath.TryGetValue(change.Path, out var index) && Implies(_pending[index].Type, change.Type))
            {
                return;
            }

            _lastByPath[change.Path] = _pending.Count;
            _pending.Add(change);
            if (_pending.Count == MaxPending)
            {
                _pending = [new FileChange { Type = ChangeType.Overflow, Path = change.Path }];
                _lastByPath.Clear();
            }

            _ready.TrySetResult();
        }
    }

    /// <summary>Everything pending, oldest first; the batch starts empty again.</summary>
    public List<FileChange> Take()
    {
        lock (_lock)
        {
            var taken = _pending;
            _pending = [];
            _lastByPath = new Dictionary<string, int>(StringComparer.Ordinal);
            _ready = NewSignal();
            return taken;
        }
    }

    private static bool Implies(ChangeType pending, ChangeType next) =>
        pending == next && next is ChangeType.Modify or ChangeType.Attrib
        || pending == ChangeType.Create && next is ChangeType.Modify or ChangeType.Attrib;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
