using Ward.Cli;

return WardApp.Run(args);
