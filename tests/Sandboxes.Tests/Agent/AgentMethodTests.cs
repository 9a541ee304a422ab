using System.Net.Sockets;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Agent;

/// <summary>
/// sandboxd binds its gRPC methods from a written table, not by reflection (see the agent's
/// StaticGrpcBinding). This checks the table against the proto: every method of every service
/// the agent serves must be routed to a handler.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class AgentMethodTests(SiloFixture fixture)
{
    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(10);

    /// <summary>A truncated length-delimited field: no handler ever sees it, since it cannot be parsed.</summary>
    private static readonly byte[] Unparseable = [0x0A, 0xFF];

    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(bytes => bytes, bytes => bytes);

    private readonly TestSilo _silo = fixture.Silo;

    public static TheoryData<string> AgentServices() =>
    [
        Protocol.Exec.Descriptor.FullName,
        Protocol.Files.Descriptor.FullName,
        Protocol.Processes.Descriptor.FullName,
        Protocol.Sessions.Descriptor.FullName,
        Protocol.Watches.Descriptor.FullName,
        Protocol.Terminals.Descriptor.FullName,
        Protocol.CodeInterpreter.Descriptor.FullName,
        Protocol.Agent.Agent.Descriptor.FullName,
    ];

    [Theory]
    [MemberData(nameof(AgentServices))]
    public async Task Every_method_of_the_service_reaches_a_handler_and_an_unknown_one_is_unimplemented(string serviceName)
    {
        var service = Descriptors().Single(s => s.FullName == serviceName);
        var name = _silo.UniqueName("methods");
        await _silo.Client.Sandbox(name).ExecAsync(["true"]);
        using var channel = AgentChannel(Path.Combine(_silo.DataRoot, "boxes", name, "agent.sock"));

        var statuses = new Dictionary<string, StatusCode>();
        foreach (var method in service.Methods)
        {
            statuses[method.Name] = await CallAsync(channel.CreateCallInvoker(), service.FullName, method.Name, method.IsClientStreaming, method.IsServerStreaming);
        }

        Assert.NotEmpty(statuses);
        Assert.All(statuses, s => Assert.True(s.Value != StatusCode.Unimplemented, $"{service.FullName}/{s.Key} is not served by sandboxd; add it to Hosting/GrpcMethodTables.cs"));
        Assert.Equal(StatusCode.Unimplemented, await CallAsync(channel.CreateCallInvoker(), service.FullName, "NoSuchMethod", clientStreaming: false, serverStreaming: false));
    }

    private static IEnumerable<ServiceDescriptor> Descriptors() =>
        [.. Protocol.SandboxesReflection.Descriptor.Services, .. Protocol.Agent.AgentReflection.Descriptor.Services];

    private static GrpcChannel AgentChannel(string socketPath) => GrpcChannel.ForAddress("http://sandboxd", new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        },
    });

    /// <summary>Sends one unparseable message the way the method takes its input, and returns the status it ends with.</summary>
    private static async Task<StatusCode> CallAsync(CallInvoker invoker, string service, string method, bool clientStreaming, bool serverStreaming)
    {
        var type = (clientStreaming, serverStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (false, true) => MethodType.ServerStreaming,
            (true, false) => MethodType.ClientStreaming,
            (true, true) => MethodType.DuplexStreaming,
        };
        var definition = new Method<byte[], byte[]>(type, service, method, Raw, Raw);
        var options = new CallOptions(deadline: DateTime.UtcNow + CallBound);
        try
        {
            switch (type)
            {
                case MethodType.Unary:
                    await invoker.AsyncUnaryCall(definition, null, options, Unparseable);
                    break;
                case MethodType.ServerStreaming:
                    using (var call = invoker.AsyncServerStreamingCall(definition, null, options, Unparseable))
                    {
                        while (await call.ResponseStream.MoveNext(CancellationToken.None))
                        {
                        }
                    }

                    break;
                case MethodType.ClientStreaming:
                    using (var call = invoker.AsyncClientStreamingCall(definition, null, options))
                    {
                        await call.RequestStream.WriteAsync(Unparseable);
                        await call.RequestStream.CompleteAsync();
                        await call.ResponseAsync;
                    }

                    break;
                default:
                    using (var call = invoker.AsyncDuplexStreamingCall(definition, null, options))
                    {
                        await call.RequestStream.WriteAsync(Unparseable);
                        await call.RequestStream.CompleteAsync();
                        while (await call.ResponseStream.MoveNext(CancellationToken.None))
                        {
                        }
                    }

                    break;
            }

            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }
}
