using Grpc.AspNetCore.Server.Model;
using Sandboxes.Agent.Hosting;

// The agent's gRPC methods, each bound with its exact types (see StaticGrpcBinding for why).
// Each generated service class gains a Bind method that lists its methods. A method added to
// the proto must be added here too: the test "every agent method is served" fails otherwise.

namespace Sandboxes.Protocol
{
    public static partial class Exec
    {
        internal static void Bind(ServiceMethodProviderContext<global::Sandboxes.Agent.Exec.ExecService> methods)
        {
            methods.AddUnaryMethod(__Method_Run, StaticGrpcBinding.Post(), static (service, request, call) => service.Run(request, call));
            methods.AddDuplexStreamingMethod(__Method_Stream, StaticGrpcBinding.Post(), static (service, requests, responses, call) => service.Stream(requests, responses, call));
        }
    }

    public static partial class Files
    {
        internal static void Bind(ServiceMethodProviderContext<global::Sandboxes.Agent.Files.FilesService> methods)
        {
            methods.AddServerStreamingMethod(__Method_Read, StaticGrpcBinding.Post(), static (service, request, responses, call) => service.Read(request, responses, call));
            methods.AddClientStreamingMethod(__Method_Write, StaticGrpcBinding.Post(), static (service, requests, call) => service.Write(requests, call));
            methods.AddUnaryMethod(__Method_Stat, StaticGrpcBinding.Post(), static (service, request, call) => service.Stat(request, call));
            methods.AddUnaryMethod(__Method_List, StaticGrpcBinding.Post(), static (service, request, call) => service.List(request, call));
            methods.AddUnaryMethod(__Method_MakeDirectory, StaticGrpcBinding.Post(), static (service, request, call) => service.MakeDirectory(request, call));
            methods.AddUnaryMethod(__Method_Delete, StaticGrpcBinding.Post(), static (service, request, call) => service.Delete(request, call));
            methods.AddUnaryMethod(__Method_Move, StaticGrpcBinding.Post(), static (service, request, call) => service.Move(request, call));
            methods.AddUnaryMethod(__Method_Exists, StaticGrpcBinding.Post(), static (service, request, call) => service.Exists(request, call));
        }
    }

    public static partial class Processes
    {
        internal static void Bind(ServiceMethodProviderContext<global::Sandboxes.Agent.Processes.ProcessService> methods)
        {
            methods.AddUnaryMethod(__Method_Start, StaticGrpcBinding.Post(), static (service, request, call) => service.Start(request, call));
            methods.AddUnaryMethod(__Method_List, StaticGrpcBinding.Post(), static (service, request, call) => service.List(request, call));
            methods.AddUnaryMethod(__Method_Get, StaticGrpcBinding.Post(), static (service, request, call) => service.Get(request, call));
            methods.AddUnaryMethod(__Method_Kill, StaticGrpcBinding.Post(), static (service, request, call) => service.Kill(request, call));
            methods.AddUnaryMethod(__Method_KillAll, StaticGrpcBinding.Post(), static (service, request, call) => service.KillAll(request, call));
            methods.AddUnaryMethod(__Method_GetLogs, StaticGrpcBinding.Post(), static (service, request, call) => service.GetLogs(request, call));
            methods.AddServerStreamingMethod(__Method_StreamLogs, StaticGrpcBinding.Post(), static (service, request, responses, call) => service.StreamLogs(request, responses, call));
            methods.AddUnaryMethod(__Method_WaitForLog, StaticGrpcBinding.Post(), static (service, request, call) => service.WaitForLog(request, call));
            methods.AddUnaryMethod(__Method_WaitForPort, StaticGrpcBinding.Post(), static (service, request, call) => service.WaitForPort(request, call));
            methods.AddUnaryMethod(__Method_WaitForExit, StaticGrpcBinding.Post(), static (service, request, call) => service.WaitForExit(request, call));
        }
    }

    public static partial class Sessions
    {
        internal static void Bind(ServiceMethodProviderContext<global::Sandboxes.Agent.Sessions.SessionService> methods)
        {
            methods.AddUnaryMethod(__Method_Create, StaticGrpcBinding.Post(), static (service, request, call) => service.Create(request, call));
            methods.AddUnaryMethod(__Method_Delete, StaticGrpcBinding.Post(), static (service, request, call) => service.Delete(request, call));
            methods.AddUnaryMethod(__Method_List, StaticGrpcBinding.Post(), static (service, request, call) => service.List(request, call));
        }
    }

    public static partial class Watches
    {
        internal static void Bind(ServiceMethodProviderContext<global::Sandboxes.Agent.Watch.WatchService> methods)
        {
            methods.AddServerStreamingMethod(__Method_Watch, StaticGrpcBinding.Post(), static (service, request, responses, call) => service.Watch(request, responses, call));
        }
    }

    public static partial class Terminals
    {
        internal static void Bind(ServiceMethodProviderContext<global::Sandboxes.Agent.Terminals.TerminalService> methods)
        {
            methods.AddDuplexStreamingMethod(__Method_Connect, StaticGrpcBinding.Post(), static (service, requests, responses, call) => service.Connect(requests, responses, call));
            methods.AddUnaryMethod(__Method_List, StaticGrpcBinding.Post(), static (service, request, call) => service.List(request, call));
        }
    }

    public static partial class CodeInterpreter
    {
        internal static void Bind(ServiceMethodProviderContext<global::Sandboxes.Agent.CodeInterpreter.CodeInterpreterService> methods)
        {
            methods.AddUnaryMethod(__Method_CreateContext, StaticGrpcBinding.Post(), static (service, request, call) => service.CreateContext(request, call));
            methods.AddUnaryMethod(__Method_ListContexts, StaticGrpcBinding.Post(), static (service, request, call) => service.ListContexts(request, call));
            methods.AddUnaryMethod(__Method_DeleteContext, StaticGrpcBinding.Post(), static (service, request, call) => service.DeleteContext(request, call));
            methods.AddUnaryMethod(__Method_RunCode, StaticGrpcBinding.Post(), static (service, request, call) => service.RunCode(request, call));
            methods.AddServerStreamingMethod(__Method_RunCodeStream, StaticGrpcBinding.Post(), static (service, request, responses, call) => service.RunCodeStream(request, responses, call));
        }
    }
}

namespace Sandboxes.Protocol.Agent
{
    public static partial class Agent
    {
        internal static void Bind(ServiceMethodProviderContext<global::Sandboxes.Agent.Probe.AgentStatusService> methods)
        {
            methods.AddUnaryMethod(__Method_Status, StaticGrpcBinding.Post(), static (service, request, call) => service.Status(request, call));
        }
    }
}
