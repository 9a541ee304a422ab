namespace Sandboxes.Agent.Exec;

/// <summary>Bytes read from the command's stdout or stderr, in the order read.</summary>
public readonly record struct OutputChunk(bool IsStderr, ReadOnlyMemory<byte> Data);
