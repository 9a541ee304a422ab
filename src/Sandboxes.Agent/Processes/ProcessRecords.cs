using Google.Protobuf;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Processes;

/// <summary>
/// A started process's <see cref="ProcessInfo"/> on disk (info.pb in its folder), written
/// whole to a temporary file and renamed, so a crash leaves the old record or the new one.
/// </summary>
public static class ProcessRecords
{
    private const string FileName = "info.pb";

    public static void Save(string directory, ProcessInfo info)
    {
        var temporary = Path.Combine(directory, FileName + ".tmp");
        File.WriteAllBytes(temporary, info.ToByteArray());
        File.Move(temporary, Path.Combine(directory, FileName), overwrite: true);
    }

    /// <summary>The record in <paramref name="directory"/>, or null when it is missing or unreadable.</summary>
    public static ProcessInfo? Load(string directory)
    {
        try
        {
            return ProcessInfo.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(directory, FileName)));
        }
        catch (Exception e) when (e is IOException or InvalidProtocolBufferException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static bool IsRunning(this ProcessInfo info) =>
        info.Status is ProcessStatus.Running or ProcessStatus.Starting;
}
