namespace Ward.Engine.Ports;

/// <summary>Base of the failures the engine port reports in Ward's own terms; the message is for the user.</summary>
public abstract class EngineException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>No engine answers at the endpoint (not running, socket missing, unreachable).</summary>
public sealed class EngineUnavailableException(string message, Exception? inner = null) : EngineException(message, inner);

/// <summary>The engine answers but is not a swarm manager, so it cannot manage services.</summary>
public sealed class NotSwarmManagerException(string message, Exception? inner = null) : EngineException(message, inner);

/// <summary>A stale version index, or a name that exists already: read fresh state and try again.</summary>
public sealed class EngineConflictException(string message, Exception? inner = null) : EngineException(message, inner);

/// <summary>The object is gone.</summary>
public sealed class EngineNotFoundException(string message, Exception? inner = null) : EngineException(message, inner);

/// <summary>The engine refused the request (an invalid spec, an object in use, ...).</summary>
public sealed class EngineRequestException(string message, Exception? inner = null) : EngineException(message, inner);

/// <summary>
/// The managers did not commit a change to their Raft log before the swarm's deadline. The change may still be made
/// later (or never): the caller watches for it instead of reporting success or failure at once.
/// </summary>
public sealed class EngineDeadlineException(string message, Exception? inner = null) : EngineException(message, inner);
