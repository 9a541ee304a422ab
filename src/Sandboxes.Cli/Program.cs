using Sandboxes.Cli;

return await SbxApp.RunAsync(args);
