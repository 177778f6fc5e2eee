using Ward.Deploying;
using Ward.Deploying.Databases;
using Ward.Deploying.Switchover;
using Ward.Engine.Applying;
using Ward.Engine.Desired;
using Ward.Engine.Ports;

namespace Ward.Server.Api;

/// <summary>
/// The one map from what the core throws to an API problem, used by the server's exception handler
/// (<see cref="RequestGuards.FailureAsync"/>): endpoints never catch engine failures themselves, so the same failure has
/// the same status and code wherever it happens. A deploy request's own codes (DeployRequestCodes) and a switchover's
/// (SwitchoverRequestCodes) are API codes too, and so are the databases' (DatabaseRequestCodes: bad input, 400 or 404;
/// DatabaseFailureCodes: what failed).
/// </summary>
public static class EngineProblems
{
    /// <summary>The problem for a failure of the swarm or of a deploy request; null for anything else (a bug).</summary>
    public static IResult? Of(Exception failure) => failure switch
    {
        DeployRequestException { Code: DeployRequestCodes.NodeNotFound } e => Problems.NotFound(e.Code, e.Message),
        DeployRequestException e => Problems.BadRequest(e.Code, e.Message),
        SwitchoverRequestException e => Problems.BadRequest(e.Code, e.Message),
        DatabaseRequestException { Code: DatabaseRequestCodes.DatabaseNotFound } e => Problems.NotFound(e.Code, e.Message),
        DatabaseRequestException e => Problems.BadRequest(e.Code, e.Message),
        DatabaseOperationException { Code: DatabaseFailureCodes.Busy } e => Problems.Conflict(e.Code, e.Message),
        DatabaseOperationException { Code: DatabaseFailureCodes.NotRunning } e => Problems.Unavailable(e.Code, e.Message),
        DatabaseOperationException e => Problems.Of(StatusCodes.Status502BadGateway, e.Code, e.Message),
        DesiredStateException e => Problems.BadRequest(ProblemCodes.InvalidDesiredState, e.Message),
        LockConflictException e => Problems.Conflict(ProblemCodes.EnvironmentLocked, e.Message),
        EngineConflictException e => Problems.Conflict(ProblemCodes.StaleVersion, $"the swarm object changed meanwhile ({e.Message}); read it again and retry"),
        EngineNotFoundException e => Problems.NotFound(ProblemCodes.EngineObjectNotFound, e.Message),
        EngineUnavailableException or NotSwarmManagerException => Problems.Unavailable(ProblemCodes.EngineUnavailable, failure.Message),
        EngineDeadlineException e => Problems.Of(StatusCodes.Status504GatewayTimeout, ProblemCodes.NotConfirmed, e.Message),
        EngineException e => Problems.Of(StatusCodes.Status502BadGateway, ProblemCodes.EngineRefused, e.Message),
        _ => null,
    };
}
