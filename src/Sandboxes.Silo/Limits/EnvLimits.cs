using System.Collections;
using System.Collections.Concurrent;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace Sandboxes.Silo.Limits;

/// <summary>
/// The environment limits (Limits:MaxEnvCount, Limits:MaxEnvBytes) on every request that
/// carries an <c>env</c> map, not only on a sandbox's spec: exec, processes, sessions, code
/// contexts and terminals pass theirs to a process too. Checked as a request is read, so a
/// streamed message (an exec's or a terminal's first) is checked like a unary one.
/// </summary>
public static class EnvLimits
{
    private const string EnvField = "env";

    // Env maps sit at most two messages deep (ExecInput.start.env, TerminalInput.open.env).
    private const int MaxDepth = 2;

    // Whether a request type can hold an env map at all; most (file chunks, stdin) cannot, and skip the walk.
    private static readonly ConcurrentDictionary<MessageDescriptor, bool> CarriesEnv = new();

    public static void Check(IMessage message, SandboxLimits limits)
    {
        if (CarriesEnv.GetOrAdd(message.Descriptor, static d => Reaches(d, 0)))
        {
            Check(message, limits, 0);
        }
    }

    private static bool Reaches(MessageDescriptor descriptor, int depth) =>
        descriptor.Fields.InDeclarationOrder().Any(field =>
            (field.IsMap && field.Name == EnvField)
            || (depth < MaxDepth && field.FieldType == FieldType.Message && !field.IsRepeated && Reaches(field.MessageType, depth + 1)));

    private static void Check(IMessage message, SandboxLimits limits, int depth)
    {
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            if (field.IsMap && field.Name == EnvField && field.Accessor.GetValue(message) is IDictionary { Count: > 0 } env)
            {
                Require(message.Descriptor.Name, env, limits);
            }
            else if (depth < MaxDepth && field.FieldType == FieldType.Message && !field.IsRepeated && field.Accessor.HasValue(message)
                && field.Accessor.GetValue(message) is IMessage inner)
            {
                Check(inner, limits, depth + 1);
            }
        }
    }

    private static void Require(string owner, IDictionary env, SandboxLimits limits)
    {
        if (env.Count > limits.MaxEnvCount)
        {
            throw Refused($"{owner}.env has {env.Count} variables; the limit is {limits.MaxEnvCount} (Limits:MaxEnvCount)");
        }

        long bytes = 0;
        foreach (DictionaryEntry entry in env)
        {
            bytes += Encoding.UTF8.GetByteCount((string)entry.Key) + Encoding.UTF8.GetByteCount((string?)entry.Value ?? "");
        }

        if (bytes > limits.MaxEnvBytes)
        {
            throw Refused($"{owner}.env holds {bytes} bytes of names and values; the limit is {limits.MaxEnvBytes} (Limits:MaxEnvBytes)");
        }
    }

    private static RpcException Refused(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
