using Ward.Engine.Observing;

namespace Ward.Engine.Tests.Observing;

/// <summary>ward status says what to do about a service that is not running as it should, from its tasks' error.</summary>
public sealed class FailureAdviceTests
{
    [Theory]
    [InlineData("the image is missing on a node (no registry to pull from): No such image: clinic/web:1.0", "ward image sync")]
    [InlineData("no node can run its tasks: no suitable node (scheduling constraints not satisfied on 3 nodes)", "ward check explains the placement rules")]
    [InlineData("3 tasks failed: task: non-zero exit (3)", "exits with code 3")]
    [InlineData("3 tasks failed: task: non-zero exit (137)", "raise deploy.resources.limits.memory")]
    [InlineData("the update rollback completed: update rolled back due to failure", "rolled back")]
    [InlineData("3 tasks failed: unhealthy container", "its healthcheck fails")]
    [InlineData("invalid mount config for type \"bind\": bind source path does not exist: /srv/x", "a mount, secret or config")]
    public void A_failed_service_is_told_the_next_step_for_its_cause(string error, string advice)
    {
        var said = FailureAdvice.For("demo_web", "failed", error);
        Assert.NotNull(said);
        Assert.Contains(advice, said, StringComparison.Ordinal);
    }

    [Fact]
    public void Commands_name_the_service_as_docker_and_ward_know_it()
    {
        var said = FailureAdvice.For("clinic-prod_worker", "failed", "task: non-zero exit (1)")!;
        Assert.Contains("docker service logs clinic-prod_worker", said, StringComparison.Ordinal);
        Assert.Contains("ward apply --restart worker", said, StringComparison.Ordinal);
    }

    [Fact]
    public void A_degraded_service_without_a_known_cause_is_pointed_at_its_error_and_logs() =>
        Assert.Contains("docker service logs demo_web", FailureAdvice.For("demo_web", "degraded", null), StringComparison.Ordinal);

    [Theory]
    [InlineData("converged")]
    [InlineData("progressing")]
    public void A_healthy_or_starting_service_gets_no_advice(string state) => Assert.Null(FailureAdvice.For("demo_web", state, null));
}
